
    
    



select _snapshot_id
from "work"."staging"."stg_tax__payments"
where _snapshot_id is null


