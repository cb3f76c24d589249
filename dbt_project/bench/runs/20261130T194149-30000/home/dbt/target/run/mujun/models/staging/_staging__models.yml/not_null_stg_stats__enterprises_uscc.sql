
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select uscc
from "work"."staging"."stg_stats__enterprises"
where uscc is null



  
  
      
    ) dbt_internal_test