with validated as (

    select * from {{ ref('base_land__leases') }}
    where _quarantine_reason is null and {{ read_by_this_run('land.leases') }}

)

select
    * exclude (_quarantine_reason, _record_key),
    leased_land_m2 * 0.0015 as leased_land_mu
from validated
