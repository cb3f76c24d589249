insert into "work"."staging"."base_stats__energy_use" ("_dataset", "_period", "_snapshot_id", "_record_no", "_record_key", "uscc", "year", "carrier", "quantity", "unit", "_quarantine_reason")
    (
        select "_dataset", "_period", "_snapshot_id", "_record_no", "_record_key", "uscc", "year", "carrier", "quantity", "unit", "_quarantine_reason"
        from "base_stats__energy_use__dbt_tmp20261130195427278417"
    )


  