
    
    



select parcel_code
from "work"."staging"."stg_land__parcels"
where parcel_code is null


