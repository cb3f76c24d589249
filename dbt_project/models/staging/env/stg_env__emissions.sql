with validated as (

    select * from {{ ref('base_env__emissions') }}
    where _quarantine_reason is null and {{ read_by_this_run('env.emissions') }}

)

select
    * exclude (_quarantine_reason, _record_key)
from validated
