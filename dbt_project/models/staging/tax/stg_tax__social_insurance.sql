with validated as (

    select * from {{ ref('base_tax__social_insurance') }}
    where _quarantine_reason is null and {{ read_by_this_run('tax.social_insurance') }}

)

select
    * exclude (_quarantine_reason, _record_key)
from validated
