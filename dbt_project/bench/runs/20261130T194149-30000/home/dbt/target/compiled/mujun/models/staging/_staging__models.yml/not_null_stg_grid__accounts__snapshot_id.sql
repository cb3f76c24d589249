
    
    



select _snapshot_id
from "work"."staging"."stg_grid__accounts"
where _snapshot_id is null


