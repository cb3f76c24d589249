
    
    



select _snapshot_id
from "work"."staging"."stg_stats__quarterly"
where _snapshot_id is null


