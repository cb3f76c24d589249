
    

    create  table
      "work"."intermediate"."int_enterprise_emissions__dbt_tmp"
  
    
    as (
      -- Main pollutants per enterprise and year: COD, NH3-N, SO2 and NOx in tonnes, the
-- monitoring figure winning over the permit report per pollutant (feeds.md).
with emissions as (

    select * from "work"."staging"."stg_env__emissions"
    where pollutant in ('COD', 'NH3N', 'SO2', 'NOX')

),

preferred as (

    select
        *,
        row_number() over (
            partition by year, uscc, pollutant
            order by case when basis = 'monitoring' then 0 else 1 end
        ) as preference
    from emissions

),

final as (

    select year, uscc, sum(tonnes) as emissions_t
    from preferred
    where preference = 1
    group by year, uscc

)

select * from final
    );
    
  