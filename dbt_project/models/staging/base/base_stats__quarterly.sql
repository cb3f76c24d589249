{{ stage_landed('stats.quarterly', [
    {'name': 'uscc', 'type': 'uscc'},
    {'name': 'quarter', 'type': 'quarter'},
    {'name': 'output_k_ytd', 'type': 'decimal', 'scale': 3},
    {'name': 'revenue_k_ytd', 'type': 'decimal', 'scale': 3},
    {'name': 'value_added_k_ytd', 'type': 'decimal', 'scale': 3},
], key=['uscc', 'quarter']) }}
