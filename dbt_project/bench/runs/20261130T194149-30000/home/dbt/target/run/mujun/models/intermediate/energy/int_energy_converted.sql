
    

    create  table
      "work"."intermediate"."int_energy_converted__dbt_tmp"
  
    
    as (
      -- Each fuel quantity in its coefficient's unit and in tce (rule-pack.md "Energy"):
-- the pipeline converts t ↔ kg only; a carrier the pack has no coefficient for is
-- refused as `unknown_carrier`, a quantity in another unit as `unit_mismatch`. The
-- application form multiplies tonnes by kg coefficients (a unit slip, DOMAIN.md):
-- here every quantity is converted first.
with energy_use as (

    select * from "work"."staging"."stg_stats__energy_use"

),

coefficients as (

    select * from "work"."rule_pack"."rp_energy_coefficients"

),

converted as (

    select
        energy_use.*,
        coefficients.unit as coefficient_unit,
        coefficients.kgce as kgce_per_unit,
        case
            when coefficients.carrier is null then null
            when energy_use.unit = coefficients.unit then energy_use.quantity
            when energy_use.unit = 't' and coefficients.unit = 'kg' then energy_use.quantity * 1000
            when energy_use.unit = 'kg' and coefficients.unit = 't' then energy_use.quantity * 0.001
        end as quantity_in_coefficient_unit
    from energy_use
    left join coefficients on coefficients.carrier = energy_use.carrier

),

final as (

    select
        *,
        cast(quantity_in_coefficient_unit as double) * kgce_per_unit / 1000 as tce,
        case
            when coefficient_unit is null then 'unknown_carrier'
            when quantity_in_coefficient_unit is null then 'unit_mismatch'
        end as _quarantine_reason
    from converted

)

select * from final
    );
    
  