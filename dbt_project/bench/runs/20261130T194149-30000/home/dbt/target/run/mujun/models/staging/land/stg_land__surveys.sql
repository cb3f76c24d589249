
  
  create view "work"."staging"."stg_land__surveys__dbt_tmp" as (
    with validated as (

    select * from "work"."staging"."base_land__surveys"
    where _quarantine_reason is null and _snapshot_id in (select snapshot_id from "work"."landing"."snapshots"
                     where dataset = 'land.surveys')

)

select
    * exclude (_quarantine_reason, _record_key),
    occupied_m2 * 0.0015 as occupied_mu
from validated
  );
