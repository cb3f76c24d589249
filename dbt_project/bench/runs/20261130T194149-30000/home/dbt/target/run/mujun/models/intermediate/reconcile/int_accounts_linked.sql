
    

    create  table
      "work"."intermediate"."int_accounts_linked__dbt_tmp"
  
    
    as (
      -- Which enterprise each electricity account belongs to, with split shares
-- (rule-pack.md "Electricity"), first rule that applies:
--   1 a reference link for the account (replaces every automatic link; shares as given)
--   2 its holder_uscc, when that is a valid code in the master and not deregistered
--   3 its parcel's holder (same test), when nobody else uses that parcel in the year
--   4 the one enterprise (same test) whose normalised name equals the holder name
-- An account none of these links stays unlinked and is reported in reconciliation.
with accounts as (

    select * from "work"."staging"."stg_grid__accounts"

),

master as (

    select uscc, year, regexp_replace(translate(enterprise_name, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g') as name_key
    from "work"."intermediate"."int_enterprises_mastered"
    where not deregistered

),

parcels as (

    select * from "work"."staging"."stg_land__parcels"

),

land_uses as (

    select * from "work"."intermediate"."int_land_uses"

),

reference_links as (

    select * from "work"."reference"."account_links"

),

by_reference as (

    select
        accounts.year, accounts.account_no, reference_links.uscc, reference_links.share,
        'reference_link' as link_method
    from accounts
    inner join reference_links
        on reference_links.account_no = accounts.account_no
        and (reference_links.year_from is null or reference_links.year_from <= accounts.year)
        and (reference_links.year_to is null or reference_links.year_to >= accounts.year)

),

by_holder as (

    select accounts.year, accounts.account_no, master.uscc, 1.0 as share,
        'holder_uscc' as link_method
    from accounts
    inner join master on master.uscc = accounts.holder_uscc and master.year = accounts.year

),

parcel_holders as (

    -- parcels used by nobody but their holder in the year
    select parcels.year, parcels.parcel_code, parcels.holder_uscc
    from parcels
    where parcels.holder_uscc is not null
      and not exists (
          select 1 from land_uses
          where land_uses.parcel_code = parcels.parcel_code
            and land_uses.year = parcels.year
            and land_uses.uscc <> parcels.holder_uscc
            and land_uses.role in ('leased_in', 'surveyed', 'reference_link')
      )

),

by_parcel as (

    select accounts.year, accounts.account_no, master.uscc, 1.0 as share,
        'parcel_holder' as link_method
    from accounts
    inner join parcel_holders
        on parcel_holders.parcel_code = accounts.parcel_code
        and parcel_holders.year = accounts.year
    inner join master
        on master.uscc = parcel_holders.holder_uscc and master.year = accounts.year

),

name_matches as (

    select
        accounts.year, accounts.account_no, master.uscc,
        count(*) over (partition by accounts.year, accounts.account_no) as candidates
    from accounts
    inner join master
        on master.name_key = regexp_replace(translate(accounts.holder_name, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g')
        and master.year = accounts.year

),

by_name as (

    select year, account_no, uscc, 1.0 as share, 'holder_name' as link_method
    from name_matches
    where candidates = 1

),

ranked as (

    select *, 1 as precedence from by_reference
    union all select *, 2 from by_holder
    union all select *, 3 from by_parcel
    union all select *, 4 from by_name

),

chosen as (

    select *, min(precedence) over (partition by year, account_no) as best
    from ranked

),

final as (

    select
        accounts.year,
        accounts.account_no,
        chosen.uscc,
        cast(coalesce(chosen.share, 1.0) as decimal(9, 6)) as share,
        coalesce(chosen.link_method, 'unlinked') as link_method,
        accounts._snapshot_id
    from accounts
    left join chosen
        on chosen.account_no = accounts.account_no
        and chosen.year = accounts.year
        and chosen.precedence = chosen.best

)

select * from final
    );
    
  