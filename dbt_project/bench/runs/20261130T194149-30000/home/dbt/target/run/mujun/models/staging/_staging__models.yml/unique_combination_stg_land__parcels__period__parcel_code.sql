
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select _period, parcel_code, count(*) as occurrences
from "work"."staging"."stg_land__parcels"
group by _period, parcel_code
having count(*) > 1

  
  
      
    ) dbt_internal_test