
select _period, uscc, year, pollutant, basis, count(*) as occurrences
from "work"."staging"."stg_env__emissions"
group by _period, uscc, year, pollutant, basis
having count(*) > 1
