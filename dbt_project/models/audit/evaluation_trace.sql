-- For each enterprise and year, every step from source rows to grade (marts.md
-- "audit.evaluation_trace"): which raw record (source, dataset, snapshot id, record
-- key) contributed which amount to which figure, every restoration item, split share
-- and override, each indicator with value, benchmark and points, every grade rule
-- tested and whether it fired. `mujun explain` prints it.
with payments as (

    select * from {{ ref('stg_tax__payments') }} where year = {{ run_param('year') }}

),

pack as (

    select * from {{ source('rule_pack', 'rp_pack') }}

),

master as (

    select * from {{ ref('int_enterprises_mastered') }} where year = {{ run_param('year') }}

),

land as (

    select uscc, 1 as step_no, 'land' as step, 'land_area_mu' as figure, role as item,
        dataset, snapshot_id, record_key, cast(area_m2 * 0.0015 as double) as amount,
        cast(null as varchar) as detail
    from {{ ref('int_land_uses') }}
    where year = {{ run_param('year') }} and uscc is not null

),

tax_paid as (

    select uscc, 2, 'tax', 'tax_paid_wan', 'payment:' || tax_type, 'tax.payments',
        _snapshot_id, voucher_id, cast(amount_yuan * 0.0001 as double), month
    from payments

),

reliefs as (

    select reliefs.uscc, 2, 'tax', 'tax_restored_wan',
        'relief:' || reliefs.kind || coalesce('.' || reliefs.subkind, ''), 'tax.reliefs',
        reliefs._snapshot_id, reliefs.relief_id, cast(reliefs.amount_yuan * 0.0001 as double),
        reliefs.month
    from {{ ref('stg_tax__reliefs') }} as reliefs
    where reliefs.year = {{ run_param('year') }}
      and exists (
          select 1 from {{ source('rule_pack', 'rp_restoration_add_back') }} as add_back
          where add_back.kind = reliefs.kind
            and (add_back.subkind is null or add_back.subkind = reliefs.subkind)
      )

),

restoration_other as (

    select uscc, 2, 'tax', 'tax_restored_wan', item,
        case when item = 'high_tech_cit' then 'tax.payments' else 'tax.social_insurance' end,
        cast(null as varchar), cast(null as varchar), cast(amount_yuan * 0.0001 as double),
        case when item = 'high_tech_cit'
             then 'CIT × (' || cast(pack.high_tech_restore_rate as varchar) || ' / '
                  || cast(pack.high_tech_paid_rate as varchar) || ' − 1)' end
    from {{ ref('int_tax_restoration_items') }}
    cross join pack
    where year = {{ run_param('year') }} and item in ('high_tech_cit', 'social_insurance_employer')

),

electricity as (

    select links.uscc, 3, 'electricity', 'electricity_kwh', links.link_method,
        'grid.consumption', consumption._snapshot_id,
        consumption.account_no || '|' || consumption.month,
        cast(consumption.kwh * links.share as double),
        'share ' || cast(links.share as varchar) || ', ' || consumption.reading
    from {{ ref('stg_grid__consumption') }} as consumption
    inner join {{ ref('int_accounts_linked') }} as links
        on links.account_no = consumption.account_no and links.year = consumption.year
    where consumption.year = {{ run_param('year') }} and links.uscc is not null

),

fuels as (

    select uscc, 4, 'energy', 'energy_tce', carrier, 'stats.energy_use', _snapshot_id,
        uscc || '|' || cast(year as varchar) || '|' || carrier || '|' || unit, tce,
        cast(quantity as varchar) || ' ' || unit || ' → ' || cast(quantity_in_coefficient_unit as varchar)
            || ' ' || coefficient_unit || ' × ' || cast(kgce_per_unit as varchar) || ' kgce'
    from {{ ref('int_energy_converted') }}
    where year = {{ run_param('year') }} and _quarantine_reason is null

),

electricity_energy as (

    select uscc, 4, 'energy', 'energy_tce', 'electricity', 'grid.consumption',
        cast(null as varchar), cast(null as varchar), electricity_tce,
        cast(electricity_kwh as varchar) || ' kWh × ' || cast(pack.electricity_kgce_per_kwh as varchar)
            || ' kgce/kWh'
    from {{ ref('int_enterprise_energy') }}
    cross join pack
    where year = {{ run_param('year') }}

),

emissions as (

    select uscc, 5, 'emissions', 'emissions_t', pollutant || ':' || basis, 'env.emissions',
        _snapshot_id, uscc || '|' || cast(year as varchar) || '|' || pollutant || '|' || basis,
        cast(tonnes as double), cast(null as varchar)
    from (
        select *, row_number() over (
            partition by year, uscc, pollutant
            order by case when basis = 'monitoring' then 0 else 1 end) as preference
        from {{ ref('stg_env__emissions') }}
        where pollutant in ('COD', 'NH3N', 'SO2', 'NOX') and year = {{ run_param('year') }}
    ) as ranked
    where preference = 1

),

statistics as (

    {%- for figure in ['output_wan', 'value_added_wan', 'revenue_wan', 'rd_expense_wan', 'employees_avg'] %}
    select uscc, 6, 'statistics', '{{ figure }}', 'reported', 'stats.annual', _snapshot_id,
        uscc || '|' || cast(year as varchar), cast({{ figure }} as double), cast(null as varchar)
    from {{ ref('stg_stats__annual') }}
    where year = {{ run_param('year') }}
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

objections as (

    select {{ normalise_code('uscc') }}, 7, 'objection', figure, 'corrected', 'reference.objections',
        cast(null as varchar), cast(year as varchar) || '|' || figure, cast(corrected_value as double),
        'original ' || coalesce(cast(original_value as varchar), 'null') || ', approved by '
            || approved_by || coalesce(' on ' || cast(approved_on as varchar), '')
            || ', evidence: ' || coalesce(evidence, '')
    from {{ source('reference', 'objections') }}
    where year = {{ run_param('year') }} and approved_by is not null

),

indicators as (

    select uscc, 8, 'indicator', indicator_id, pool, cast(null as varchar), cast(null as varchar),
        cast(null as varchar), points,
        'value ' || coalesce(cast(value as varchar), 'null') || ', benchmark '
            || coalesce(cast(benchmark as varchar), 'null') || ', weight ' || cast(weight as varchar)
            || case when shortfall_applies then ', shortfall penalty' else '' end
            || case when applies_to_factor <> 1 then ', coefficient ' || cast(applies_to_factor as varchar) else '' end
            || case when value is null then ', missing: ' || scoring_missing else '' end
    from {{ ref('int_indicator_points') }}

),

coefficients as (

    select uscc, 9, 'score', 'coefficient', coefficient_id, cast(null as varchar),
        cast(null as varchar), cast(null as varchar), factor,
        metric || ' = ' || coalesce(cast(metric_value as varchar), 'null')
            || coalesce(', applies to ' || applies_to, ', multiplies the total')
    from {{ ref('int_enterprise_coefficients') }}

),

bonuses as (

    select conditions.uscc, 9, 'score', 'bonus', bonuses.bonus_id, cast(null as varchar),
        cast(null as varchar), cast(null as varchar), bonuses.points, cast(null as varchar)
    from {{ source('rule_pack', 'rp_bonuses') }} as bonuses
    inner join {{ ref('int_conditions_evaluated') }} as conditions
        on conditions.condition_id = bonuses.condition_id and conditions.holds
    where conditions.year = {{ run_param('year') }}

),

ranks as (

    select uscc, 10, 'rank', 'score_total', pool, cast(null as varchar), cast(null as varchar),
        cast(null as varchar), score_total,
        'rank ' || cast(rank_in_pool as varchar) || ' of ' || cast(pool_size as varchar)
            || ', percentile ' || cast(percentile_in_pool as varchar) || ', bands give '
            || grade_by_score
    from {{ ref('int_enterprise_ranked') }}

),

rules as (

    select uscc, 11, 'grade_rule', kind, rule_id, cast(null as varchar), cast(null as varchar),
        cast(null as varchar), cast(ordinal as double),
        case when holds then 'fired' else 'not fired' end
            || coalesce(', grade ' || rule_grade, '') || coalesce(', steps ' || cast(steps as varchar), '')
    from {{ ref('int_grade_rules_tested') }}

),

grades as (

    select uscc, 12, 'grade', 'grade', grade, cast(null as varchar), cast(null as varchar),
        cast(null as varchar), cast(null as double),
        coalesce('not graded (' || not_graded_id || '), treated as ' || grade_for_policy, 'final')
    from {{ ref('int_enterprise_graded') }}

),

scope as (

    select uscc, 0, 'scope', 'evaluated', coalesce(pool, ''), 'stats.enterprises', _snapshot_id,
        uscc, cast(null as double),
        case when evaluated then 'evaluated in pool ' || pool else 'not evaluated: ' || exclusion_reason end
    from {{ ref('int_enterprise_scope') }} as scope
    inner join (select uscc as u, _snapshot_id from master) as register on register.u = scope.uscc
    where scope.year = {{ run_param('year') }}

),

all_steps as (

    select * from land
    union all select * from scope
    union all select * from tax_paid
    union all select * from reliefs
    union all select * from restoration_other
    union all select * from electricity
    union all select * from fuels
    union all select * from electricity_energy
    union all select * from emissions
    union all select * from statistics
    union all select * from objections
    union all select * from indicators
    union all select * from coefficients
    union all select * from bonuses
    union all select * from ranks
    union all select * from rules
    union all select * from grades

),

final as (

    select
        uscc,
        {{ run_param('year') }} as year,
        {{ run_param('rule_pack') }} as rule_pack,
        step_no,
        step,
        figure,
        item,
        split_part(dataset, '.', 1) as source,
        dataset,
        snapshot_id,
        record_key,
        amount,
        detail
    from all_steps

)

select * from final
