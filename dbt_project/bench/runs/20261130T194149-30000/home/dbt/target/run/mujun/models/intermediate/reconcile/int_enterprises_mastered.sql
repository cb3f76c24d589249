
    

    create  table
      "work"."intermediate"."int_enterprises_mastered__dbt_tmp"
  
    
    as (
      -- The enterprise master: the statistics register of the period (rule-pack.md "Who is
-- evaluated"), with the tax register's status and high-tech certificate and the
-- pack's industry group.
with enterprises as (

    select * from "work"."staging"."stg_stats__enterprises"

),

taxpayers as (

    select * from "work"."staging"."stg_tax__taxpayers"

),

industry_groups as (

    select * from "work"."rule_pack"."rp_industry_groups"

),

group_candidates as (

    select
        enterprises.uscc,
        enterprises.year,
        industry_groups.group_id,
        row_number() over (
            partition by enterprises.uscc, enterprises.year
            order by case when industry_groups.major = '*' then 1 else 0 end, industry_groups.ordinal
        ) as preference
    from enterprises
    inner join industry_groups
        on industry_groups.major = enterprises.industry_major or industry_groups.major = '*'

),

final as (

    select
        enterprises.uscc,
        enterprises.year,
        enterprises.name as enterprise_name,
        enterprises.industry_code,
        enterprises.industry_major,
        group_candidates.group_id as industry_group,
        enterprises.above_scale,
        enterprises.division_code,
        enterprises.park,
        enterprises.group_uscc,
        enterprises.opened_on,
        enterprises.year - extract(year from enterprises.opened_on) as years_open,
        taxpayers.uscc is not null as in_tax_register,
        coalesce(taxpayers.status = 'deregistered', false) as deregistered,
        -- high-tech: flagged and the certificate overlaps the year
        coalesce(
            taxpayers.high_tech
            and (taxpayers.high_tech_valid_from is null
                 or taxpayers.high_tech_valid_from <= cast(cast(enterprises.year as varchar) || '-12-31' as date))
            and (taxpayers.high_tech_valid_to is null
                 or taxpayers.high_tech_valid_to >= cast(cast(enterprises.year as varchar) || '-01-01' as date)),
            false
        ) as high_tech,
        enterprises._snapshot_id,
        enterprises._record_no
    from enterprises
    left join taxpayers
        on taxpayers.uscc = enterprises.uscc and taxpayers.year = enterprises.year
    left join group_candidates
        on group_candidates.uscc = enterprises.uscc
        and group_candidates.year = enterprises.year
        and group_candidates.preference = 1

)

select * from final
    );
    
  