
select _period, uscc, year, carrier, unit, count(*) as occurrences
from "work"."staging"."stg_stats__energy_use"
group by _period, uscc, year, carrier, unit
having count(*) > 1
