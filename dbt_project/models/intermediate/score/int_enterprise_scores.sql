-- score_total = (Σ indicator points) × Π coefficients without `applies_to`
--             + Σ bonus points, each bonus at most once (rule-pack.md "Score").
with points as (

    select * from {{ ref('int_indicator_points') }}

),

scope as (

    select * from {{ ref('int_enterprise_scope') }}
    where evaluated and year = {{ run_param('year') }}

),

total_coefficients as (

    select uscc, year, {{ product_of('factor') }} as factor
    from {{ ref('int_enterprise_coefficients') }}
    where applies_to is null
    group by uscc, year

),

bonuses as (

    select conditions.uscc, conditions.year, sum(bonuses.points) as bonus_points
    from {{ source('rule_pack', 'rp_bonuses') }} as bonuses
    inner join {{ ref('int_conditions_evaluated') }} as conditions
        on conditions.condition_id = bonuses.condition_id and conditions.holds
    where conditions.year = {{ run_param('year') }}
    group by conditions.uscc, conditions.year

),

indicator_totals as (

    select uscc, year, sum(points) as points_sum
    from points
    group by uscc, year

),

final as (

    select
        scope.uscc,
        scope.year,
        scope.pool,
        coalesce(indicator_totals.points_sum, 0) as points_sum,
        coalesce(total_coefficients.factor, 1) as coefficient_factor,
        coalesce(bonuses.bonus_points, 0) as bonus_points,
        coalesce(indicator_totals.points_sum, 0) * coalesce(total_coefficients.factor, 1)
            + coalesce(bonuses.bonus_points, 0) as score_total
    from scope
    left join indicator_totals
        on indicator_totals.uscc = scope.uscc and indicator_totals.year = scope.year
    left join total_coefficients
        on total_coefficients.uscc = scope.uscc and total_coefficients.year = scope.year
    left join bonuses on bonuses.uscc = scope.uscc and bonuses.year = scope.year

)

select * from final
