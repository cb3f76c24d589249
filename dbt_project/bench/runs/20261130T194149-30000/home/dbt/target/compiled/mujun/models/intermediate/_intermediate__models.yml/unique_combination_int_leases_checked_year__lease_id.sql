
select year, lease_id, count(*) as occurrences
from "work"."intermediate"."int_leases_checked"
group by year, lease_id
having count(*) > 1
