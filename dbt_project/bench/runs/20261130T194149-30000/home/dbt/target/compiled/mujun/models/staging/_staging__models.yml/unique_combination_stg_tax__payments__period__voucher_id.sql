
select _period, voucher_id, count(*) as occurrences
from "work"."staging"."stg_tax__payments"
group by _period, voucher_id
having count(*) > 1
