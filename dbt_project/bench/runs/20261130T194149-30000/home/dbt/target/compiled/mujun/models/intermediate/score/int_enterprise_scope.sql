-- Who is evaluated, and in which pool (rule-pack.md "Who is evaluated"): the first
-- reason that applies, in the order deregistered, new_enterprise,
-- above_scale_excluded, exempt_list, below_min_land, no_pool, no_indicators_for_pool.
-- The pool is the first (by the pack's order) whose condition holds.
with attributes as (

    select * from "work"."intermediate"."int_enterprise_attributes"

),

pack as (

    select * from "work"."rule_pack"."rp_pack"

),

pools as (

    select * from "work"."rule_pack"."rp_pools"

),

pool_conditions as (

    select * from "work"."intermediate"."int_pool_conditions"

),

indicators as (

    select distinct pool_id from "work"."rule_pack"."rp_indicators"

),

exempt as (

    select distinct upper(regexp_replace(translate(members.uscc, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g')) as uscc, years.year
    from "work"."reference"."list_members" as members
    inner join "work"."rule_pack"."rp_exempt_lists" as exempt_lists
        on exempt_lists.list_id = members.list_id
    inner join (select distinct year from attributes) as years
        on (members.year_from is null or members.year_from <= years.year)
        and (members.year_to is null or members.year_to >= years.year)

),

matched_pools as (

    select
        pool_conditions.uscc,
        pool_conditions.year,
        pools.pool_id,
        row_number() over (
            partition by pool_conditions.uscc, pool_conditions.year order by pools.ordinal
        ) as preference
    from pool_conditions
    inner join pools on pools.condition_id = pool_conditions.condition_id
    where pool_conditions.holds

),

reasons as (

    select
        attributes.uscc,
        attributes.year,
        matched_pools.pool_id as pool,
        case
            when attributes.deregistered then 'deregistered'
            when attributes.years_open < pack.min_years_open then 'new_enterprise'
            when attributes.above_scale and not pack.above_scale then 'above_scale_excluded'
            when exempt.uscc is not null then 'exempt_list'
            when not attributes.above_scale
                and attributes.land_area_mu < pack.below_scale_min_land_mu then 'below_min_land'
            when matched_pools.pool_id is null then 'no_pool'
            when indicators.pool_id is null then 'no_indicators_for_pool'
        end as exclusion_reason
    from attributes
    cross join pack
    left join exempt on exempt.uscc = attributes.uscc and exempt.year = attributes.year
    left join matched_pools
        on matched_pools.uscc = attributes.uscc and matched_pools.year = attributes.year
        and matched_pools.preference = 1
    left join indicators on indicators.pool_id = matched_pools.pool_id

),

final as (

    select
        attributes.*,
        reasons.pool,
        reasons.exclusion_reason is null as evaluated,
        reasons.exclusion_reason
    from attributes
    inner join reasons on reasons.uscc = attributes.uscc and reasons.year = attributes.year

)

select * from final