with landed as (

    select * from "work"."landing"."tax__payments"
    -- a snapshot is immutable: one typed once stays typed (mujun.pipeline prunes the
    -- superseded, and rebuilds everything when the staging code changes)
    where _snapshot_id not in (select distinct _snapshot_id from "work"."staging"."base_tax__payments")

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
        'tax.payments' as _dataset,
        landed._period,
        cast(substr(landed._period, 1, 4) as integer) as year,
        landed._snapshot_id,
        landed._record_no,
        concat_ws('|', coalesce(cast(landed.voucher_id as varchar), '')) as _record_key,
        voucher_id as voucher_id,
        codes_uscc.normalised as uscc,
        case when regexp_full_match(month, '[0-9]{4}-(0[1-9]|1[0-2])') then month end as month,
        tax_type as tax_type,
        case when regexp_full_match(amount_yuan, '-?[0-9]{1,22}([.][0-9]{1,2})?')
         then cast(amount_yuan as decimal(24, 2)) end as amount_yuan,
        coalesce(codes_uscc.valid, false) as _valid_uscc,
        landed._nonstring_fields is not null
            or (landed.month is not null and case when regexp_full_match(month, '[0-9]{4}-(0[1-9]|1[0-2])') then month end is null)
            or (landed.amount_yuan is not null and case when regexp_full_match(amount_yuan, '-?[0-9]{1,22}([.][0-9]{1,2})?')
         then cast(amount_yuan as decimal(24, 2)) end is null) as _bad_value
    from landed
    left join codes_uscc on codes_uscc.raw = landed.uscc

),

checked as (

    select
        *,
        case
            when _bad_value then 'bad_value'
            when not _valid_uscc then 'invalid_uscc'
            when row_number() over (
                partition by _snapshot_id, voucher_id order by _record_no
            ) > 1 then 'duplicate_key'
        end as _quarantine_reason
    from typed

)

select * exclude (_bad_value, _valid_uscc) from checked
