
select uscc, year, count(*) as occurrences
from "work"."intermediate"."int_enterprise_scope"
group by uscc, year
having count(*) > 1
