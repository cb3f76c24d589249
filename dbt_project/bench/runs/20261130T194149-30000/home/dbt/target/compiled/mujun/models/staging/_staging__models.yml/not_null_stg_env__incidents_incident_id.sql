
    
    



select incident_id
from "work"."staging"."stg_env__incidents"
where incident_id is null


