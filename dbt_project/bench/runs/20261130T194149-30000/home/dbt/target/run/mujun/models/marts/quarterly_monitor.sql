
    

    create  table
      "work"."marts"."quarterly_monitor__dbt_tmp"
  
    
    as (
      -- Quarterly monitoring (南浔: tax/mu, VA/mu, output per kWh by industry, red/yellow/blue
-- lists), one row per evaluated enterprise, quarter and rule pack (marts.md). Figures
-- run from January to the quarter's end: the statistics' year-to-date values as
-- delivered, tax and kWh over the months of Q1…Qn, land from the quarter's registers;
-- nothing is annualised. An indicator's colour is the first of the pack's colours
-- whose `below_share_of_group_median` × the median of its industry group in its pool
-- exceeds the value (a colour without a share always applies); `colour` is the
-- earliest of the indicator colours. Empty in annual runs.
with scope as (

    select * from "work"."intermediate"."int_enterprise_scope"
    where evaluated and year = 2024 and 'quarterly' = 'quarterly'

),

quarterly as (

    select * from "work"."staging"."stg_stats__quarterly"
    where quarter = '2024Q3'

),

monitored as (

    select indicator_id, ordinal from "work"."rule_pack"."rp_quarterly_indicators"

),

colours as (

    select * from "work"."rule_pack"."rp_quarterly_colours"

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
        figures.industry_group,
        case when figures.land_area_mu is not null and figures.land_area_mu <> 0
         then 1 * cast(figures.tax_restored_wan as double) / cast(figures.land_area_mu as double) end
            as tax_per_mu,
        case when figures.land_area_mu is not null and figures.land_area_mu <> 0
         then 1 * cast(figures.value_added_wan as double) / cast(figures.land_area_mu as double) end
            as value_added_per_mu,
        case when figures.land_area_mu is not null and figures.land_area_mu <> 0
         then 1 * cast(figures.output_wan as double) / cast(figures.land_area_mu as double) end
            as output_per_mu,
        case when figures.land_area_mu is not null and figures.land_area_mu <> 0
         then 1 * cast(figures.revenue_wan as double) / cast(figures.land_area_mu as double) end
            as revenue_per_mu,
        case when figures.employees_avg is not null and figures.employees_avg <> 0
         then 1 * cast(figures.value_added_wan as double) / cast(figures.employees_avg as double) end
            as labour_productivity,
        case when figures.employees_avg is not null and figures.employees_avg <> 0
         then 1 * cast(figures.revenue_wan as double) / cast(figures.employees_avg as double) end
            as revenue_per_employee,
        case when figures.revenue_wan is not null and figures.revenue_wan <> 0
         then 1 * cast(figures.rd_expense_wan as double) / cast(figures.revenue_wan as double) end
            as rd_share,
        case when figures.energy_tce is not null and figures.energy_tce <> 0
         then 1 * cast(figures.value_added_wan as double) / cast(figures.energy_tce as double) end
            as value_added_per_tce,
        case when figures.energy_tce is not null and figures.energy_tce <> 0
         then 1 * cast(figures.output_wan as double) / cast(figures.energy_tce as double) end
            as output_per_tce,
        case when figures.energy_tce is not null and figures.energy_tce <> 0
         then 1 * cast(figures.revenue_wan as double) / cast(figures.energy_tce as double) end
            as revenue_per_tce,
        case when figures.electricity_tce is not null and figures.electricity_tce <> 0
         then 1 * cast(figures.revenue_wan as double) / cast(figures.electricity_tce as double) end
            as revenue_per_tce_electricity,
        case when figures.electricity_kwh is not null and figures.electricity_kwh <> 0
         then 10000 * cast(figures.output_wan as double) / cast(figures.electricity_kwh as double) end
            as output_per_kwh,
        case when figures.emissions_t is not null and figures.emissions_t <> 0
         then 1 * cast(figures.value_added_wan as double) / cast(figures.emissions_t as double) end
            as value_added_per_emission_t,
        case when figures.employees_avg is not null and figures.employees_avg <> 0
         then 1 * cast(figures.degree_staff as double) / cast(figures.employees_avg as double) end
            as talent_density,
        case when figures.co2_t is not null and figures.co2_t <> 0
         then 1 * cast(figures.value_added_wan as double) / cast(figures.co2_t as double) end
            as value_added_per_co2_t,
        case when figures.electricity_kwh is not null and figures.electricity_kwh <> 0
         then 10000 * cast(figures.tax_restored_wan as double) / cast(figures.electricity_kwh as double) end
            as tax_per_kwh,
        case when figures.energy_tce is not null and figures.energy_tce <> 0
         then 1 * cast(figures.tax_restored_wan as double) / cast(figures.energy_tce as double) end
            as tax_per_tce,
        case when figures.emissions_t is not null and figures.emissions_t <> 0
         then 1 * cast(figures.revenue_wan as double) / cast(figures.emissions_t as double) end
            as revenue_per_emission_t,
        case when figures.emissions_t is not null and figures.emissions_t <> 0
         then 1 * cast(figures.tax_restored_wan as double) / cast(figures.emissions_t as double) end
            as tax_per_emission_t,
        case when figures.water_t is not null and figures.water_t <> 0
         then 1 * cast(figures.value_added_wan as double) / cast(figures.water_t as double) end
            as value_added_per_water_t
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
        case monitored.indicator_id
        when 'tax_per_mu' then indicators.tax_per_mu
        when 'value_added_per_mu' then indicators.value_added_per_mu
        when 'output_per_mu' then indicators.output_per_mu
        when 'revenue_per_mu' then indicators.revenue_per_mu
        when 'labour_productivity' then indicators.labour_productivity
        when 'revenue_per_employee' then indicators.revenue_per_employee
        when 'rd_share' then indicators.rd_share
        when 'value_added_per_tce' then indicators.value_added_per_tce
        when 'output_per_tce' then indicators.output_per_tce
        when 'revenue_per_tce' then indicators.revenue_per_tce
        when 'revenue_per_tce_electricity' then indicators.revenue_per_tce_electricity
        when 'output_per_kwh' then indicators.output_per_kwh
        when 'value_added_per_emission_t' then indicators.value_added_per_emission_t
        when 'talent_density' then indicators.talent_density
        when 'value_added_per_co2_t' then indicators.value_added_per_co2_t
        when 'tax_per_kwh' then indicators.tax_per_kwh
        when 'tax_per_tce' then indicators.tax_per_tce
        when 'revenue_per_emission_t' then indicators.revenue_per_emission_t
        when 'tax_per_emission_t' then indicators.tax_per_emission_t
        when 'value_added_per_water_t' then indicators.value_added_per_water_t
    end as value
    from indicators
    cross join monitored

),

medians as (

    select year, pool, industry_group, indicator_id, quantile_cont(value, 0.5) as group_median
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
        '2024Q3' as quarter,
        'huzhou-3.0' as rule_pack,
        coloured.pool,
        coloured.industry_group,
        max(case when coloured.indicator_id = 'tax_per_mu' then coloured.value end)
            as tax_per_mu,
        max(case when coloured.indicator_id = 'value_added_per_mu' then coloured.value end)
            as value_added_per_mu,
        max(case when coloured.indicator_id = 'output_per_mu' then coloured.value end)
            as output_per_mu,
        max(case when coloured.indicator_id = 'revenue_per_mu' then coloured.value end)
            as revenue_per_mu,
        max(case when coloured.indicator_id = 'labour_productivity' then coloured.value end)
            as labour_productivity,
        max(case when coloured.indicator_id = 'revenue_per_employee' then coloured.value end)
            as revenue_per_employee,
        max(case when coloured.indicator_id = 'rd_share' then coloured.value end)
            as rd_share,
        max(case when coloured.indicator_id = 'value_added_per_tce' then coloured.value end)
            as value_added_per_tce,
        max(case when coloured.indicator_id = 'output_per_tce' then coloured.value end)
            as output_per_tce,
        max(case when coloured.indicator_id = 'revenue_per_tce' then coloured.value end)
            as revenue_per_tce,
        max(case when coloured.indicator_id = 'revenue_per_tce_electricity' then coloured.value end)
            as revenue_per_tce_electricity,
        max(case when coloured.indicator_id = 'output_per_kwh' then coloured.value end)
            as output_per_kwh,
        max(case when coloured.indicator_id = 'value_added_per_emission_t' then coloured.value end)
            as value_added_per_emission_t,
        max(case when coloured.indicator_id = 'talent_density' then coloured.value end)
            as talent_density,
        max(case when coloured.indicator_id = 'value_added_per_co2_t' then coloured.value end)
            as value_added_per_co2_t,
        max(case when coloured.indicator_id = 'tax_per_kwh' then coloured.value end)
            as tax_per_kwh,
        max(case when coloured.indicator_id = 'tax_per_tce' then coloured.value end)
            as tax_per_tce,
        max(case when coloured.indicator_id = 'revenue_per_emission_t' then coloured.value end)
            as revenue_per_emission_t,
        max(case when coloured.indicator_id = 'tax_per_emission_t' then coloured.value end)
            as tax_per_emission_t,
        max(case when coloured.indicator_id = 'value_added_per_water_t' then coloured.value end)
            as value_added_per_water_t,
        max(case when coloured.indicator_id = 'tax_per_mu' and coloured.value is not null
                 then coloured.colour end) as colour_tax_per_mu,
        max(case when coloured.indicator_id = 'value_added_per_mu' and coloured.value is not null
                 then coloured.colour end) as colour_value_added_per_mu,
        max(case when coloured.indicator_id = 'output_per_mu' and coloured.value is not null
                 then coloured.colour end) as colour_output_per_mu,
        max(case when coloured.indicator_id = 'revenue_per_mu' and coloured.value is not null
                 then coloured.colour end) as colour_revenue_per_mu,
        max(case when coloured.indicator_id = 'labour_productivity' and coloured.value is not null
                 then coloured.colour end) as colour_labour_productivity,
        max(case when coloured.indicator_id = 'revenue_per_employee' and coloured.value is not null
                 then coloured.colour end) as colour_revenue_per_employee,
        max(case when coloured.indicator_id = 'rd_share' and coloured.value is not null
                 then coloured.colour end) as colour_rd_share,
        max(case when coloured.indicator_id = 'value_added_per_tce' and coloured.value is not null
                 then coloured.colour end) as colour_value_added_per_tce,
        max(case when coloured.indicator_id = 'output_per_tce' and coloured.value is not null
                 then coloured.colour end) as colour_output_per_tce,
        max(case when coloured.indicator_id = 'revenue_per_tce' and coloured.value is not null
                 then coloured.colour end) as colour_revenue_per_tce,
        max(case when coloured.indicator_id = 'revenue_per_tce_electricity' and coloured.value is not null
                 then coloured.colour end) as colour_revenue_per_tce_electricity,
        max(case when coloured.indicator_id = 'output_per_kwh' and coloured.value is not null
                 then coloured.colour end) as colour_output_per_kwh,
        max(case when coloured.indicator_id = 'value_added_per_emission_t' and coloured.value is not null
                 then coloured.colour end) as colour_value_added_per_emission_t,
        max(case when coloured.indicator_id = 'talent_density' and coloured.value is not null
                 then coloured.colour end) as colour_talent_density,
        max(case when coloured.indicator_id = 'value_added_per_co2_t' and coloured.value is not null
                 then coloured.colour end) as colour_value_added_per_co2_t,
        max(case when coloured.indicator_id = 'tax_per_kwh' and coloured.value is not null
                 then coloured.colour end) as colour_tax_per_kwh,
        max(case when coloured.indicator_id = 'tax_per_tce' and coloured.value is not null
                 then coloured.colour end) as colour_tax_per_tce,
        max(case when coloured.indicator_id = 'revenue_per_emission_t' and coloured.value is not null
                 then coloured.colour end) as colour_revenue_per_emission_t,
        max(case when coloured.indicator_id = 'tax_per_emission_t' and coloured.value is not null
                 then coloured.colour end) as colour_tax_per_emission_t,
        max(case when coloured.indicator_id = 'value_added_per_water_t' and coloured.value is not null
                 then coloured.colour end) as colour_value_added_per_water_t,
        arg_min(case when coloured.value is not null then coloured.colour end, case when coloured.value is not null then coloured.colour_ordinal end)
            as colour
    from coloured
    group by coloured.uscc, coloured.year, coloured.pool, coloured.industry_group

)

select * from final
    );
    
  