
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select uscc, year, quarter, rule_pack, count(*) as occurrences
from "work"."marts"."quarterly_monitor"
group by uscc, year, quarter, rule_pack
having count(*) > 1

  
  
      
    ) dbt_internal_test