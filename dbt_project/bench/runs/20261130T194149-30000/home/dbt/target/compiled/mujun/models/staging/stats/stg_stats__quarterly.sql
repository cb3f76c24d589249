with validated as (

    select * from "work"."staging"."base_stats__quarterly"
    where _quarantine_reason is null and _snapshot_id in (select snapshot_id from "work"."landing"."snapshots"
                     where dataset = 'stats.quarterly')

)

select
    * exclude (_quarantine_reason, _record_key),
    output_k_ytd * 0.1 as output_wan_ytd,
    revenue_k_ytd * 0.1 as revenue_wan_ytd,
    value_added_k_ytd * 0.1 as value_added_wan_ytd
from validated