with validated as (

    select * from {{ ref('base_stats__energy_use') }}
    where _quarantine_reason is null

)

select
    * exclude (_quarantine_reason, _record_key)
from validated
