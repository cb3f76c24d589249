-- How the run's inputs reconcile (marts.md "audit.reconciliation"). Rows with
-- item = 'records': one per dataset and snapshot read, landed = staged + quarantined.
-- Other items: link coverage (matched of total) and reference rows that matched
-- nothing, with up to 20 of their keys in `detail`.
{%- set datasets = var('landed_datasets') %}
with landed_rows as (

    {%- for dataset in datasets %}
    select '{{ dataset | replace("__", ".") }}' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from {{ source('landing', dataset) }}
    group by _snapshot_id
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

landed as (

    -- one row per snapshot read, an empty one too (0 = 0 + 0)
    select snapshots.dataset, snapshots.snapshot_id, coalesce(landed_rows.landed, 0) as landed
    from {{ source('landing', 'snapshots') }} as snapshots
    left join landed_rows
        on landed_rows.dataset = snapshots.dataset
        and landed_rows.snapshot_id = snapshots.snapshot_id

),

passed_staging as (

    {%- for dataset in datasets %}
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from {{ ref('base_' ~ dataset) }}
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

quarantined as (

    select dataset, snapshot_id, count(*) as quarantined,
        count(case when reason in ('lease_exceeds_parcel', 'unknown_carrier', 'unit_mismatch')
                   then 1 end) as refused_by_pack
    from {{ ref('quarantine') }}
    group by dataset, snapshot_id

),

records as (

    select
        landed.dataset,
        landed.snapshot_id,
        'records' as item,
        landed.landed,
        coalesce(passed_staging.passed, 0) - coalesce(quarantined.refused_by_pack, 0) as staged,
        coalesce(quarantined.quarantined, 0) as quarantined,
        cast(null as bigint) as matched,
        cast(null as bigint) as total,
        cast(null as varchar) as detail
    from landed
    left join passed_staging
        on passed_staging.dataset = landed.dataset and passed_staging.snapshot_id = landed.snapshot_id
    left join quarantined
        on quarantined.dataset = landed.dataset and quarantined.snapshot_id = landed.snapshot_id

),

master as (

    select * from {{ ref('int_enterprises_mastered') }} where year = {{ run_param('year') }}

),

figures as (

    select * from {{ ref('int_enterprise_figures') }} where year = {{ run_param('year') }}

),

accounts as (

    select * from {{ ref('int_accounts_linked') }} where year = {{ run_param('year') }}

),

taxpayers as (

    select * from {{ ref('stg_tax__taxpayers') }} where year = {{ run_param('year') }}

),

coverage as (

    select 'land.parcels' as dataset, 'enterprises_with_land' as item,
        count(case when land_area_mu > 0 then 1 end) as matched, count(*) as total,
        cast(null as varchar) as detail
    from figures

    union all

    select 'grid.accounts', 'accounts_linked_to_enterprise',
        count(distinct case when uscc is not null then account_no end), count(distinct account_no),
        {{ sample_keys("case when uscc is null then account_no end") }}
    from accounts

    union all

    select 'tax.taxpayers', 'taxpayers_in_statistics_register',
        count(master.uscc), count(*),
        {{ sample_keys("case when master.uscc is null then taxpayers.uscc end") }}
    from taxpayers
    left join master on master.uscc = taxpayers.uscc

    union all

    -- an area an order of magnitude off its outline: typed in mu, or the outline is wrong
    select 'land.parcels', 'parcel_area_agrees_with_outline',
        count(*) - count(case when outline_m2 > 10 * area_m2 or outline_m2 < area_m2 / 10 then 1 end),
        count(*),
        {{ sample_keys("case when outline_m2 > 10 * area_m2 or outline_m2 < area_m2 / 10 then parcel_code end") }}
    from (
        select parcel_code, area_m2, {{ geometry_area_m2('geometry') }} as outline_m2
        from {{ ref('stg_land__parcels') }}
        where year = {{ run_param('year') }} and geometry is not null and area_m2 > 0
    ) as outlines
    where outline_m2 is not null

    {%- for dataset, column in [('land.parcels', 'holder_uscc'), ('land.leases', 'lessor_uscc'),
                                ('land.leases', 'lessee_uscc'), ('land.surveys', 'user_uscc'),
                                ('grid.accounts', 'holder_uscc')] %}

    union all

    select '{{ dataset }}', '{{ column }}_invalid_counted_unknown',
        count(case when {{ column }}_invalid then 1 end), count(*), cast(null as varchar)
    from {{ ref('stg_' ~ dataset | replace('.', '__')) }}
    where year = {{ run_param('year') }}
    {%- endfor %}

),

reference_unmatched as (

    {%- set year = run_param('year') %}
    {%- set master = {'relation': 'master', 'alias': 'master', 'key': 'uscc', 'column': 'uscc'} %}
    {%- set parcels = {'relation': ref('stg_land__parcels'), 'alias': 'parcels',
                       'key': 'parcel_code', 'column': 'parcel_code',
                       'also': 'parcels.year = ' ~ year} %}
    {%- set accounts = {'relation': ref('stg_grid__accounts'), 'alias': 'stg', 'key': 'account_no',
                        'column': 'account_no', 'also': 'stg.year = ' ~ year} %}

    {{ reference_rows_matched('reference.enterprise_parcel_links',
        source('reference', 'enterprise_parcel_links'), 'links', [parcels, master],
        "links.parcel_code || ':' || links.uscc") }}

    union all

    {{ reference_rows_matched('reference.account_links', source('reference', 'account_links'),
        'links', [accounts, master], "links.account_no || ':' || links.uscc") }}

    union all

    {{ reference_rows_matched('reference.lists', source('reference', 'list_members'), 'members',
        [master], "members.list_id || ':' || members.uscc") }}

    union all

    {{ reference_rows_matched('reference.research_land', source('reference', 'research_land'),
        'research', [parcels, master], 'research.parcel_code') }}

    union all

    {{ reference_rows_matched('reference.objections', source('reference', 'objections'),
        'objections', [master], 'objections.uscc', where='objections.year = ' ~ year) }}

    union all

    -- lists the pack names that no reference file provides: empty, and reported
    select 'reference.lists', 'lists_named_by_pack_without_file',
        count(*) - count(case when lists.list_id is null then 1 end), count(*),
        {{ sample_keys("case when lists.list_id is null then named.list_id end") }}
    from (
        select text as list_id from {{ source('rule_pack', 'rp_conditions') }} where kind = 'list'
        union
        select list_id from {{ source('rule_pack', 'rp_exempt_lists') }}
    ) as named
    left join {{ source('reference', 'lists') }} as lists on lists.list_id = named.list_id

),

others as (

    select dataset, cast(null as varchar) as snapshot_id, item,
        cast(null as bigint) as landed, cast(null as bigint) as staged,
        cast(null as bigint) as quarantined, matched, total, detail
    from coverage
    union all
    select dataset, null, item, null, null, null, matched, total, detail
    from reference_unmatched

),

final as (

    select
        {{ run_param('year') }} as year,
        {{ run_param('quarter') }} as quarter,
        {{ run_param('rule_pack') }} as rule_pack,
        *
    from (select * from records union all select * from others) as rows_

)

select * from final
