with validated as (

    select * from {{ ref('base_stats__enterprises') }}
    where _quarantine_reason is null and {{ read_by_this_run('stats.enterprises') }}

)

select
    * exclude (_quarantine_reason, _record_key),
    substr(industry_code, 1, 2) as industry_major
from validated
