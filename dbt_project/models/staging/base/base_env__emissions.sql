{{ stage_landed('env.emissions', [
    {'name': 'uscc', 'type': 'uscc'},
    {'name': 'year', 'type': 'integer'},
    {'name': 'pollutant', 'type': 'text'},
    {'name': 'tonnes', 'type': 'decimal', 'scale': 6},
    {'name': 'basis', 'type': 'text'},
], key=['uscc', 'year', 'pollutant', 'basis']) }}
