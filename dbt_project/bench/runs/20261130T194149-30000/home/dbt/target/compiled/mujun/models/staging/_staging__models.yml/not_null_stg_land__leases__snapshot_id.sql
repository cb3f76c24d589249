
    
    



select _snapshot_id
from "work"."staging"."stg_land__leases"
where _snapshot_id is null


