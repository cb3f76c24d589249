
select _period, parcel_code, count(*) as occurrences
from "work"."staging"."stg_land__parcels"
group by _period, parcel_code
having count(*) > 1
