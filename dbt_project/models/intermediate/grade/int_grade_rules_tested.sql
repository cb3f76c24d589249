-- Every grade rule tested on every graded enterprise (not the `not_graded` T class):
-- whether its condition held, in the pack's order.
with ranked as (

    select * from {{ ref('int_enterprise_ranked') }}

),

not_graded as (

    select * from {{ ref('int_enterprise_not_graded') }}

),

rules as (

    select * from {{ source('rule_pack', 'rp_grade_rules') }}

),

bands as (

    select * from {{ source('rule_pack', 'rp_grade_bands') }}
    where band_scope = 'enterprise'

),

conditions as (

    select * from {{ ref('int_conditions_evaluated') }}

),

final as (

    select
        ranked.uscc,
        ranked.year,
        rules.rule_id,
        rules.ordinal,
        rules.kind,
        rules.grade as rule_grade,
        bands.ordinal as rule_grade_ordinal,
        rules.steps,
        coalesce(conditions.holds, false) as holds
    from ranked
    cross join rules
    left join bands on bands.grade = rules.grade
    left join conditions
        on conditions.uscc = ranked.uscc and conditions.year = ranked.year
        and conditions.condition_id = rules.condition_id
    where not exists (
        select 1 from not_graded
        where not_graded.uscc = ranked.uscc and not_graded.year = ranked.year
    )

)

select * from final
