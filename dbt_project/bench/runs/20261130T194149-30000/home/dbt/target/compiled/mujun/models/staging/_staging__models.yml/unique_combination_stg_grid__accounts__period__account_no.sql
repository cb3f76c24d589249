
select _period, account_no, count(*) as occurrences
from "work"."staging"."stg_grid__accounts"
group by _period, account_no
having count(*) > 1
