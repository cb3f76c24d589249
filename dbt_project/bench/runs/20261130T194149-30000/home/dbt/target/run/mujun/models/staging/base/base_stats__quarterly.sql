insert into "work"."staging"."base_stats__quarterly" ("_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "uscc", "quarter", "output_k_ytd", "revenue_k_ytd", "value_added_k_ytd", "_quarantine_reason")
    (
        select "_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "uscc", "quarter", "output_k_ytd", "revenue_k_ytd", "value_added_k_ytd", "_quarantine_reason"
        from "base_stats__quarterly__dbt_tmp20261130195427626884"
    )


  