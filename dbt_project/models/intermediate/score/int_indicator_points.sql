-- Points per evaluated enterprise and indicator of its pool's list (rule-pack.md
-- "Score"), in the order the semantics fix: the method's points (`ratio`: weight ×
-- value/benchmark floored and capped; `minmax`: weight × (20 + 80 × position in the
-- pool's range) / 100), then the shortfall penalty (倒扣分) for enterprises meeting
-- its `when`, then `missing` for a null value, then an `applies_to` coefficient.
with scope as (

    select * from {{ ref('int_enterprise_scope') }}
    where evaluated and year = {{ run_param('year') }}

),

pack as (

    select * from {{ source('rule_pack', 'rp_pack') }}

),

indicators as (

    select * from {{ source('rule_pack', 'rp_indicators') }}

),

benchmarks as (

    select * from {{ source('rule_pack', 'rp_benchmarks') }}

),

stats as (

    select * from {{ ref('int_pool_indicator_stats') }}

),

shortfall as (

    select shortfall.indicator_id, conditions.uscc, conditions.year
    from {{ source('rule_pack', 'rp_shortfall') }} as shortfall
    inner join {{ ref('int_conditions_evaluated') }} as conditions
        on conditions.condition_id = shortfall.condition_id and conditions.holds

),

coefficients as (

    select * from {{ ref('int_enterprise_coefficients') }}
    where applies_to is not null

),

valued as (

    select
        scope.uscc,
        scope.year,
        scope.pool,
        scope.industry_group,
        indicators.indicator_id,
        indicators.ordinal,
        indicators.weight,
        indicators.benchmark_kind,
        indicators.mean_of,
        indicators.multiple,
        {{ indicator_by_name('indicators.indicator_id', 'scope.') }} as value
    from scope
    inner join indicators on indicators.pool_id = scope.pool

),

benchmarked as (

    select
        valued.*,
        this_year.min_value,
        this_year.max_value,
        coalesce(this_year.values_count, 0) as values_count,
        case valued.benchmark_kind
            when 'fixed' then coalesce(by_group.value, by_default.value)
            else valued.multiple * case valued.mean_of
                when 'this_year' then this_year.mean_value
                else prior_year.mean_value
            end
        end as benchmark
    from valued
    left join stats as this_year
        on this_year.year = valued.year and this_year.pool = valued.pool
        and this_year.indicator_id = valued.indicator_id
    left join stats as prior_year
        on prior_year.year = valued.year - 1 and prior_year.pool = valued.pool
        and prior_year.indicator_id = valued.indicator_id
    left join benchmarks as by_group
        on by_group.pool_id = valued.pool and by_group.indicator_id = valued.indicator_id
        and by_group.industry_group = valued.industry_group
    left join benchmarks as by_default
        on by_default.pool_id = valued.pool and by_default.indicator_id = valued.indicator_id
        and by_default.industry_group = 'default'

),

method_points as (

    select
        benchmarked.*,
        {{ safe_ratio('benchmarked.value', 'benchmarked.benchmark') }} as ratio_to_benchmark,
        case
            when pack.scoring_method = 'minmax' then
                case when benchmarked.max_value = benchmarked.min_value then benchmarked.weight
                     else benchmarked.weight * (20 + 80 * (benchmarked.value - benchmarked.min_value)
                          / (benchmarked.max_value - benchmarked.min_value)) / 100
                end
            else benchmarked.weight * least(
                greatest({{ safe_ratio('benchmarked.value', 'benchmarked.benchmark') }},
                         coalesce(pack.ratio_floor, 0)),
                coalesce(pack.ratio_cap, cast('infinity' as double)))
        end * case when benchmarked.value is null then null else 1 end as method_points,
        shortfall.uscc is not null as shortfall_applies
    from benchmarked
    cross join pack
    left join shortfall
        on shortfall.uscc = benchmarked.uscc and shortfall.year = benchmarked.year
        and shortfall.indicator_id = benchmarked.indicator_id

),

penalised as (

    select
        *,
        case
            when shortfall_applies and value is not null then
                -weight * (1 - least({{ safe_ratio('value', 'benchmark') }}, 1))
            else method_points
        end as penalised_points
    from method_points

),

missing_handled as (

    select
        penalised.*,
        case
            when penalised.values_count = 0 then 0
            when penalised.penalised_points is not null then penalised.penalised_points
            when pack.scoring_missing = 'zero' then 0
            when pack.scoring_missing = 'pool_mean' then avg(penalised.penalised_points) over (
                partition by penalised.year, penalised.pool, penalised.indicator_id)
        end as filled_points,
        pack.scoring_missing
    from penalised
    cross join pack

),

coefficient_applied as (

    select
        missing_handled.*,
        coalesce(coefficients.factor, 1) as applies_to_factor,
        missing_handled.filled_points * coalesce(coefficients.factor, 1) as coefficient_points
    from missing_handled
    left join (
        select uscc, year, applies_to, {{ product_of('factor') }} as factor
        from coefficients group by uscc, year, applies_to
    ) as coefficients
        on coefficients.uscc = missing_handled.uscc and coefficients.year = missing_handled.year
        and coefficients.applies_to = missing_handled.indicator_id

),

final as (

    -- `exclude`: the others re-weighted to the same total
    select
        *,
        case when scoring_missing = 'exclude' then
            coefficient_points * sum(weight) over (partition by uscc, year)
            / nullif(sum(case when coefficient_points is not null then weight end)
                     over (partition by uscc, year), 0)
        else coefficient_points end as points
    from coefficient_applied

)

select * from final
