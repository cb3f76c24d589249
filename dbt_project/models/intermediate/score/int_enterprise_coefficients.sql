-- Each of the pack's coefficients per evaluated enterprise: the first matching tier's
-- `x`, or none (rule-pack.md "scoring.coefficients", 临沭's R&D spend tiers).
with scope as (

    select * from {{ ref('int_enterprise_scope') }}
    where evaluated and year = {{ run_param('year') }}

),

tiers as (

    select * from {{ source('rule_pack', 'rp_coefficients') }}

),

matching as (

    select
        scope.uscc,
        scope.year,
        tiers.coefficient_id,
        tiers.metric,
        tiers.applies_to,
        tiers.tier_ordinal,
        tiers.x as factor,
        {{ metric_by_name('tiers.metric', 'scope.') }} as metric_value,
        row_number() over (
            partition by scope.uscc, scope.year, tiers.coefficient_id order by tiers.tier_ordinal
        ) as tier_rank
    from scope
    cross join tiers
    where coalesce({{ compare(metric_by_name('tiers.metric', 'scope.'), 'tiers.op', 'tiers.bound') }}, false)

),

final as (

    select uscc, year, coefficient_id, metric, applies_to, tier_ordinal, metric_value, factor
    from matching
    where tier_rank = 1

)

select * from final
