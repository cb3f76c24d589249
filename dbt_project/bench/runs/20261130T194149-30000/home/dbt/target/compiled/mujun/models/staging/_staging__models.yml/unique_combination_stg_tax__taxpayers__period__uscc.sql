
select _period, uscc, count(*) as occurrences
from "work"."staging"."stg_tax__taxpayers"
group by _period, uscc
having count(*) > 1
