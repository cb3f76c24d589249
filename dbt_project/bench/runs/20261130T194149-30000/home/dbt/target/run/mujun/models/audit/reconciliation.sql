
    

    create  table
      "work"."audit"."reconciliation__dbt_tmp"
  
    
    as (
      -- How the run's inputs reconcile (marts.md "audit.reconciliation"). Rows with
-- item = 'records': one per dataset and snapshot read, landed = staged + quarantined.
-- Other items: link coverage (matched of total) and reference rows that matched
-- nothing, with up to 20 of their keys in `detail`.
with landed_rows as (
    select 'tax.taxpayers' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."tax__taxpayers"
    group by _snapshot_id
    union all
    select 'tax.payments' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."tax__payments"
    group by _snapshot_id
    union all
    select 'tax.reliefs' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."tax__reliefs"
    group by _snapshot_id
    union all
    select 'tax.social_insurance' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."tax__social_insurance"
    group by _snapshot_id
    union all
    select 'land.parcels' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."land__parcels"
    group by _snapshot_id
    union all
    select 'land.leases' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."land__leases"
    group by _snapshot_id
    union all
    select 'land.surveys' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."land__surveys"
    group by _snapshot_id
    union all
    select 'stats.enterprises' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."stats__enterprises"
    group by _snapshot_id
    union all
    select 'stats.annual' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."stats__annual"
    group by _snapshot_id
    union all
    select 'stats.energy_use' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."stats__energy_use"
    group by _snapshot_id
    union all
    select 'stats.quarterly' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."stats__quarterly"
    group by _snapshot_id
    union all
    select 'grid.accounts' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."grid__accounts"
    group by _snapshot_id
    union all
    select 'grid.consumption' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."grid__consumption"
    group by _snapshot_id
    union all
    select 'env.emissions' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."env__emissions"
    group by _snapshot_id
    union all
    select 'env.incidents' as dataset, _snapshot_id as snapshot_id,
        count(*) as landed
    from "work"."landing"."env__incidents"
    group by _snapshot_id
    

),

landed as (

    -- one row per snapshot read, an empty one too (0 = 0 + 0)
    select snapshots.dataset, snapshots.snapshot_id, coalesce(landed_rows.landed, 0) as landed
    from "work"."landing"."snapshots" as snapshots
    left join landed_rows
        on landed_rows.dataset = snapshots.dataset
        and landed_rows.snapshot_id = snapshots.snapshot_id

),

passed_staging as (
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_tax__taxpayers"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    union all
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_tax__payments"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    union all
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_tax__reliefs"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    union all
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_tax__social_insurance"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    union all
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_land__parcels"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    union all
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_land__leases"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    union all
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_land__surveys"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    union all
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_stats__enterprises"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    union all
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_stats__annual"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    union all
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_stats__energy_use"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    union all
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_stats__quarterly"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    union all
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_grid__accounts"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    union all
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_grid__consumption"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    union all
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_env__emissions"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    union all
    select _dataset as dataset, _snapshot_id as snapshot_id, count(*) as passed
    from "work"."staging"."base_env__incidents"
    where _quarantine_reason is null
    group by _dataset, _snapshot_id
    

),

quarantined as (

    select dataset, snapshot_id, count(*) as quarantined,
        count(case when reason in ('lease_exceeds_parcel', 'unknown_carrier', 'unit_mismatch')
                   then 1 end) as refused_by_pack
    from "work"."audit"."quarantine"
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

    select * from "work"."intermediate"."int_enterprises_mastered" where year = 2024

),

figures as (

    select * from "work"."intermediate"."int_enterprise_figures" where year = 2024

),

accounts as (

    select * from "work"."intermediate"."int_accounts_linked" where year = 2024

),

taxpayers as (

    select * from "work"."staging"."stg_tax__taxpayers" where year = 2024

),

coverage as (

    select 'land.parcels' as dataset, 'enterprises_with_land' as item,
        count(case when land_area_mu > 0 then 1 end) as matched, count(*) as total,
        cast(null as varchar) as detail
    from figures

    union all

    select 'grid.accounts', 'accounts_linked_to_enterprise',
        count(distinct case when uscc is not null then account_no end), count(distinct account_no),
        array_to_string(list_slice(list_sort(list_distinct(list(case when uscc is null then account_no end))), 1, 20), ', ')
    from accounts

    union all

    select 'tax.taxpayers', 'taxpayers_in_statistics_register',
        count(master.uscc), count(*),
        array_to_string(list_slice(list_sort(list_distinct(list(case when master.uscc is null then taxpayers.uscc end))), 1, 20), ', ')
    from taxpayers
    left join master on master.uscc = taxpayers.uscc

    union all

    -- an area an order of magnitude off its outline: typed in mu, or the outline is wrong
    select 'land.parcels', 'parcel_area_agrees_with_outline',
        count(*) - count(case when outline_m2 > 10 * area_m2 or outline_m2 < area_m2 / 10 then 1 end),
        count(*),
        array_to_string(list_slice(list_sort(list_distinct(list(case when outline_m2 > 10 * area_m2 or outline_m2 < area_m2 / 10 then parcel_code end))), 1, 20), ', ')
    from (
        select parcel_code, area_m2, case when json_extract_string(geometry, '$.type') = 'Polygon' then (
        select abs(list_sum(list_transform(range(1, len(ring)),
                   lambda i: ring[i][1] * ring[i + 1][2] - ring[i + 1][1] * ring[i][2]))) / 2
               * 111320 * cos(radians(ring[1][2])) * 110540
        from (select cast(json_extract(geometry, '$.coordinates[0]') as double[][]) as ring)
    ) end as outline_m2
        from "work"."staging"."stg_land__parcels"
        where year = 2024 and geometry is not null and area_m2 > 0
    ) as outlines
    where outline_m2 is not null

    union all

    select 'land.parcels', 'holder_uscc_invalid_counted_unknown',
        count(case when holder_uscc_invalid then 1 end), count(*), cast(null as varchar)
    from "work"."staging"."stg_land__parcels"
    where year = 2024

    union all

    select 'land.leases', 'lessor_uscc_invalid_counted_unknown',
        count(case when lessor_uscc_invalid then 1 end), count(*), cast(null as varchar)
    from "work"."staging"."stg_land__leases"
    where year = 2024

    union all

    select 'land.leases', 'lessee_uscc_invalid_counted_unknown',
        count(case when lessee_uscc_invalid then 1 end), count(*), cast(null as varchar)
    from "work"."staging"."stg_land__leases"
    where year = 2024

    union all

    select 'land.surveys', 'user_uscc_invalid_counted_unknown',
        count(case when user_uscc_invalid then 1 end), count(*), cast(null as varchar)
    from "work"."staging"."stg_land__surveys"
    where year = 2024

    union all

    select 'grid.accounts', 'holder_uscc_invalid_counted_unknown',
        count(case when holder_uscc_invalid then 1 end), count(*), cast(null as varchar)
    from "work"."staging"."stg_grid__accounts"
    where year = 2024

),

reference_unmatched as (

    select 'reference.enterprise_parcel_links' as dataset, 'reference_rows_matched' as item,
        count(*) - count(case when parcels.parcel_code is null or master.uscc is null then 1 end) as matched,
        count(*) as total,
        array_to_string(list_slice(list_sort(list_distinct(list(case when parcels.parcel_code is null or master.uscc is null then links.parcel_code || ':' || links.uscc end))), 1, 20), ', ') as detail
    from "work"."reference"."enterprise_parcel_links" as links
    left join "work"."staging"."stg_land__parcels" as parcels
        on parcels.parcel_code = upper(regexp_replace(translate(links.parcel_code, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g'))
        and parcels.year = 2024
    left join master on master.uscc = upper(regexp_replace(translate(links.uscc, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g'))

    union all

    select 'reference.account_links', 'reference_rows_matched',
        count(*) - count(case when stg.account_no is null or master.uscc is null then 1 end), count(*),
        array_to_string(list_slice(list_sort(list_distinct(list(case when stg.account_no is null or master.uscc is null then links.account_no || ':' || links.uscc end))), 1, 20), ', ')
    from "work"."reference"."account_links" as links
    left join "work"."staging"."stg_grid__accounts" as stg
        on stg.account_no = upper(regexp_replace(translate(links.account_no, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g')) and stg.year = 2024
    left join master on master.uscc = upper(regexp_replace(translate(links.uscc, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g'))

    union all

    select 'reference.lists', 'reference_rows_matched',
        count(*) - count(case when master.uscc is null then 1 end), count(*),
        array_to_string(list_slice(list_sort(list_distinct(list(case when master.uscc is null then members.list_id || ':' || members.uscc end))), 1, 20), ', ')
    from "work"."reference"."list_members" as members
    left join master on master.uscc = upper(regexp_replace(translate(members.uscc, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g'))

    union all

    select 'reference.research_land', 'reference_rows_matched',
        count(*) - count(case when parcels.parcel_code is null or master.uscc is null then 1 end), count(*),
        array_to_string(list_slice(list_sort(list_distinct(list(case when parcels.parcel_code is null or master.uscc is null then research.parcel_code end))), 1, 20), ', ')
    from "work"."reference"."research_land" as research
    left join "work"."staging"."stg_land__parcels" as parcels
        on parcels.parcel_code = upper(regexp_replace(translate(research.parcel_code, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g'))
        and parcels.year = 2024
    left join master on master.uscc = upper(regexp_replace(translate(research.uscc, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g'))

    union all

    select 'reference.objections', 'reference_rows_matched',
        count(*) - count(case when master.uscc is null then 1 end), count(*),
        array_to_string(list_slice(list_sort(list_distinct(list(case when master.uscc is null then objections.uscc end))), 1, 20), ', ')
    from "work"."reference"."objections" as objections
    left join master on master.uscc = upper(regexp_replace(translate(objections.uscc, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g'))
    where objections.year = 2024

    union all

    -- lists the pack names that no reference file provides: empty, and reported
    select 'reference.lists', 'lists_named_by_pack_without_file',
        count(*) - count(case when lists.list_id is null then 1 end), count(*),
        array_to_string(list_slice(list_sort(list_distinct(list(case when lists.list_id is null then named.list_id end))), 1, 20), ', ')
    from (
        select text as list_id from "work"."rule_pack"."rp_conditions" where kind = 'list'
        union
        select list_id from "work"."rule_pack"."rp_exempt_lists"
    ) as named
    left join "work"."reference"."lists" as lists on lists.list_id = named.list_id

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
        2024 as year,
        '2024Q3' as quarter,
        'huzhou-3.0' as rule_pack,
        *
    from (select * from records union all select * from others) as rows_

)

select * from final
    );
    
  