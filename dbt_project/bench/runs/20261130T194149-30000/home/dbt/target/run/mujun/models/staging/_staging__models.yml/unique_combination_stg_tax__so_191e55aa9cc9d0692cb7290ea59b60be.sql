
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select _period, uscc, month, count(*) as occurrences
from "work"."staging"."stg_tax__social_insurance"
group by _period, uscc, month
having count(*) > 1

  
  
      
    ) dbt_internal_test