insert into "work"."staging"."base_land__parcels" ("_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "parcel_code", "kind", "attached_to", "attached_to_invalid", "land_use", "area_m2", "holder_uscc", "holder_uscc_invalid", "holder_name", "division_code", "park", "geometry", "registered_on", "_quarantine_reason")
    (
        select "_dataset", "_period", "year", "_snapshot_id", "_record_no", "_record_key", "parcel_code", "kind", "attached_to", "attached_to_invalid", "land_use", "area_m2", "holder_uscc", "holder_uscc_invalid", "holder_name", "division_code", "park", "geometry", "registered_on", "_quarantine_reason"
        from "base_land__parcels__dbt_tmp20261130195426818683"
    )


  