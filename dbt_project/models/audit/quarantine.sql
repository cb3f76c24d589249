-- Every record of a snapshot in use that failed typing or validation, whole, with its
-- reason (marts.md "audit.*"): the staging checks of every dataset, then the rule
-- pack's own (leases larger than their parcel, fuels the pack cannot convert).
{%- set datasets = var('landed_datasets') %}
with lease_rejects as (

    select _snapshot_id, _record_no, 'lease_exceeds_parcel' as reason
    from {{ ref('int_leases_checked') }}
    where not accepted

),

energy_rejects as (

    select _snapshot_id, _record_no, _quarantine_reason as reason
    from {{ ref('int_energy_converted') }}
    where _quarantine_reason is not null

),

all_rejects as (

    -- the whole landed record comes back from landing for the (few) refused ones
    {%- for dataset in datasets %}
    {%- set extra = 'lease_rejects' if dataset == 'land__leases'
                    else ('energy_rejects' if dataset == 'stats__energy_use' else none) %}
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        {{ landed_record_json(source('landing', dataset), 'landed') }} as _record,
        coalesce(base._quarantine_reason{{ ', refused.reason' if extra }}) as _quarantine_reason
    from {{ ref('base_' ~ dataset) }} as base
    {%- if extra %}
    left join {{ extra }} as refused
        on refused._snapshot_id = base._snapshot_id and refused._record_no = base._record_no
    {%- endif %}
    inner join {{ source('landing', dataset) }} as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null{{ ' or refused.reason is not null' if extra }}
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

final as (

    select
        {{ run_param('year') }} as year,
        {{ run_param('quarter') }} as quarter,
        {{ run_param('rule_pack') }} as rule_pack,
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
