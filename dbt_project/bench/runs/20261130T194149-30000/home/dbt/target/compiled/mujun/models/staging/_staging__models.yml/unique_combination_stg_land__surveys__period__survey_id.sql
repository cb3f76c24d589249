
select _period, survey_id, count(*) as occurrences
from "work"."staging"."stg_land__surveys"
group by _period, survey_id
having count(*) > 1
