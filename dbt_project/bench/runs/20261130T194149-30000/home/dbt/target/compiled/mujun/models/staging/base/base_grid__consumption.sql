-- An actual reading beats an estimated one for the same account and month (feeds.md).
with landed as (

    select * from "work"."landing"."grid__consumption"
    -- a snapshot is immutable: one typed once stays typed (mujun.pipeline prunes the
    -- superseded, and rebuilds everything when the staging code changes)
    where _snapshot_id not in (select distinct _snapshot_id from "work"."staging"."base_grid__consumption")

),

codes_account_no as (

    -- codes repeat (an enterprise pays every month): normalise and check each once
    select raw, normalised, coalesce(coalesce(regexp_full_match(normalised, '[0-9]{10}'), false), false) as valid
    from (
        select raw, upper(regexp_replace(translate(raw, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g')) as normalised
        from (select distinct account_no as raw from landed) as distinct_codes
    ) as normalised_codes

),

typed as (

    select
        'grid.consumption' as _dataset,
        landed._period,
        cast(substr(landed._period, 1, 4) as integer) as year,
        landed._snapshot_id,
        landed._record_no,
        concat_ws('|', coalesce(cast(landed.account_no as varchar), ''), coalesce(cast(landed.month as varchar), '')) as _record_key,
        codes_account_no.normalised as account_no,
        case when regexp_full_match(month, '[0-9]{4}-(0[1-9]|1[0-2])') then month end as month,
        case when regexp_full_match(kwh, '-?[0-9]{1,21}([.][0-9]{1,3})?')
         then cast(kwh as decimal(24, 3)) end as kwh,
        reading as reading,
        coalesce(codes_account_no.valid, false) as _valid_account_no,
        landed._nonstring_fields is not null
            or (landed.month is not null and case when regexp_full_match(month, '[0-9]{4}-(0[1-9]|1[0-2])') then month end is null)
            or (landed.kwh is not null and case when regexp_full_match(kwh, '-?[0-9]{1,21}([.][0-9]{1,3})?')
         then cast(kwh as decimal(24, 3)) end is null) as _bad_value
    from landed
    left join codes_account_no on codes_account_no.raw = landed.account_no

),

checked as (

    select
        *,
        case
            when _bad_value then 'bad_value'
            when not _valid_account_no then 'invalid_account_no'
            when row_number() over (
                partition by _snapshot_id, account_no, month order by case when reading = 'actual' then 0 else 1 end, _record_no
            ) > 1 then 'duplicate_key'
        end as _quarantine_reason
    from typed

)

select * exclude (_bad_value, _valid_account_no) from checked
