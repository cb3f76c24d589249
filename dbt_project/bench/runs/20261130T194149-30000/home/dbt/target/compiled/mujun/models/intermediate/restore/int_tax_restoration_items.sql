-- Restored tax, item by item (rule-pack.md "Restored tax"; 湖州, 镇海, 临沭): every
-- payment in the year (reversals included), the reliefs whose kind or KIND.SUBKIND
-- the pack adds back, the employer's social insurance if asked, and for a high-tech
-- enterprise its CIT × (restore_rate / paid_rate − 1). Yuan.
with payments as (

    select * from "work"."staging"."stg_tax__payments"

),

reliefs as (

    select * from "work"."staging"."stg_tax__reliefs"

),

social_insurance as (

    select * from "work"."staging"."stg_tax__social_insurance"

),

pack as (

    select * from "work"."rule_pack"."rp_pack"

),

add_back as (

    select * from "work"."rule_pack"."rp_restoration_add_back"

),

master as (

    select uscc, year, high_tech from "work"."intermediate"."int_enterprises_mastered"

),

paid as (

    select year, uscc, 'payments' as item, sum(amount_yuan) as amount_yuan
    from payments
    group by year, uscc

),

reliefs_added_back as (

    -- a relief counts once even when the pack names both its kind and its subkind
    select distinct reliefs.year, reliefs.uscc, reliefs.relief_id, reliefs.kind,
        reliefs.subkind, reliefs.amount_yuan
    from reliefs
    inner join add_back
        on add_back.kind = reliefs.kind
        and (add_back.subkind is null or add_back.subkind = reliefs.subkind)

),

relief_items as (

    select
        year, uscc,
        'relief:' || kind || coalesce('.' || subkind, '') as item,
        sum(amount_yuan) as amount_yuan
    from reliefs_added_back
    group by year, uscc, kind, subkind

),

social_insurance_item as (

    select social_insurance.year, social_insurance.uscc, 'social_insurance_employer' as item,
        sum(social_insurance.employer_amount_yuan) as amount_yuan
    from social_insurance
    cross join pack
    where pack.social_insurance_employer
    group by social_insurance.year, social_insurance.uscc

),

high_tech_cit as (

    select
        payments.year, payments.uscc, 'high_tech_cit' as item,
        cast(sum(payments.amount_yuan) * (max(pack.high_tech_restore_rate)
             / max(pack.high_tech_paid_rate) - 1) as decimal(38, 6)) as amount_yuan
    from payments
    inner join master on master.uscc = payments.uscc and master.year = payments.year
    cross join pack
    where payments.tax_type = 'CIT'
      and master.high_tech
      and pack.high_tech_paid_rate is not null
    group by payments.year, payments.uscc

),

final as (

    select year, uscc, item, cast(amount_yuan as decimal(38, 6)) as amount_yuan from paid
    union all
    select year, uscc, item, cast(amount_yuan as decimal(38, 6)) from relief_items
    union all
    select year, uscc, item, cast(amount_yuan as decimal(38, 6)) from social_insurance_item
    union all
    select year, uscc, item, amount_yuan from high_tech_cit

)

select * from final