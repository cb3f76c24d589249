
select _period, incident_id, count(*) as occurrences
from "work"."staging"."stg_env__incidents"
group by _period, incident_id
having count(*) > 1
