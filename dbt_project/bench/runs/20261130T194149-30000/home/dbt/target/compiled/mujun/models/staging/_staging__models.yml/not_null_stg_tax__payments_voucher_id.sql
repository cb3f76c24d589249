
    
    



select voucher_id
from "work"."staging"."stg_tax__payments"
where voucher_id is null


