insert into "work"."staging"."base_grid__accounts" ("_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "account_no", "holder_name", "holder_uscc", "holder_uscc_invalid", "parcel_code", "parcel_code_invalid", "address", "transformer_id", "opened_on", "closed_on", "_quarantine_reason")
    (
        select "_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "account_no", "holder_name", "holder_uscc", "holder_uscc_invalid", "parcel_code", "parcel_code_invalid", "address", "transformer_id", "opened_on", "closed_on", "_quarantine_reason"
        from "base_grid__accounts__dbt_tmp20261130195426480391"
    )


  