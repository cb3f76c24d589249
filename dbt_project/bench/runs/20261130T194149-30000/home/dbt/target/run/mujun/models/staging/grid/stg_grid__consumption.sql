
  
  create view "work"."staging"."stg_grid__consumption__dbt_tmp" as (
    with validated as (

    select * from "work"."staging"."base_grid__consumption"
    where _quarantine_reason is null and _snapshot_id in (select snapshot_id from "work"."landing"."snapshots"
                     where dataset = 'grid.consumption')

)

select
    * exclude (_quarantine_reason, _record_key)
from validated
  );
