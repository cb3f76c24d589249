
  
  create view "work"."staging"."stg_stats__annual__dbt_tmp" as (
    with validated as (

    select * from "work"."staging"."base_stats__annual"
    where _quarantine_reason is null and _snapshot_id in (select snapshot_id from "work"."landing"."snapshots"
                     where dataset = 'stats.annual')

)

select
    * exclude (_quarantine_reason, _record_key),
    -- statistics report thousand yuan; the warehouse works in 万元
    output_k * 0.1 as output_wan,
    value_added_k * 0.1 as value_added_wan,
    revenue_k * 0.1 as revenue_wan,
    rd_expense_k * 0.1 as rd_expense_wan
from validated
  );
