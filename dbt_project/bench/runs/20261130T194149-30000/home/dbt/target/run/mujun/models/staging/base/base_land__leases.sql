insert into "work"."staging"."base_land__leases" ("_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "lease_id", "parcel_code", "parcel_code_invalid", "lessor_uscc", "lessor_uscc_invalid", "lessee_uscc", "lessee_uscc_invalid", "lessee_name", "leased_land_m2", "start_date", "end_date", "_quarantine_reason")
    (
        select "_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "lease_id", "parcel_code", "parcel_code_invalid", "lessor_uscc", "lessor_uscc_invalid", "lessee_uscc", "lessee_uscc_invalid", "lessee_name", "leased_land_m2", "start_date", "end_date", "_quarantine_reason"
        from "base_land__leases__dbt_tmp20261130195426651755"
    )


  