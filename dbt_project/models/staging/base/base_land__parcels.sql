{{ stage_landed('land.parcels', [
    {'name': 'parcel_code', 'type': 'parcel'},
    {'name': 'kind', 'type': 'text'},
    {'name': 'attached_to', 'type': 'parcel_ref'},
    {'name': 'land_use', 'type': 'text'},
    {'name': 'area_m2', 'type': 'decimal', 'scale': 2, 'non_negative': true},
    {'name': 'holder_uscc', 'type': 'uscc_ref'},
    {'name': 'holder_name', 'type': 'text'},
    {'name': 'division_code', 'type': 'text'},
    {'name': 'park', 'type': 'text'},
    {'name': 'geometry', 'type': 'json'},
    {'name': 'registered_on', 'type': 'date'},
], key=['parcel_code']) }}
