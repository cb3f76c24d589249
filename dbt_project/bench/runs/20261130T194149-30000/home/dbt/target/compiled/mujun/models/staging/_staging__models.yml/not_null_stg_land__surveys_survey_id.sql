
    
    



select survey_id
from "work"."staging"."stg_land__surveys"
where survey_id is null


