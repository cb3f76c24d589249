insert into "work"."staging"."base_tax__payments" ("_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "voucher_id", "uscc", "month", "tax_type", "amount_yuan", "_quarantine_reason")
    (
        select "_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "voucher_id", "uscc", "month", "tax_type", "amount_yuan", "_quarantine_reason"
        from "base_tax__payments__dbt_tmp20261130195427714333"
    )


  