with validated as (

    select * from "work"."staging"."base_tax__reliefs"
    where _quarantine_reason is null and _snapshot_id in (select snapshot_id from "work"."landing"."snapshots"
                     where dataset = 'tax.reliefs')

)

select
    * exclude (_quarantine_reason, _record_key)
from validated