with landed as (

    select * from "work"."landing"."land__parcels"
    -- a snapshot is immutable: one typed once stays typed (mujun.pipeline prunes the
    -- superseded, and rebuilds everything when the staging code changes)
    where _snapshot_id not in (select distinct _snapshot_id from "work"."staging"."base_land__parcels")

),

codes_parcel_code as (

    -- codes repeat (an enterprise pays every month): normalise and check each once
    select raw, normalised, coalesce(coalesce(regexp_full_match(normalised, '[0-9]{12}[A-Z]{2}[0-9]{5}'), false), false) as valid
    from (
        select raw, upper(regexp_replace(translate(raw, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g')) as normalised
        from (select distinct parcel_code as raw from landed) as distinct_codes
    ) as normalised_codes

),

codes_attached_to as (

    -- codes repeat (an enterprise pays every month): normalise and check each once
    select raw, normalised, coalesce(coalesce(regexp_full_match(normalised, '[0-9]{12}[A-Z]{2}[0-9]{5}'), false), false) as valid
    from (
        select raw, upper(regexp_replace(translate(raw, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g')) as normalised
        from (select distinct attached_to as raw from landed) as distinct_codes
    ) as normalised_codes

),

codes_holder_uscc as (

    -- codes repeat (an enterprise pays every month): normalise and check each once
    select raw, normalised, coalesce(coalesce(
        length(normalised) = 18
        and regexp_full_match(normalised, '[0-9A-HJ-NPQRTUWXY]{18}')
        and substr('0123456789ABCDEFGHJKLMNPQRTUWXY', ((31 - ((
            (

    position(
        substr(normalised, 1, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 1 +
            (

    position(
        substr(normalised, 2, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 3 +
            (

    position(
        substr(normalised, 3, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 9 +
            (

    position(
        substr(normalised, 4, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 27 +
            (

    position(
        substr(normalised, 5, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 19 +
            (

    position(
        substr(normalised, 6, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 26 +
            (

    position(
        substr(normalised, 7, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 16 +
            (

    position(
        substr(normalised, 8, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 17 +
            (

    position(
        substr(normalised, 9, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 20 +
            (

    position(
        substr(normalised, 10, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 29 +
            (

    position(
        substr(normalised, 11, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 25 +
            (

    position(
        substr(normalised, 12, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 13 +
            (

    position(
        substr(normalised, 13, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 8 +
            (

    position(
        substr(normalised, 14, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 24 +
            (

    position(
        substr(normalised, 15, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 10 +
            (

    position(
        substr(normalised, 16, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 30 +
            (

    position(
        substr(normalised, 17, 1) in '0123456789ABCDEFGHJKLMNPQRTUWXY'
    ) - 1) * 28
        ) % 31)) % 31) + 1, 1) = substr(normalised, 18, 1),
        false), false) as valid
    from (
        select raw, upper(regexp_replace(translate(raw, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g')) as normalised
        from (select distinct holder_uscc as raw from landed) as distinct_codes
    ) as normalised_codes

),

typed as (

    select
        'land.parcels' as _dataset,
        landed._period,
        cast(substr(landed._period, 1, 4) as integer) as year,
        landed._snapshot_id,
        landed._record_no,
        concat_ws('|', coalesce(cast(landed.parcel_code as varchar), '')) as _record_key,
        codes_parcel_code.normalised as parcel_code,
        kind as kind,
        case when codes_attached_to.valid then codes_attached_to.normalised end as attached_to,
        (landed.attached_to is not null and not codes_attached_to.valid) as attached_to_invalid,
        land_use as land_use,
        case when regexp_full_match(area_m2, '-?[0-9]{1,22}([.][0-9]{1,2})?')
         then cast(area_m2 as decimal(24, 2)) end as area_m2,
        case when codes_holder_uscc.valid then codes_holder_uscc.normalised end as holder_uscc,
        (landed.holder_uscc is not null and not codes_holder_uscc.valid) as holder_uscc_invalid,
        holder_name as holder_name,
        division_code as division_code,
        park as park,
        case when json_valid(geometry) then geometry end as geometry,
        case when regexp_full_match(registered_on, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
         then try_cast(registered_on as date) end as registered_on,
        coalesce(codes_parcel_code.valid, false) as _valid_parcel_code,
        landed._nonstring_fields is not null
            or (landed.area_m2 is not null and case when regexp_full_match(area_m2, '-?[0-9]{1,22}([.][0-9]{1,2})?')
         then cast(area_m2 as decimal(24, 2)) end is null)
            or (landed.registered_on is not null and case when regexp_full_match(registered_on, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
         then try_cast(registered_on as date) end is null)
            or coalesce(case when regexp_full_match(area_m2, '-?[0-9]{1,22}([.][0-9]{1,2})?')
         then cast(area_m2 as decimal(24, 2)) end < 0, false) as _bad_value
    from landed
    left join codes_parcel_code on codes_parcel_code.raw = landed.parcel_code
    left join codes_attached_to on codes_attached_to.raw = landed.attached_to
    left join codes_holder_uscc on codes_holder_uscc.raw = landed.holder_uscc

),

checked as (

    select
        *,
        case
            when _bad_value then 'bad_value'
            when not _valid_parcel_code then 'invalid_parcel_code'
            when row_number() over (
                partition by _snapshot_id, parcel_code order by _record_no
            ) > 1 then 'duplicate_key'
        end as _quarantine_reason
    from typed

)

select * exclude (_bad_value, _valid_parcel_code) from checked
