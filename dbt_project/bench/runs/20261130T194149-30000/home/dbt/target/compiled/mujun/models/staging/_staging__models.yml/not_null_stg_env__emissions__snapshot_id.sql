
    
    



select _snapshot_id
from "work"."staging"."stg_env__emissions"
where _snapshot_id is null


