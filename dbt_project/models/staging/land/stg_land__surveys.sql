with validated as (

    select * from {{ ref('base_land__surveys') }}
    where _quarantine_reason is null and {{ read_by_this_run('land.surveys') }}

)

select
    * exclude (_quarantine_reason, _record_key),
    occupied_m2 * 0.0015 as occupied_mu
from validated
