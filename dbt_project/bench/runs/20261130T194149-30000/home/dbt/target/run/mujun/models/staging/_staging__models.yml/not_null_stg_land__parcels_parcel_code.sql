
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select parcel_code
from "work"."staging"."stg_land__parcels"
where parcel_code is null



  
  
      
    ) dbt_internal_test