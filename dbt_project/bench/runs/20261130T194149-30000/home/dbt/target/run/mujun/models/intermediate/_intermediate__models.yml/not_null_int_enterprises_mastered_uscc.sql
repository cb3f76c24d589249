
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select uscc
from "work"."intermediate"."int_enterprises_mastered"
where uscc is null



  
  
      
    ) dbt_internal_test