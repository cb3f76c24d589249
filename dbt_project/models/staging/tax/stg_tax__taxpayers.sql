with validated as (

    select * from {{ ref('base_tax__taxpayers') }}
    where _quarantine_reason is null and {{ read_by_this_run('tax.taxpayers') }}

)

select
    * exclude (_quarantine_reason, _record_key)
from validated
