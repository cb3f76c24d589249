-- kWh per enterprise and year: each account's monthly readings times the enterprise's
-- share of that account. Estimated readings count like actual ones and are traced.
with consumption as (

    select * from "work"."staging"."stg_grid__consumption"

),

links as (

    select * from "work"."intermediate"."int_accounts_linked"
    where uscc is not null

),

final as (

    select
        links.year,
        links.uscc,
        sum(consumption.kwh * links.share) as electricity_kwh,
        sum(case when consumption.reading = 'estimated' then consumption.kwh * links.share
                 else 0 end) as estimated_kwh,
        count(distinct links.account_no) as accounts
    from consumption
    inner join links
        on links.account_no = consumption.account_no and links.year = consumption.year
    group by links.year, links.uscc

)

select * from final