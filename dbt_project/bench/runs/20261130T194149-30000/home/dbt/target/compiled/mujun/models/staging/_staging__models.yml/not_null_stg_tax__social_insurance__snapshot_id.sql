
    
    



select _snapshot_id
from "work"."staging"."stg_tax__social_insurance"
where _snapshot_id is null


