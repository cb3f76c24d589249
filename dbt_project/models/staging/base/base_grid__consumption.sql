-- An actual reading beats an estimated one for the same account and month (feeds.md).
{{ stage_landed('grid.consumption', [
    {'name': 'account_no', 'type': 'account'},
    {'name': 'month', 'type': 'month'},
    {'name': 'kwh', 'type': 'decimal', 'scale': 3},
    {'name': 'reading', 'type': 'text'},
], key=['account_no', 'month'], dedup_order="case when reading = 'actual' then 0 else 1 end, _record_no") }}
