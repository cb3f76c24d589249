insert into "work"."staging"."base_env__emissions" ("_dataset", "_period", "_snapshot_id", "_record_no", "_record_key", "uscc", "year", "pollutant", "tonnes", "basis", "_quarantine_reason")
    (
        select "_dataset", "_period", "_snapshot_id", "_record_no", "_record_key", "uscc", "year", "pollutant", "tonnes", "basis", "_quarantine_reason"
        from "base_env__emissions__dbt_tmp20261130195426478052"
    )


  