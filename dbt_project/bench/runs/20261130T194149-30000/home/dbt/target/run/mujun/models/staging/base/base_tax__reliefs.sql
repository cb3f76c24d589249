insert into "work"."staging"."base_tax__reliefs" ("_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "relief_id", "uscc", "month", "kind", "subkind", "amount_yuan", "_quarantine_reason")
    (
        select "_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "relief_id", "uscc", "month", "kind", "subkind", "amount_yuan", "_quarantine_reason"
        from "base_tax__reliefs__dbt_tmp20261130195427737271"
    )


  