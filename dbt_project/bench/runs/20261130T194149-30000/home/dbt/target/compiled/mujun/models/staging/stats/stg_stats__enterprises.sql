with validated as (

    select * from "work"."staging"."base_stats__enterprises"
    where _quarantine_reason is null and _snapshot_id in (select snapshot_id from "work"."landing"."snapshots"
                     where dataset = 'stats.enterprises')

)

select
    * exclude (_quarantine_reason, _record_key),
    substr(industry_code, 1, 2) as industry_major
from validated