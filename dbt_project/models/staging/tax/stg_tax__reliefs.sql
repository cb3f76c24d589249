with validated as (

    select * from {{ ref('base_tax__reliefs') }}
    where _quarantine_reason is null and {{ read_by_this_run('tax.reliefs') }}

)

select
    * exclude (_quarantine_reason, _record_key)
from validated
