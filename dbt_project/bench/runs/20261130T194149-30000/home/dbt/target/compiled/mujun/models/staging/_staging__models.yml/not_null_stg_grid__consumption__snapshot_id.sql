
    
    



select _snapshot_id
from "work"."staging"."stg_grid__consumption"
where _snapshot_id is null


