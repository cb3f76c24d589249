
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select _period, uscc, count(*) as occurrences
from "work"."staging"."stg_stats__enterprises"
group by _period, uscc
having count(*) > 1

  
  
      
    ) dbt_internal_test