
    

    create  table
      "work"."intermediate"."int_enterprise_energy__dbt_tmp"
  
    
    as (
      -- Energy per enterprise and year (rule-pack.md "Energy"): electricity at the pack's
-- coefficient plus every accepted fuel, water and heat included as the application
-- form does; CO2 from electricity and from every carrier but water; water in t.
with fuels as (

    select * from "work"."intermediate"."int_energy_converted"
    where _quarantine_reason is null

),

electricity as (

    select * from "work"."intermediate"."int_enterprise_electricity"

),

master as (

    select uscc, year from "work"."intermediate"."int_enterprises_mastered"

),

pack as (

    select * from "work"."rule_pack"."rp_pack"

),

fuel_totals as (

    select
        year,
        uscc,
        sum(tce) as fuel_tce,
        sum(case when carrier <> 'water' then tce else 0 end) as fuel_tce_without_water,
        sum(case when carrier = 'water' and unit = 't' then quantity
                 when carrier = 'water' and unit = 'kg' then quantity * 0.001
                 else 0 end) as water_t
    from fuels
    group by year, uscc

),

final as (

    select
        master.year,
        master.uscc,
        coalesce(electricity.electricity_kwh, 0) as electricity_kwh,
        coalesce(electricity.estimated_kwh, 0) as estimated_kwh,
        cast(coalesce(electricity.electricity_kwh, 0) as double)
            * pack.electricity_kgce_per_kwh / 1000 as electricity_tce,
        coalesce(fuel_totals.fuel_tce, 0) as fuel_tce,
        cast(coalesce(electricity.electricity_kwh, 0) as double)
            * pack.electricity_kgce_per_kwh / 1000
            + coalesce(fuel_totals.fuel_tce, 0) as energy_tce,
        cast(coalesce(electricity.electricity_kwh, 0) as double) / 1000
            * pack.electricity_t_per_mwh
            + coalesce(fuel_totals.fuel_tce_without_water, 0) * pack.other_energy_t_per_tce
            as co2_t,
        coalesce(fuel_totals.water_t, 0) as water_t
    from master
    cross join pack
    left join electricity on electricity.uscc = master.uscc and electricity.year = master.year
    left join fuel_totals on fuel_totals.uscc = master.uscc and fuel_totals.year = master.year

)

select * from final
    );
    
  