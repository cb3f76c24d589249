-- Pool statistics per year, pool and indicator over the non-null values of the pool's
-- evaluated enterprises (rule-pack.md "Pool statistics"): the mean (derived
-- benchmarks), minimum and maximum (min–max scoring). Earlier years come from the
-- published history when the run did not compute them from landed data.
with scope as (

    select * from {{ ref('int_enterprise_scope') }}
    where evaluated

),

indicators as (

    select distinct pool_id, indicator_id from {{ source('rule_pack', 'rp_indicators') }}

),

history as (

    select * from {{ source('history', 'enterprise_years') }}
    where evaluated and rule_pack = {{ run_param('rule_pack') }}

),

computed as (

    select
        scope.year,
        scope.pool,
        indicators.indicator_id,
        {{ indicator_by_name('indicators.indicator_id', 'scope.') }} as value
    from scope
    inner join indicators on indicators.pool_id = scope.pool

),

published as (

    select
        history.year,
        history.pool,
        indicators.indicator_id,
        {{ indicator_by_name('indicators.indicator_id', 'history.') }} as value
    from history
    inner join indicators on indicators.pool_id = history.pool
    where history.year not in (select distinct year from scope)

),

final as (

    select
        year,
        pool,
        indicator_id,
        avg(value) as mean_value,
        min(value) as min_value,
        max(value) as max_value,
        count(value) as values_count
    from (select * from computed union all select * from published) as values_by_year
    group by year, pool, indicator_id

)

select * from final
