
select _period, uscc, count(*) as occurrences
from "work"."staging"."stg_stats__enterprises"
group by _period, uscc
having count(*) > 1
