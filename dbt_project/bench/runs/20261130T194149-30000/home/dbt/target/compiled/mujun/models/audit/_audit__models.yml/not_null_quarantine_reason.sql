
    
    



select reason
from "work"."audit"."quarantine"
where reason is null


