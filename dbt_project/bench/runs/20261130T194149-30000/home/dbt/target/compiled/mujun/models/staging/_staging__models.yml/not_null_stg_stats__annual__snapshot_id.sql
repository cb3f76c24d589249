
    
    



select _snapshot_id
from "work"."staging"."stg_stats__annual"
where _snapshot_id is null


