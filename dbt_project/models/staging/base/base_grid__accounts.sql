{{ stage_landed('grid.accounts', [
    {'name': 'account_no', 'type': 'account'},
    {'name': 'holder_name', 'type': 'text'},
    {'name': 'holder_uscc', 'type': 'uscc_ref'},
    {'name': 'parcel_code', 'type': 'parcel_ref'},
    {'name': 'address', 'type': 'text'},
    {'name': 'transformer_id', 'type': 'text'},
    {'name': 'opened_on', 'type': 'date'},
    {'name': 'closed_on', 'type': 'date'},
], key=['account_no']) }}
