-- Enterprises meeting the pack's low-efficiency rules (湖州 ≤ 6 万/mu above scale,
-- 嘉善 three years in a row): a rule with `years: n` holds when its condition held in
-- the year and in each of the n − 1 years before, by this pack's evaluations.
with rules as (

    select * from {{ source('rule_pack', 'rp_low_efficiency') }}

),

held as (

    select uscc, year, condition_id from {{ ref('int_conditions_evaluated') }} where holds
    union
    select uscc, year, condition_id from {{ ref('int_history_conditions') }} where holds

),

this_year as (

    select held.uscc, held.year, rules.rule_id, rules.condition_id, rules.years as years_needed
    from held
    inner join rules on rules.condition_id = held.condition_id
    where held.year = {{ run_param('year') }}

),

qualifying_years as (

    select this_year.uscc, this_year.year, this_year.rule_id, this_year.years_needed,
        earlier.year as qualifying_year
    from this_year
    inner join held as earlier
        on earlier.uscc = this_year.uscc and earlier.condition_id = this_year.condition_id
        and earlier.year between this_year.year - this_year.years_needed + 1 and this_year.year

),

holding as (

    select uscc, year, rule_id, {{ ordered_list('qualifying_year', 'qualifying_year') }} as years
    from qualifying_years
    group by uscc, year, rule_id, years_needed
    having count(distinct qualifying_year) = years_needed

),

tested_metrics as (

    select distinct rules.rule_id, conditions.metric
    from rules
    inner join {{ source('rule_pack', 'rp_conditions') }} as conditions
        on conditions.condition_id = rules.condition_id and conditions.metric is not null

),

metric_values as (

    select holding.uscc, holding.year, holding.rule_id,
        {{ json_object_agg('tested_metrics.metric',
                           metric_by_name('tested_metrics.metric', 'scope.')) }} as metrics
    from holding
    inner join {{ ref('int_enterprise_scope') }} as scope
        on scope.uscc = holding.uscc and scope.year = holding.year
    inner join tested_metrics on tested_metrics.rule_id = holding.rule_id
    group by holding.uscc, holding.year, holding.rule_id

),

final as (

    select
        holding.uscc,
        holding.year,
        {{ run_param('rule_pack') }} as rule_pack,
        holding.rule_id,
        coalesce(metric_values.metrics, json_object()) as metrics,
        cast(holding.years as integer[]) as years
    from holding
    left join metric_values
        on metric_values.uscc = holding.uscc and metric_values.year = holding.year
        and metric_values.rule_id = holding.rule_id

)

select * from final
