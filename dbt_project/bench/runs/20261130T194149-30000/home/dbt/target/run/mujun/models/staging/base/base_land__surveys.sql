insert into "work"."staging"."base_land__surveys" ("_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "survey_id", "parcel_code", "parcel_code_invalid", "user_uscc", "user_uscc_invalid", "user_name", "occupied_m2", "surveyed_on", "_quarantine_reason")
    (
        select "_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "survey_id", "parcel_code", "parcel_code_invalid", "user_uscc", "user_uscc_invalid", "user_name", "occupied_m2", "surveyed_on", "_quarantine_reason"
        from "base_land__surveys__dbt_tmp20261130195426930830"
    )


  