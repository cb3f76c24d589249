
select uscc, year, count(*) as occurrences
from "work"."intermediate"."int_enterprise_figures"
group by uscc, year
having count(*) > 1
