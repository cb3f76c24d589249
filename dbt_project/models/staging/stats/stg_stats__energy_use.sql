with validated as (

    select * from {{ ref('base_stats__energy_use') }}
    where _quarantine_reason is null and {{ read_by_this_run('stats.energy_use') }}

)

select
    * exclude (_quarantine_reason, _record_key)
from validated
