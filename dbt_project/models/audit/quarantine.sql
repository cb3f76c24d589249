-- Every record of a snapshot in use that failed typing or validation, whole, with its
-- reason (marts.md "audit.*"): the staging checks of every dataset, then the rule
-- pack's own (leases larger than their parcel, fuels the pack cannot convert).
{%- set datasets = ['tax__taxpayers', 'tax__payments', 'tax__reliefs', 'tax__social_insurance',
    'land__parcels', 'land__leases', 'land__surveys', 'stats__enterprises', 'stats__annual',
    'stats__energy_use', 'stats__quarterly', 'grid__accounts', 'grid__consumption',
    'env__emissions', 'env__incidents'] %}
with staging_rejects as (

    {%- for dataset in datasets %}
    select _dataset, _period, _snapshot_id, _record_no, _record_key, _record, _quarantine_reason
    from {{ ref('base_' ~ dataset) }}
    where _quarantine_reason is not null
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

lease_rejects as (

    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        base._record, 'lease_exceeds_parcel' as _quarantine_reason
    from {{ ref('int_leases_checked') }} as leases
    inner join {{ ref('base_land__leases') }} as base
        on base._snapshot_id = leases._snapshot_id and base._record_no = leases._record_no
    where not leases.accepted

),

energy_rejects as (

    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        base._record, energy._quarantine_reason
    from {{ ref('int_energy_converted') }} as energy
    inner join {{ ref('base_stats__energy_use') }} as base
        on base._snapshot_id = energy._snapshot_id and base._record_no = energy._record_no
    where energy._quarantine_reason is not null

),

all_rejects as (

    select * from staging_rejects
    union all select * from lease_rejects
    union all select * from energy_rejects

),

final as (

    select
        {{ var('year') }} as year,
        {{ "'" ~ var('quarter') ~ "'" if var('quarter') else 'cast(null as varchar)' }} as quarter,
        '{{ var("rule_pack") }}' as rule_pack,
        split_part(_dataset, '.', 1) as source,
        _dataset as dataset,
        _period as period,
        _snapshot_id as snapshot_id,
        _record_no as record_no,
        _record_key as record_key,
        _record as record,
        _quarantine_reason as reason
    from all_rejects

)

select * from final
