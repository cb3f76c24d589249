{{ stage_landed('land.surveys', [
    {'name': 'survey_id', 'type': 'text'},
    {'name': 'parcel_code', 'type': 'parcel_ref'},
    {'name': 'user_uscc', 'type': 'uscc_ref'},
    {'name': 'user_name', 'type': 'text'},
    {'name': 'occupied_m2', 'type': 'decimal', 'scale': 2, 'non_negative': true},
    {'name': 'surveyed_on', 'type': 'date'},
], key=['survey_id']) }}
