
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select _period, uscc, year, pollutant, basis, count(*) as occurrences
from "work"."staging"."stg_env__emissions"
group by _period, uscc, year, pollutant, basis
having count(*) > 1

  
  
      
    ) dbt_internal_test