
    

    create  table
      "work"."intermediate"."int_land_uses__dbt_tmp"
  
    
    as (
      -- Every use of industrial land in the year, one row per parcel, enterprise and role,
-- signed in m² (rule-pack.md "Land"): the holder of a registered parcel (+), what it
-- lets (−, when the pack subtracts), what a tenant leases (+), what a survey finds on
-- de facto and (if the pack adds them) attached parcels (+), research land on the
-- reference list (−, when exempt). A reference link replaces every automatic user of
-- its parcel in the year by share × the parcel's area.
with parcels as (

    select * from "work"."staging"."stg_land__parcels"
    where is_industrial

),

leases as (

    select * from "work"."intermediate"."int_leases_checked"
    where accepted

),

surveys as (

    select * from "work"."staging"."stg_land__surveys"

),

pack as (

    select * from "work"."rule_pack"."rp_pack"

),

links as (

    select * from "work"."reference"."enterprise_parcel_links"

),

research_land as (

    select * from "work"."reference"."research_land"

),

held as (

    select
        year, parcel_code, holder_uscc as uscc, 'held' as role, area_m2,
        'land.parcels' as dataset, _snapshot_id as snapshot_id, parcel_code as record_key
    from parcels
    where kind = 'registered' and holder_uscc is not null

),

leased_out as (

    select
        leases.year, leases.parcel_code, leases.lessor_uscc as uscc, 'leased_out' as role,
        -leases.leased_land_m2 as area_m2,
        'land.leases' as dataset, leases._snapshot_id as snapshot_id, leases.lease_id as record_key
    from leases
    cross join pack
    where pack.count_leased_out = 'subtract' and leases.lessor_uscc is not null

),

leased_in as (

    select
        year, parcel_code, lessee_uscc as uscc, 'leased_in' as role, leased_land_m2 as area_m2,
        'land.leases' as dataset, _snapshot_id as snapshot_id, lease_id as record_key
    from leases
    where lessee_uscc is not null

),

latest_surveys as (

    select
        surveys.*,
        row_number() over (
            partition by surveys.year, surveys.parcel_code, surveys.user_uscc
            order by surveys.surveyed_on desc, surveys.survey_id desc
        ) as recency
    from surveys
    inner join parcels
        on parcels.parcel_code = surveys.parcel_code and parcels.year = surveys.year
    cross join pack
    where surveys.user_uscc is not null
      and (surveys.surveyed_on is null or surveys.surveyed_on <= cast(cast(surveys.year as varchar) || '-12-31' as date))
      and (parcels.kind = 'de_facto' or (parcels.kind = 'attached' and pack.attached_land = 'add'))

),

surveyed as (

    select
        year, parcel_code, user_uscc as uscc, 'surveyed' as role, occupied_m2 as area_m2,
        'land.surveys' as dataset, _snapshot_id as snapshot_id, survey_id as record_key
    from latest_surveys
    where recency = 1

),

users_land as (

    -- what each enterprise uses of each parcel before research land comes off
    select year, parcel_code, uscc, sum(area_m2) as area_m2
    from (select * from held union all select * from leased_out
          union all select * from leased_in union all select * from surveyed) as uses
    group by year, parcel_code, uscc

),

research as (

    -- never more than the user has there: a research list row for land the user does not
    -- use (a wrong code, a stale list) cannot make its land negative
    select
        parcels.year, research_land.parcel_code, research_land.uscc, 'research_land' as role,
        -least(research_land.area_m2, greatest(coalesce(users_land.area_m2, 0), 0)) as area_m2,
        'reference.research_land' as dataset, null as snapshot_id,
        research_land.parcel_code as record_key
    from research_land
    inner join parcels on parcels.parcel_code = research_land.parcel_code
    left join users_land
        on users_land.parcel_code = research_land.parcel_code
        and users_land.uscc = research_land.uscc and users_land.year = parcels.year
    cross join pack
    where pack.research_land_exempt

),

automatic as (

    -- one decimal type for every branch: a linked share × area keeps its decimals
    select year, parcel_code, uscc, role, cast(area_m2 as decimal(38, 8)) as area_m2, dataset,
        snapshot_id, record_key
    from held
    union all
    select year, parcel_code, uscc, role, cast(area_m2 as decimal(38, 8)) as area_m2, dataset,
        snapshot_id, record_key
    from leased_out
    union all
    select year, parcel_code, uscc, role, cast(area_m2 as decimal(38, 8)) as area_m2, dataset,
        snapshot_id, record_key
    from leased_in
    union all
    select year, parcel_code, uscc, role, cast(area_m2 as decimal(38, 8)) as area_m2, dataset,
        snapshot_id, record_key
    from surveyed
    union all
    select year, parcel_code, uscc, role, cast(area_m2 as decimal(38, 8)) as area_m2, dataset,
        snapshot_id, record_key
    from research
    

),

linked as (

    select
        parcels.year, parcels.parcel_code, links.uscc, 'reference_link' as role,
        cast(parcels.area_m2 * links.share as decimal(38, 8)) as area_m2,
        'reference.enterprise_parcel_links' as dataset, null as snapshot_id,
        links.parcel_code || ':' || links.uscc as record_key
    from links
    inner join parcels
        on parcels.parcel_code = links.parcel_code
        and (links.year_from is null or links.year_from <= parcels.year)
        and (links.year_to is null or links.year_to >= parcels.year)

),

final as (

    select automatic.*
    from automatic
    where not exists (
        select 1 from linked
        where linked.parcel_code = automatic.parcel_code and linked.year = automatic.year
    )
    union all
    select * from linked

)

select * from final
    );
    
  