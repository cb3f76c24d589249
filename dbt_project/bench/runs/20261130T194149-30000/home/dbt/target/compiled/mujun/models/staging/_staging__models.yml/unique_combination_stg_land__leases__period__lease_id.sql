
select _period, lease_id, count(*) as occurrences
from "work"."staging"."stg_land__leases"
group by _period, lease_id
having count(*) > 1
