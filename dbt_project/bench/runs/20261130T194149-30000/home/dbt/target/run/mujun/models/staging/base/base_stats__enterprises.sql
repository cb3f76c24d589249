insert into "work"."staging"."base_stats__enterprises" ("_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "uscc", "name", "industry_code", "above_scale", "division_code", "park", "group_uscc", "group_uscc_invalid", "opened_on", "_quarantine_reason")
    (
        select "_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "uscc", "name", "industry_code", "above_scale", "division_code", "park", "group_uscc", "group_uscc_invalid", "opened_on", "_quarantine_reason"
        from "base_stats__enterprises__dbt_tmp20261130195427307990"
    )


  