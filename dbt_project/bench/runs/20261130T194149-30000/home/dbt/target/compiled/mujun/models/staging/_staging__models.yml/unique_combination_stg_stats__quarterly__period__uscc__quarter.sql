
select _period, uscc, quarter, count(*) as occurrences
from "work"."staging"."stg_stats__quarterly"
group by _period, uscc, quarter
having count(*) > 1
