
    
    



select _snapshot_id
from "work"."staging"."stg_stats__enterprises"
where _snapshot_id is null


