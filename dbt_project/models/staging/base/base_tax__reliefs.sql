{{ stage_landed('tax.reliefs', [
    {'name': 'relief_id', 'type': 'text'},
    {'name': 'uscc', 'type': 'uscc'},
    {'name': 'month', 'type': 'month'},
    {'name': 'kind', 'type': 'text'},
    {'name': 'subkind', 'type': 'text'},
    {'name': 'amount_yuan', 'type': 'decimal', 'scale': 2},
], key=['relief_id']) }}
