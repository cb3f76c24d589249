insert into "work"."staging"."base_tax__taxpayers" ("_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "uscc", "name", "high_tech", "high_tech_valid_from", "high_tech_valid_to", "status", "_quarantine_reason")
    (
        select "_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "uscc", "name", "high_tech", "high_tech_valid_from", "high_tech_valid_to", "status", "_quarantine_reason"
        from "base_tax__taxpayers__dbt_tmp20261130195428226742"
    )


  