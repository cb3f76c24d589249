{{ stage_landed('tax.social_insurance', [
    {'name': 'uscc', 'type': 'uscc'},
    {'name': 'month', 'type': 'month'},
    {'name': 'employer_amount_yuan', 'type': 'decimal', 'scale': 2},
], key=['uscc', 'month']) }}
