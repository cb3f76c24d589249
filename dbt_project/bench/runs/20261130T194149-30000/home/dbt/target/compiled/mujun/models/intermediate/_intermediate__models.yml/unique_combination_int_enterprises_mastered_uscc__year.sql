
select uscc, year, count(*) as occurrences
from "work"."intermediate"."int_enterprises_mastered"
group by uscc, year
having count(*) > 1
