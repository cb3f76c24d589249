{{ stage_landed('env.incidents', [
    {'name': 'incident_id', 'type': 'text'},
    {'name': 'uscc', 'type': 'uscc'},
    {'name': 'date', 'type': 'date'},
    {'name': 'category', 'type': 'text'},
    {'name': 'severity', 'type': 'text'},
], key=['incident_id']) }}
