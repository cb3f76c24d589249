{{ stage_landed('tax.taxpayers', [
    {'name': 'uscc', 'type': 'uscc'},
    {'name': 'name', 'type': 'text'},
    {'name': 'high_tech', 'type': 'flag'},
    {'name': 'high_tech_valid_from', 'type': 'date'},
    {'name': 'high_tech_valid_to', 'type': 'date'},
    {'name': 'status', 'type': 'text'},
], key=['uscc']) }}
