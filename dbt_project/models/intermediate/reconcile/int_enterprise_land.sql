-- Land per enterprise and year: the area in the per-mu indicators and the land class
-- (苏州: I own & self-use, II own with leases, III tenant).
with uses as (

    select * from {{ ref('int_land_uses') }}

),

leases as (

    select * from {{ ref('int_leases_checked') }}
    where accepted

),

holders as (

    -- the holder of a registered industrial parcel holds land, whatever links say
    select distinct year, holder_uscc as uscc
    from {{ ref('stg_land__parcels') }}
    where is_industrial and kind = 'registered' and holder_uscc is not null

),

by_enterprise as (

    select
        year,
        uscc,
        sum(area_m2) as land_area_m2,
        sum(case when role = 'held' then area_m2 else 0 end) as held_m2,
        sum(case when role = 'leased_out' then -area_m2 else 0 end) as leased_out_m2,
        sum(case when role = 'leased_in' then area_m2 else 0 end) as leased_in_m2,
        sum(case when role = 'surveyed' then area_m2 else 0 end) as surveyed_m2,
        sum(case when role = 'research_land' then -area_m2 else 0 end) as research_land_m2,
        sum(case when role = 'reference_link' then area_m2 else 0 end) as linked_m2
    from uses
    group by year, uscc

),

lets as (

    -- a lessor lets land in the year whether or not the pack subtracts it
    select
        year,
        lessor_uscc as uscc,
        count(distinct lessee_uscc) as tenant_count
    from leases
    where lessor_uscc is not null
    group by year, lessor_uscc

),

final as (

    select
        by_enterprise.year,
        by_enterprise.uscc,
        by_enterprise.land_area_m2 * 0.0015 as land_area_mu,
        by_enterprise.held_m2 * 0.0015 as held_mu,
        by_enterprise.leased_out_m2 * 0.0015 as leased_out_mu,
        by_enterprise.leased_in_m2 * 0.0015 as leased_in_mu,
        by_enterprise.surveyed_m2 * 0.0015 as surveyed_mu,
        by_enterprise.research_land_m2 * 0.0015 as research_land_mu,
        by_enterprise.linked_m2 * 0.0015 as linked_mu,
        case
            -- nothing left for the per-mu indicators (all of it research land, or let)
            when by_enterprise.land_area_m2 <= 0 then 'no_land'
            when holders.uscc is not null and lets.uscc is null then 'own_self_use'
            when holders.uscc is not null then 'own_with_lease'
            when by_enterprise.leased_in_m2 > 0 or by_enterprise.surveyed_m2 > 0
                or by_enterprise.linked_m2 > 0 then 'tenant'
            else 'no_land'
        end as land_class,
        coalesce(lets.tenant_count, 0) as tenant_count
    from by_enterprise
    left join lets on lets.uscc = by_enterprise.uscc and lets.year = by_enterprise.year
    left join holders on holders.uscc = by_enterprise.uscc and holders.year = by_enterprise.year

)

select * from final
