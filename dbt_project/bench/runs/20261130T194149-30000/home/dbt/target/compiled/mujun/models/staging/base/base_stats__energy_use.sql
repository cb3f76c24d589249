with landed as (

    select * from "work"."landing"."stats__energy_use"
    -- a snapshot is immutable: one typed once stays typed (mujun.pipeline prunes the
    -- superseded, and rebuilds everything when the staging code changes)
    where _snapshot_id not in (select distinct _snapshot_id from "work"."staging"."base_stats__energy_use")

),

codes_uscc as (

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
        from (select distinct uscc as raw from landed) as distinct_codes
    ) as normalised_codes

),

typed as (

    select
        'stats.energy_use' as _dataset,
        landed._period,
        landed._snapshot_id,
        landed._record_no,
        concat_ws('|', coalesce(cast(landed.uscc as varchar), ''), coalesce(cast(landed.year as varchar), ''), coalesce(cast(landed.carrier as varchar), ''), coalesce(cast(landed.unit as varchar), '')) as _record_key,
        codes_uscc.normalised as uscc,
        case when regexp_full_match(year, '-?[0-9]{1,9}') then cast(year as integer) end as year,
        carrier as carrier,
        case when regexp_full_match(quantity, '-?[0-9]{1,20}([.][0-9]{1,4})?')
         then cast(quantity as decimal(24, 4)) end as quantity,
        unit as unit,
        coalesce(codes_uscc.valid, false) as _valid_uscc,
        landed._nonstring_fields is not null
            or (landed.year is not null and case when regexp_full_match(year, '-?[0-9]{1,9}') then cast(year as integer) end is null)
            or (landed.quantity is not null and case when regexp_full_match(quantity, '-?[0-9]{1,20}([.][0-9]{1,4})?')
         then cast(quantity as decimal(24, 4)) end is null) as _bad_value
    from landed
    left join codes_uscc on codes_uscc.raw = landed.uscc

),

checked as (

    select
        *,
        case
            when _bad_value then 'bad_value'
            when not _valid_uscc then 'invalid_uscc'
            when unit is null or unit not in ('m3', 't', 'kg', 'GJ') then 'unknown_unit'
            when row_number() over (
                partition by _snapshot_id, uscc, year, carrier, unit order by _record_no
            ) > 1 then 'duplicate_key'
        end as _quarantine_reason
    from typed

)

select * exclude (_bad_value, _valid_uscc) from checked
