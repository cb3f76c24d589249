with validated as (

    select * from {{ ref('base_grid__accounts') }}
    where _quarantine_reason is null and {{ read_by_this_run('grid.accounts') }}

)

select
    * exclude (_quarantine_reason, _record_key)
from validated
