insert into "work"."staging"."base_grid__consumption" ("_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "account_no", "month", "kwh", "reading", "_quarantine_reason")
    (
        select "_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "account_no", "month", "kwh", "reading", "_quarantine_reason"
        from "base_grid__consumption__dbt_tmp20261130195426484892"
    )


  