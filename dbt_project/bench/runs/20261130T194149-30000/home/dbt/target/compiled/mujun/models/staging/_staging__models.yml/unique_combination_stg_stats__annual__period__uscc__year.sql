
select _period, uscc, year, count(*) as occurrences
from "work"."staging"."stg_stats__annual"
group by _period, uscc, year
having count(*) > 1
