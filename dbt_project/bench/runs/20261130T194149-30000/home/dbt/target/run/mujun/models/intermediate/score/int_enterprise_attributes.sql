
    

    create  table
      "work"."intermediate"."int_enterprise_attributes__dbt_tmp"
  
    
    as (
      -- One wide row per enterprise and year with everything a condition can test except
-- the pool: master attributes, base figures after objections, every indicator.
with master as (

    select * from "work"."intermediate"."int_enterprises_mastered"

),

indicators as (

    select * from "work"."intermediate"."int_enterprise_indicators"

),

final as (

    select
        master.uscc,
        master.year,
        master.enterprise_name,
        master.industry_code,
        master.industry_major,
        master.industry_group,
        master.above_scale,
        master.high_tech,
        master.deregistered,
        master.division_code,
        master.park,
        master.opened_on,
        indicators.* exclude (uscc, year)
    from master
    inner join indicators on indicators.uscc = master.uscc and indicators.year = master.year

)

select * from final
    );
    
  