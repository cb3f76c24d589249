
select uscc, year, count(*) as occurrences
from "work"."intermediate"."int_enterprise_electricity"
group by uscc, year
having count(*) > 1
