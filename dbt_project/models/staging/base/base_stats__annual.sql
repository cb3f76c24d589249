{{ stage_landed('stats.annual', [
    {'name': 'uscc', 'type': 'uscc'},
    {'name': 'year', 'type': 'integer'},
    {'name': 'output_k', 'type': 'decimal', 'scale': 3},
    {'name': 'value_added_k', 'type': 'decimal', 'scale': 3},
    {'name': 'revenue_k', 'type': 'decimal', 'scale': 3},
    {'name': 'rd_expense_k', 'type': 'decimal', 'scale': 3},
    {'name': 'employees_avg', 'type': 'decimal', 'scale': 2},
    {'name': 'rd_staff', 'type': 'decimal', 'scale': 2},
    {'name': 'degree_staff', 'type': 'decimal', 'scale': 2},
    {'name': 'energy_tce_reported', 'type': 'decimal', 'scale': 4},
], key=['uscc', 'year']) }}
