
    
    



select uscc
from "work"."staging"."stg_tax__taxpayers"
where uscc is null


