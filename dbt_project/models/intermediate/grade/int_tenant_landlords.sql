-- The landlord of each lessee: the enterprise it leases the most land from in the
-- year (leases overlapping the year, merged as under Land; tie: the smaller USCC),
-- for `follow_landlord` (江山: a tenant below scale takes its landlord's grade).
with leases as (

    select * from {{ ref('int_leases_checked') }}
    where accepted and lessee_uscc is not null and lessor_uscc is not null
      and lessee_uscc <> lessor_uscc

),

by_landlord as (

    select year, lessee_uscc, lessor_uscc, sum(leased_land_m2) as leased_m2
    from leases
    group by year, lessee_uscc, lessor_uscc

),

ranked as (

    select
        *,
        row_number() over (
            partition by year, lessee_uscc order by leased_m2 desc, lessor_uscc
        ) as preference
    from by_landlord

)

select year, lessee_uscc as uscc, lessor_uscc as landlord_uscc, leased_m2
from ranked
where preference = 1
