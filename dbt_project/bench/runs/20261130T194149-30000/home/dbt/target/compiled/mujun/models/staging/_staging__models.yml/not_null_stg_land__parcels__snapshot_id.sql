
    
    



select _snapshot_id
from "work"."staging"."stg_land__parcels"
where _snapshot_id is null


