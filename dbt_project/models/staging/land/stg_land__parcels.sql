with validated as (

    select * from {{ ref('base_land__parcels') }}
    where _quarantine_reason is null and {{ read_by_this_run('land.parcels') }}

)

select
    * exclude (_quarantine_reason, _record_key),
    -- 1 mu = 10000/15 m², exactly
    area_m2 * 0.0015 as area_mu,
    land_use in ('0601', '0602', '0604') as is_industrial
from validated
