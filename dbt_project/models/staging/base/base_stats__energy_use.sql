{{ stage_landed('stats.energy_use', [
    {'name': 'uscc', 'type': 'uscc'},
    {'name': 'year', 'type': 'integer'},
    {'name': 'carrier', 'type': 'text'},
    {'name': 'quantity', 'type': 'decimal', 'scale': 4},
    {'name': 'unit', 'type': 'text'},
], key=['uscc', 'year', 'carrier', 'unit'],
   extra_checks=[{'when': "unit is null or unit not in ('m3', 't', 'kg', 'GJ')", 'reason': 'unknown_unit'}]) }}
