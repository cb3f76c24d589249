with landed as (

    select * from "work"."landing"."grid__accounts"
    -- a snapshot is immutable: one typed once stays typed (mujun.pipeline prunes the
    -- superseded, and rebuilds everything when the staging code changes)
    where _snapshot_id not in (select distinct _snapshot_id from "work"."staging"."base_grid__accounts")

),

codes_account_no as (

    -- codes repeat (an enterprise pays every month): normalise and check each once
    select raw, normalised, coalesce(coalesce(regexp_full_match(normalised, '[0-9]{10}'), false), false) as valid
    from (
        select raw, upper(regexp_replace(translate(raw, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g')) as normalised
        from (select distinct account_no as raw from landed) as distinct_codes
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

codes_parcel_code as (

    -- codes repeat (an enterprise pays every month): normalise and check each once
    select raw, normalised, coalesce(coalesce(regexp_full_match(normalised, '[0-9]{12}[A-Z]{2}[0-9]{5}'), false), false) as valid
    from (
        select raw, upper(regexp_replace(translate(raw, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g')) as normalised
        from (select distinct parcel_code as raw from landed) as distinct_codes
    ) as normalised_codes

),

typed as (

    select
        'grid.accounts' as _dataset,
        landed._period,
        cast(substr(landed._period, 1, 4) as integer) as year,
        landed._snapshot_id,
        landed._record_no,
        concat_ws('|', coalesce(cast(landed.account_no as varchar), '')) as _record_key,
        codes_account_no.normalised as account_no,
        holder_name as holder_name,
        case when codes_holder_uscc.valid then codes_holder_uscc.normalised end as holder_uscc,
        (landed.holder_uscc is not null and not codes_holder_uscc.valid) as holder_uscc_invalid,
        case when codes_parcel_code.valid then codes_parcel_code.normalised end as parcel_code,
        (landed.parcel_code is not null and not codes_parcel_code.valid) as parcel_code_invalid,
        address as address,
        transformer_id as transformer_id,
        case when regexp_full_match(opened_on, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
         then try_cast(opened_on as date) end as opened_on,
        case when regexp_full_match(closed_on, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
         then try_cast(closed_on as date) end as closed_on,
        coalesce(codes_account_no.valid, false) as _valid_account_no,
        landed._nonstring_fields is not null
            or (landed.opened_on is not null and case when regexp_full_match(opened_on, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
         then try_cast(opened_on as date) end is null)
            or (landed.closed_on is not null and case when regexp_full_match(closed_on, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
         then try_cast(closed_on as date) end is null) as _bad_value
    from landed
    left join codes_account_no on codes_account_no.raw = landed.account_no
    left join codes_holder_uscc on codes_holder_uscc.raw = landed.holder_uscc
    left join codes_parcel_code on codes_parcel_code.raw = landed.parcel_code

),

checked as (

    select
        *,
        case
            when _bad_value then 'bad_value'
            when not _valid_account_no then 'invalid_account_no'
            when row_number() over (
                partition by _snapshot_id, account_no order by _record_no
            ) > 1 then 'duplicate_key'
        end as _quarantine_reason
    from typed

)

select * exclude (_bad_value, _valid_account_no) from checked
