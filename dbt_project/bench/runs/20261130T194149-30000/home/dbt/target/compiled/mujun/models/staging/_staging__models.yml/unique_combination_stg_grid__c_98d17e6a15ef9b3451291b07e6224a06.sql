
select _period, account_no, month, count(*) as occurrences
from "work"."staging"."stg_grid__consumption"
group by _period, account_no, month
having count(*) > 1
