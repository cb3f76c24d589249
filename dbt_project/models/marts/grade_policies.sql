-- What each evaluated enterprise's grade entitles it to or costs it under the pack's
-- policies (marts.md): the surcharge by consecutive years in the grade (镇海: 0.1,
-- 0.3, 0.5 yuan/kWh for 1, 2, 3+ years of D), the subsidy share (铜陵).
{%- set lookback = 10 %}
with evaluation as (

    select * from {{ ref('enterprise_evaluation') }}
    where evaluated

),

graded as (

    select uscc, year, grade_for_policy from {{ ref('int_enterprise_graded') }}

),

history as (

    select uscc, year, grade from {{ source('history', 'enterprise_years') }}
    where rule_pack = {{ run_param('rule_pack') }}

),

surcharges as (

    select * from {{ source('rule_pack', 'rp_policy_surcharge') }}

),

subsidies as (

    select * from {{ source('rule_pack', 'rp_policy_subsidy') }}

),

streaks as (

    -- the year itself plus each unbroken earlier year with the same final grade
    select
        evaluation.uscc,
        evaluation.year,
        1
        {%- for back in range(1, lookback + 1) %}
        + case when {% for k in range(1, back + 1) %}h{{ k }}.grade = evaluation.grade{{ " and " if not loop.last }}{% endfor %} then 1 else 0 end
        {%- endfor %} as years_in_grade
    from evaluation
    {%- for back in range(1, lookback + 1) %}
    left join history as h{{ back }}
        on h{{ back }}.uscc = evaluation.uscc and h{{ back }}.year = evaluation.year - {{ back }}
    {%- endfor %}

),

surcharge_steps as (

    select grade, max(consecutive_year) as last_step from surcharges group by grade

),

final as (

    select
        evaluation.uscc,
        evaluation.year,
        evaluation.rule_pack,
        evaluation.grade,
        graded.grade_for_policy,
        case when evaluation.grade = 'D' then streaks.years_in_grade else 0 end
            as consecutive_d_years,
        coalesce(surcharges.yuan_per_kwh, 0) as surcharge_yuan_per_kwh,
        subsidies.share as subsidy_share
    from evaluation
    inner join graded on graded.uscc = evaluation.uscc and graded.year = evaluation.year
    inner join streaks on streaks.uscc = evaluation.uscc and streaks.year = evaluation.year
    left join surcharge_steps on surcharge_steps.grade = graded.grade_for_policy
    left join surcharges
        on surcharges.grade = graded.grade_for_policy
        and surcharges.consecutive_year = least(
            case when evaluation.grade = graded.grade_for_policy then streaks.years_in_grade
                 else 1 end,
            surcharge_steps.last_step)
    left join subsidies on subsidies.grade = graded.grade_for_policy

)

select * from final
