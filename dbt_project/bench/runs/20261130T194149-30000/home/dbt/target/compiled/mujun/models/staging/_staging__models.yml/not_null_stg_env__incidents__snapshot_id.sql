
    
    



select _snapshot_id
from "work"."staging"."stg_env__incidents"
where _snapshot_id is null


