{{ stage_landed('tax.payments', [
    {'name': 'voucher_id', 'type': 'text'},
    {'name': 'uscc', 'type': 'uscc'},
    {'name': 'month', 'type': 'month'},
    {'name': 'tax_type', 'type': 'text'},
    {'name': 'amount_yuan', 'type': 'decimal', 'scale': 2},
], key=['voucher_id']) }}
