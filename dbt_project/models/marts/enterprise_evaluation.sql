-- One row per enterprise, year and rule pack (marts.md): base figures, every
-- indicator of the vocabulary (null where the pack neither scores nor tests it),
-- points per indicator, score, rank, grades and why. Exempt and out-of-scope
-- enterprises keep their row, with the reason.
with scope as (

    select * from {{ ref('int_enterprise_scope') }}
    where year = {{ run_param('year') }}

),

points as (

    select * from {{ ref('int_indicator_points') }}

),

scores as (

    select * from {{ ref('int_enterprise_ranked') }}

),

graded as (

    select * from {{ ref('int_enterprise_graded') }}

),

used_indicators as (

    select indicator_id from {{ source('rule_pack', 'rp_indicators') }}
    union
    select metric from {{ source('rule_pack', 'rp_conditions') }} where metric is not null
    union
    select metric from {{ source('rule_pack', 'rp_coefficients') }}

),

points_wide as (

    select
        uscc,
        year
        {%- for indicator in var('indicators') %},
        max(case when indicator_id = '{{ indicator.id }}' then points end) as score_{{ indicator.id }}
        {%- endfor %}
    from points
    group by uscc, year

),

final as (

    select
        scope.uscc,
        scope.enterprise_name,
        scope.year,
        {{ run_param('rule_pack') }} as rule_pack,
        scope.pool,
        scope.industry_code,
        scope.industry_group,
        scope.division_code,
        scope.park,
        scope.above_scale,
        scope.high_tech,
        scope.land_class,
        scope.land_area_mu,
        scope.tax_paid_wan,
        scope.tax_restored_wan,
        scope.output_wan,
        scope.value_added_wan,
        scope.revenue_wan,
        scope.rd_expense_wan,
        scope.employees_avg,
        scope.electricity_kwh,
        scope.energy_tce,
        scope.emissions_t,
        scope.co2_t,
        scope.water_t,
        scope.years_open,
        scope.tenant_count,
        scope.rd_staff,
        scope.degree_staff,
        {%- for indicator in var('indicators') %}
        case when '{{ indicator.id }}' in (select indicator_id from used_indicators)
             then scope.{{ indicator.id }} end as {{ indicator.id }},
        {%- endfor %}
        {%- for indicator in var('indicators') %}
        points_wide.score_{{ indicator.id }},
        {%- endfor %}
        scores.score_total,
        scores.rank_in_pool,
        scores.percentile_in_pool,
        scores.grade_by_score,
        graded.grade,
        coalesce(graded.grade_reasons, {{ empty_list() }}) as grade_reasons,
        scope.evaluated,
        scope.exclusion_reason
    from scope
    left join points_wide on points_wide.uscc = scope.uscc and points_wide.year = scope.year
    left join scores on scores.uscc = scope.uscc and scores.year = scope.year
    left join graded on graded.uscc = scope.uscc and graded.year = scope.year

)

select * from final
