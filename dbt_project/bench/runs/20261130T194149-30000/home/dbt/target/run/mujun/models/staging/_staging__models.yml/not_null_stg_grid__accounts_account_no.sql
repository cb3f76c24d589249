
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select account_no
from "work"."staging"."stg_grid__accounts"
where account_no is null



  
  
      
    ) dbt_internal_test