{{ stage_landed('land.leases', [
    {'name': 'lease_id', 'type': 'text'},
    {'name': 'parcel_code', 'type': 'parcel_ref'},
    {'name': 'lessor_uscc', 'type': 'uscc_ref'},
    {'name': 'lessee_uscc', 'type': 'uscc_ref'},
    {'name': 'lessee_name', 'type': 'text'},
    {'name': 'leased_land_m2', 'type': 'decimal', 'scale': 2, 'non_negative': true},
    {'name': 'start_date', 'type': 'date'},
    {'name': 'end_date', 'type': 'date'},
], key=['lease_id']) }}
