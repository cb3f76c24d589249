with validated as (

    select * from {{ ref('base_grid__consumption') }}
    where _quarantine_reason is null and {{ read_by_this_run('grid.consumption') }}

)

select
    * exclude (_quarantine_reason, _record_key)
from validated
