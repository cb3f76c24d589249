-- One row per industrial parcel (marts.md): who uses it and with what share (held
-- less let, leased in, surveyed, ÷ the parcel's area; the rest goes to the holder so
-- shares sum to 1), the restored tax and output attributed to it (each enterprise's
-- split over its parcels by its land on each), tax per mu and, if the pack grades
-- parcels, its grade (余杭's parcel map).
with parcels as (

    select * from {{ ref('stg_land__parcels') }}
    where is_industrial and year = {{ run_param('year') }}

),

uses as (

    select parcel_code, year, uscc, sum(area_m2) as net_m2
    from {{ ref('int_land_uses') }}
    where year = {{ run_param('year') }}
    group by parcel_code, year, uscc
    having sum(area_m2) > 0

),

figures as (

    select uscc, year, tax_restored_wan, output_wan
    from {{ ref('int_enterprise_scope') }}
    where year = {{ run_param('year') }}

),

bands as (

    select * from {{ source('rule_pack', 'rp_grade_bands') }}
    where band_scope = 'parcel'

),

enterprise_land as (

    select uscc, year, sum(net_m2) as total_m2 from uses group by uscc, year

),

non_holder_shares as (

    select
        uses.parcel_code,
        uses.uscc,
        cast(uses.net_m2 as double) / cast(parcels.area_m2 as double) as share
    from uses
    inner join parcels on parcels.parcel_code = uses.parcel_code
    where uses.uscc is distinct from parcels.holder_uscc

),

holder_shares as (

    select
        parcels.parcel_code,
        parcels.holder_uscc as uscc,
        1 - coalesce(sum(non_holder_shares.share), 0) as share
    from parcels
    left join non_holder_shares on non_holder_shares.parcel_code = parcels.parcel_code
    group by parcels.parcel_code, parcels.holder_uscc

),

users as (

    select parcel_code,
        {{ share_list('uscc', 'share', 'share desc, uscc') }} as users
    from (
        select * from non_holder_shares
        union all
        select * from holder_shares where share > 0 or uscc is not null
    ) as all_shares
    group by parcel_code

),

attributed as (

    select
        uses.parcel_code,
        sum(figures.tax_restored_wan * uses.net_m2 / enterprise_land.total_m2) as tax_restored_wan,
        sum(figures.output_wan * uses.net_m2 / enterprise_land.total_m2) as output_wan
    from uses
    inner join enterprise_land on enterprise_land.uscc = uses.uscc and enterprise_land.year = uses.year
    inner join figures on figures.uscc = uses.uscc and figures.year = uses.year
    group by uses.parcel_code

),

measured as (

    select
        parcels.parcel_code,
        parcels.kind,
        parcels.land_use,
        parcels.area_mu,
        parcels.holder_uscc,
        parcels.division_code,
        parcels.park,
        parcels.geometry,
        users.users,
        coalesce(attributed.tax_restored_wan, 0) as tax_restored_wan,
        attributed.output_wan,
        {{ safe_ratio('coalesce(attributed.tax_restored_wan, 0)', 'parcels.area_mu') }} as tax_per_mu
    from parcels
    left join users on users.parcel_code = parcels.parcel_code
    left join attributed on attributed.parcel_code = parcels.parcel_code

),

graded as (

    select
        measured.parcel_code,
        bands.grade,
        row_number() over (partition by measured.parcel_code order by bands.ordinal) as preference
    from measured
    inner join bands
        on cast(bands.from_score as decimal(38, 6)) <= cast(round(measured.tax_per_mu, 6) as decimal(38, 6))

),

worst_band as (

    select grade from bands where ordinal = (select max(ordinal) from bands)

),

final as (

    select
        measured.parcel_code,
        {{ run_param('year') }} as year,
        {{ run_param('rule_pack') }} as rule_pack,
        measured.kind,
        measured.land_use,
        measured.area_mu,
        measured.holder_uscc,
        measured.division_code,
        measured.park,
        measured.users,
        measured.tax_restored_wan,
        measured.output_wan,
        measured.tax_per_mu,
        case when exists (select 1 from bands)
             then coalesce(graded.grade, (select grade from worst_band)) end as grade,
        measured.geometry
    from measured
    left join graded on graded.parcel_code = measured.parcel_code and graded.preference = 1

)

select * from final
