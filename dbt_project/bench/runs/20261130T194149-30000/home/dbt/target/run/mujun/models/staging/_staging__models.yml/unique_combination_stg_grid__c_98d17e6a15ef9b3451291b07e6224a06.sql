
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select _period, account_no, month, count(*) as occurrences
from "work"."staging"."stg_grid__consumption"
group by _period, account_no, month
having count(*) > 1

  
  
      
    ) dbt_internal_test