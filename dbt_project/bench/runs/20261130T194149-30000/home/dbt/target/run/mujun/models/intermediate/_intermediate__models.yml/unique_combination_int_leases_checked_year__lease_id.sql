
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select year, lease_id, count(*) as occurrences
from "work"."intermediate"."int_leases_checked"
group by year, lease_id
having count(*) > 1

  
  
      
    ) dbt_internal_test