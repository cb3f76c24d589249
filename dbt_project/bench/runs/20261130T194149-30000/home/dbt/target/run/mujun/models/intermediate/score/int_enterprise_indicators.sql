
    

    create  table
      "work"."intermediate"."int_enterprise_indicators__dbt_tmp"
  
    
    as (
      -- Every indicator of the vocabulary per enterprise and year: factor × numerator /
-- denominator, null when the denominator is zero or null (rule-pack.md).
with figures as (

    select * from "work"."intermediate"."int_enterprise_figures_adjusted"

),

final as (

    select
        figures.*,
        case when land_area_mu is not null and land_area_mu <> 0
         then 1 * cast(tax_restored_wan as double) / cast(land_area_mu as double) end as tax_per_mu,
        case when land_area_mu is not null and land_area_mu <> 0
         then 1 * cast(value_added_wan as double) / cast(land_area_mu as double) end as value_added_per_mu,
        case when land_area_mu is not null and land_area_mu <> 0
         then 1 * cast(output_wan as double) / cast(land_area_mu as double) end as output_per_mu,
        case when land_area_mu is not null and land_area_mu <> 0
         then 1 * cast(revenue_wan as double) / cast(land_area_mu as double) end as revenue_per_mu,
        case when employees_avg is not null and employees_avg <> 0
         then 1 * cast(value_added_wan as double) / cast(employees_avg as double) end as labour_productivity,
        case when employees_avg is not null and employees_avg <> 0
         then 1 * cast(revenue_wan as double) / cast(employees_avg as double) end as revenue_per_employee,
        case when revenue_wan is not null and revenue_wan <> 0
         then 1 * cast(rd_expense_wan as double) / cast(revenue_wan as double) end as rd_share,
        case when energy_tce is not null and energy_tce <> 0
         then 1 * cast(value_added_wan as double) / cast(energy_tce as double) end as value_added_per_tce,
        case when energy_tce is not null and energy_tce <> 0
         then 1 * cast(output_wan as double) / cast(energy_tce as double) end as output_per_tce,
        case when energy_tce is not null and energy_tce <> 0
         then 1 * cast(revenue_wan as double) / cast(energy_tce as double) end as revenue_per_tce,
        case when electricity_tce is not null and electricity_tce <> 0
         then 1 * cast(revenue_wan as double) / cast(electricity_tce as double) end as revenue_per_tce_electricity,
        case when electricity_kwh is not null and electricity_kwh <> 0
         then 10000 * cast(output_wan as double) / cast(electricity_kwh as double) end as output_per_kwh,
        case when emissions_t is not null and emissions_t <> 0
         then 1 * cast(value_added_wan as double) / cast(emissions_t as double) end as value_added_per_emission_t,
        case when employees_avg is not null and employees_avg <> 0
         then 1 * cast(degree_staff as double) / cast(employees_avg as double) end as talent_density,
        case when co2_t is not null and co2_t <> 0
         then 1 * cast(value_added_wan as double) / cast(co2_t as double) end as value_added_per_co2_t,
        case when electricity_kwh is not null and electricity_kwh <> 0
         then 10000 * cast(tax_restored_wan as double) / cast(electricity_kwh as double) end as tax_per_kwh,
        case when energy_tce is not null and energy_tce <> 0
         then 1 * cast(tax_restored_wan as double) / cast(energy_tce as double) end as tax_per_tce,
        case when emissions_t is not null and emissions_t <> 0
         then 1 * cast(revenue_wan as double) / cast(emissions_t as double) end as revenue_per_emission_t,
        case when emissions_t is not null and emissions_t <> 0
         then 1 * cast(tax_restored_wan as double) / cast(emissions_t as double) end as tax_per_emission_t,
        case when water_t is not null and water_t <> 0
         then 1 * cast(value_added_wan as double) / cast(water_t as double) end as value_added_per_water_t
    from figures

)

select * from final
    );
    
  