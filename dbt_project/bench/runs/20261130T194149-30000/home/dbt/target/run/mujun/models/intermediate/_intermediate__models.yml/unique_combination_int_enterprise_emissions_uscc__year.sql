
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select uscc, year, count(*) as occurrences
from "work"."intermediate"."int_enterprise_emissions"
group by uscc, year
having count(*) > 1

  
  
      
    ) dbt_internal_test