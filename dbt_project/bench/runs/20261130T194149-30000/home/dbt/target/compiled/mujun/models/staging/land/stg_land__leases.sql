with validated as (

    select * from "work"."staging"."base_land__leases"
    where _quarantine_reason is null and _snapshot_id in (select snapshot_id from "work"."landing"."snapshots"
                     where dataset = 'land.leases')

)

select
    * exclude (_quarantine_reason, _record_key),
    leased_land_m2 * 0.0015 as leased_land_mu
from validated