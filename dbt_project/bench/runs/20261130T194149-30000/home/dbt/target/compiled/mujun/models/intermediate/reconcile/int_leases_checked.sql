-- Leases of industrial parcels that overlap the year (no pro-rating). Leases of one
-- parcel to one lessee count once, at the largest area; then, in order of start_date
-- and lease_id, a lease that would push the parcel's leased area above its own is
-- refused (`lease_exceeds_parcel`, rule-pack.md "Land"). A walk, not a running sum:
-- a refused lease does not use up room a later, smaller one may still fit in.
with recursive leases as (

    select * from "work"."staging"."stg_land__leases"

),

parcels as (

    select * from "work"."staging"."stg_land__parcels"
    where is_industrial

),

overlapping as (

    select leases.*
    from leases
    where (leases.start_date is null or leases.start_date <= cast(cast(leases.year as varchar) || '-12-31' as date))
      and (leases.end_date is null or leases.end_date >= cast(cast(leases.year as varchar) || '-01-01' as date))

),

merged as (

    select
        *,
        row_number() over (
            partition by year, parcel_code, coalesce(lessee_uscc, 'lease:' || lease_id)
            order by leased_land_m2 desc, lease_id
        ) as merge_rank
    from overlapping

),

ordered as (

    select
        merged.*,
        parcels.area_m2 as parcel_area_m2,
        row_number() over (
            partition by merged.year, merged.parcel_code
            order by merged.start_date nulls first, merged.lease_id
        ) as seq
    from merged
    inner join parcels
        on parcels.parcel_code = merged.parcel_code and parcels.year = merged.year
    where merged.merge_rank = 1

),

walk as (

    select
        year, parcel_code, seq, lease_id,
        leased_land_m2 <= parcel_area_m2 as accepted,
        case when leased_land_m2 <= parcel_area_m2 then leased_land_m2 else 0 end as leased_so_far_m2
    from ordered
    where seq = 1

    union all

    select
        ordered.year, ordered.parcel_code, ordered.seq, ordered.lease_id,
        walk.leased_so_far_m2 + ordered.leased_land_m2 <= ordered.parcel_area_m2,
        case when walk.leased_so_far_m2 + ordered.leased_land_m2 <= ordered.parcel_area_m2
             then walk.leased_so_far_m2 + ordered.leased_land_m2 else walk.leased_so_far_m2 end
    from walk
    inner join ordered
        on ordered.year = walk.year
        and ordered.parcel_code = walk.parcel_code
        and ordered.seq = walk.seq + 1

),

final as (

    select
        ordered.year,
        ordered.lease_id,
        ordered.parcel_code,
        ordered.lessor_uscc,
        ordered.lessee_uscc,
        ordered.lessee_name,
        ordered.leased_land_m2,
        ordered.parcel_area_m2,
        ordered.start_date,
        ordered.end_date,
        walk.accepted,
        ordered._snapshot_id,
        ordered._record_no
    from ordered
    inner join walk
        on walk.year = ordered.year and walk.lease_id = ordered.lease_id
        and walk.parcel_code = ordered.parcel_code

)

select * from final