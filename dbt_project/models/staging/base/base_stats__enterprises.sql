{{ stage_landed('stats.enterprises', [
    {'name': 'uscc', 'type': 'uscc'},
    {'name': 'name', 'type': 'text'},
    {'name': 'industry_code', 'type': 'text'},
    {'name': 'above_scale', 'type': 'flag'},
    {'name': 'division_code', 'type': 'text'},
    {'name': 'park', 'type': 'text'},
    {'name': 'group_uscc', 'type': 'uscc_ref'},
    {'name': 'opened_on', 'type': 'date'},
], key=['uscc']) }}
