
    
    



select uscc
from "work"."staging"."stg_stats__enterprises"
where uscc is null


