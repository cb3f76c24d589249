
    
    



select account_no
from "work"."staging"."stg_grid__accounts"
where account_no is null


