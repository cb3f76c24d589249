
    
    



select _snapshot_id
from "work"."staging"."stg_stats__energy_use"
where _snapshot_id is null


