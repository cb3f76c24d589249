
    

    create  table
      "work"."intermediate"."int_enterprise_figures__dbt_tmp"
  
    
    as (
      -- The base figures of the vocabulary per enterprise and year, before objections.
-- Figures over no records are 0 (tax, kWh, fuels, emissions, land); statistics
-- keep the source's null (rule-pack.md "Base figures over no records").
with master as (

    select * from "work"."intermediate"."int_enterprises_mastered"

),

land as (

    select * from "work"."intermediate"."int_enterprise_land"

),

tax as (

    select * from "work"."intermediate"."int_enterprise_tax"

),

annual as (

    select * from "work"."staging"."stg_stats__annual"

),

energy as (

    select * from "work"."intermediate"."int_enterprise_energy"

),

emissions as (

    select * from "work"."intermediate"."int_enterprise_emissions"

),

final as (

    select
        master.uscc,
        master.year,
        coalesce(land.land_area_mu, 0) as land_area_mu,
        coalesce(land.land_class, 'no_land') as land_class,
        coalesce(tax.tax_paid_wan, 0) as tax_paid_wan,
        coalesce(tax.tax_restored_wan, 0) as tax_restored_wan,
        annual.output_wan,
        annual.value_added_wan,
        annual.revenue_wan,
        annual.rd_expense_wan,
        annual.employees_avg,
        annual.rd_staff,
        annual.degree_staff,
        annual.energy_tce_reported,
        energy.electricity_kwh,
        energy.estimated_kwh,
        energy.electricity_tce,
        energy.energy_tce,
        coalesce(emissions.emissions_t, 0) as emissions_t,
        energy.co2_t,
        energy.water_t,
        coalesce(land.tenant_count, 0) as tenant_count,
        master.years_open
    from master
    left join land on land.uscc = master.uscc and land.year = master.year
    left join tax on tax.uscc = master.uscc and tax.year = master.year
    left join annual on annual.uscc = master.uscc and annual.year = master.year
    left join energy on energy.uscc = master.uscc and energy.year = master.year
    left join emissions on emissions.uscc = master.uscc and emissions.year = master.year

)

select * from final
    );
    
  