insert into "work"."staging"."base_env__incidents" ("_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "incident_id", "uscc", "date", "category", "severity", "_quarantine_reason")
    (
        select "_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "incident_id", "uscc", "date", "category", "severity", "_quarantine_reason"
        from "base_env__incidents__dbt_tmp20261130195426482494"
    )


  