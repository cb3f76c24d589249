
  
  create view "work"."staging"."stg_env__emissions__dbt_tmp" as (
    with validated as (

    select * from "work"."staging"."base_env__emissions"
    where _quarantine_reason is null and _snapshot_id in (select snapshot_id from "work"."landing"."snapshots"
                     where dataset = 'env.emissions')

)

select
    * exclude (_quarantine_reason, _record_key)
from validated
  );
