insert into "work"."staging"."base_tax__social_insurance" ("_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "uscc", "month", "employer_amount_yuan", "_quarantine_reason")
    (
        select "_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "uscc", "month", "employer_amount_yuan", "_quarantine_reason"
        from "base_tax__social_insurance__dbt_tmp20261130195427782182"
    )


  