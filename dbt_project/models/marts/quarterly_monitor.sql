-- Quarterly monitoring (南浔: tax/mu, VA/mu, output per kWh by industry, red/yellow/blue
-- lists), one row per evaluated enterprise, quarter and rule pack (marts.md). Figures
-- run from January to the quarter's end: the statistics' year-to-date values as
-- delivered, tax and kWh over the months of Q1…Qn, land from the quarter's registers;
-- nothing is annualised. An indicator's colour is the first of the pack's colours
-- whose `below_share_of_group_median` × the median of its industry group in its pool
-- exceeds the value (a colour without a share always applies); `colour` is the
-- earliest of the indicator colours. Empty in annual runs.
with scope as (

    select * from {{ ref('int_enterprise_scope') }}
    where evaluated and year = {{ run_param('year') }} and {{ run_param('run_kind') }} = 'quarterly'

),

quarterly as (

    select * from {{ ref('stg_stats__quarterly') }}
    where quarter = {{ run_param('quarter') }}

),

monitored as (

    select indicator_id, ordinal from {{ source('rule_pack', 'rp_quarterly_indicators') }}

),

colours as (

    select * from {{ source('rule_pack', 'rp_quarterly_colours') }}

),

figures as (

    -- the year-to-date statistics replace the annual ones
    select
        scope.* exclude (output_wan, value_added_wan, revenue_wan),
        quarterly.output_wan_ytd as output_wan,
        quarterly.value_added_wan_ytd as value_added_wan,
        quarterly.revenue_wan_ytd as revenue_wan
    from scope
    left join quarterly on quarterly.uscc = scope.uscc

),

indicators as (

    select
        figures.uscc,
        figures.year,
        figures.pool,
        figures.industry_group
        {%- for indicator in var('indicators') %},
        {{ safe_ratio('figures.' ~ indicator.num, 'figures.' ~ indicator.den, indicator.factor) }}
            as {{ indicator.id }}
        {%- endfor %}
    from figures

),

values_long as (

    select
        indicators.uscc,
        indicators.year,
        indicators.pool,
        indicators.industry_group,
        monitored.indicator_id,
        monitored.ordinal as indicator_ordinal,
        {{ indicator_by_name('monitored.indicator_id', 'indicators.') }} as value
    from indicators
    cross join monitored

),

medians as (

    select year, pool, industry_group, indicator_id, {{ median_of('value') }} as group_median
    from values_long
    where value is not null
    group by year, pool, industry_group, indicator_id

),

coloured as (

    select
        values_long.*,
        (
            select colours.colour from colours
            where colours.below_share is null
               or values_long.value < colours.below_share * medians.group_median
            order by colours.ordinal
            limit 1
        ) as colour,
        (
            select colours.ordinal from colours
            where colours.below_share is null
               or values_long.value < colours.below_share * medians.group_median
            order by colours.ordinal
            limit 1
        ) as colour_ordinal
    from values_long
    left join medians
        on medians.year = values_long.year and medians.pool = values_long.pool
        and medians.industry_group is not distinct from values_long.industry_group
        and medians.indicator_id = values_long.indicator_id

),

final as (

    select
        coloured.uscc,
        coloured.year,
        {{ run_param('quarter') }} as quarter,
        {{ run_param('rule_pack') }} as rule_pack,
        coloured.pool,
        coloured.industry_group
        {%- for indicator in var('indicators') %},
        max(case when coloured.indicator_id = '{{ indicator.id }}' then coloured.value end)
            as {{ indicator.id }}
        {%- endfor %}
        {%- for indicator in var('indicators') %},
        max(case when coloured.indicator_id = '{{ indicator.id }}' and coloured.value is not null
                 then coloured.colour end) as colour_{{ indicator.id }}
        {%- endfor %},
        {{ first_by('case when coloured.value is not null then coloured.colour end',
                    'case when coloured.value is not null then coloured.colour_ordinal end') }}
            as colour
    from coloured
    group by coloured.uscc, coloured.year, coloured.pool, coloured.industry_group

)

select * from final
