-- Enterprises the pack ranks but gives no grade of their own (T class, 昌乐's
-- utilities): the first `not_graded` entry whose condition holds, and its treat_as.
with conditions as (

    select * from {{ ref('int_conditions_evaluated') }}
    where holds and year = {{ run_param('year') }}

),

not_graded as (

    select * from {{ source('rule_pack', 'rp_not_graded') }}

),

scope as (

    select uscc, year from {{ ref('int_enterprise_scope') }}
    where evaluated and year = {{ run_param('year') }}

),

matched as (

    select
        conditions.uscc,
        conditions.year,
        not_graded.not_graded_id,
        not_graded.treat_as,
        row_number() over (
            partition by conditions.uscc, conditions.year order by not_graded.ordinal
        ) as preference
    from conditions
    inner join not_graded on not_graded.condition_id = conditions.condition_id
    inner join scope on scope.uscc = conditions.uscc and scope.year = conditions.year

),

final as (

    select uscc, year, not_graded_id, treat_as
    from matched
    where preference = 1

)

select * from final
