
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select _period, uscc, year, carrier, unit, count(*) as occurrences
from "work"."staging"."stg_stats__energy_use"
group by _period, uscc, year, carrier, unit
having count(*) > 1

  
  
      
    ) dbt_internal_test