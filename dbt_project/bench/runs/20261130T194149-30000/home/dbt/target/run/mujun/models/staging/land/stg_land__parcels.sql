
  
  create view "work"."staging"."stg_land__parcels__dbt_tmp" as (
    with validated as (

    select * from "work"."staging"."base_land__parcels"
    where _quarantine_reason is null and _snapshot_id in (select snapshot_id from "work"."landing"."snapshots"
                     where dataset = 'land.parcels')

)

select
    * exclude (_quarantine_reason, _record_key),
    -- 1 mu = 10000/15 m², exactly
    area_m2 * 0.0015 as area_mu,
    land_use in ('0601', '0602', '0604') as is_industrial
from validated
  );
