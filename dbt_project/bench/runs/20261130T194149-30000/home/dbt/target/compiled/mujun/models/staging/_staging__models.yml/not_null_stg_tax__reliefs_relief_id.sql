
    
    



select relief_id
from "work"."staging"."stg_tax__reliefs"
where relief_id is null


