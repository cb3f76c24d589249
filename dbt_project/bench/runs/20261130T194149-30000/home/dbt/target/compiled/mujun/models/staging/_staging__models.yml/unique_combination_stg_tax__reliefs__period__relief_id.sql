
select _period, relief_id, count(*) as occurrences
from "work"."staging"."stg_tax__reliefs"
group by _period, relief_id
having count(*) > 1
