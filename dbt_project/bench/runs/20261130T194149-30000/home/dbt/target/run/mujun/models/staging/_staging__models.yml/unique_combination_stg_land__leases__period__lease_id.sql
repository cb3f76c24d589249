
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select _period, lease_id, count(*) as occurrences
from "work"."staging"."stg_land__leases"
group by _period, lease_id
having count(*) > 1

  
  
      
    ) dbt_internal_test