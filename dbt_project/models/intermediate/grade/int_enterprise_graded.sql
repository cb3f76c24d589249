{#- Final grades (rule-pack.md "Grade rules"): the pack's rules in order, each on the
    result of the last. cap: no better than its grade; floor: no worse; down: `steps`
    worse, never past the worst band; fix: set. follow_landlord gives a tenant its
    landlord's final grade (after the landlord's own rules, following chains; a `T`
    landlord gives its treat_as; in a cycle each member keeps its grade from before
    the rule; with no graded landlord the grade stays), and the rules after it then
    apply to the tenant as to everyone. Grades are band ordinals here (0 = best).
    Chains of any length resolve recursively from the enterprises that follow nobody
    (and the members of cycles, which keep their grade from before the rule). -#}
with recursive ranked as (

    select * from {{ ref('int_enterprise_ranked') }}

),

not_graded as (

    select * from {{ ref('int_enterprise_not_graded') }}

),

tested as (

    select * from {{ ref('int_grade_rules_tested') }}

),

bands as (

    select grade, ordinal from {{ source('rule_pack', 'rp_grade_bands') }}
    where band_scope = 'enterprise'

),

worst as (

    select max(ordinal) as worst_ordinal from bands

),

follow_rule as (

    select coalesce(min(ordinal), -1) as follow_ordinal
    from {{ source('rule_pack', 'rp_grade_rules') }}
    where kind = 'follow_landlord'

),

graded as (

    select ranked.uscc, ranked.year, ranked.band_ordinal
    from ranked
    where not exists (
        select 1 from not_graded
        where not_graded.uscc = ranked.uscc and not_graded.year = ranked.year
    )

),

pre_rules as (

    select tested.*, row_number() over (partition by uscc, year order by ordinal) as step
    from tested cross join follow_rule
    where tested.ordinal < follow_rule.follow_ordinal

),

post_rules as (

    select tested.*, row_number() over (partition by uscc, year order by ordinal) as step
    from tested cross join follow_rule
    where tested.ordinal > follow_rule.follow_ordinal

),

pre_walk as (

    select uscc, year, 0 as step, band_ordinal as grade_ordinal from graded

    union all

    select
        pre_walk.uscc, pre_walk.year, pre_walk.step + 1,
        {{ apply_grade_rule('pre_walk.grade_ordinal', 'pre_rules', 'worst.worst_ordinal') }}
    from pre_walk
    inner join pre_rules
        on pre_rules.uscc = pre_walk.uscc and pre_rules.year = pre_walk.year
        and pre_rules.step = pre_walk.step + 1
    cross join worst

),

before_follow as (

    select uscc, year, grade_ordinal
    from (
        select *, row_number() over (partition by uscc, year order by step desc) as latest
        from pre_walk
    ) as steps
    where latest = 1

),

post_walk as (

    -- the rules after follow_landlord, from every possible grade
    select graded.uscc, graded.year, bands.ordinal as start_ordinal, 0 as step,
        bands.ordinal as grade_ordinal
    from graded cross join bands

    union all

    select
        post_walk.uscc, post_walk.year, post_walk.start_ordinal, post_walk.step + 1,
        {{ apply_grade_rule('post_walk.grade_ordinal', 'post_rules', 'worst.worst_ordinal') }}
    from post_walk
    inner join post_rules
        on post_rules.uscc = post_walk.uscc and post_rules.year = post_walk.year
        and post_rules.step = post_walk.step + 1
    cross join worst

),

after_follow as (

    select uscc, year, start_ordinal, grade_ordinal
    from (
        select *, row_number() over (
            partition by uscc, year, start_ordinal order by step desc) as latest
        from post_walk
    ) as steps
    where latest = 1

),

followers as (

    -- tenants whose follow_landlord condition held and whose landlord is evaluated
    select tested.uscc, tested.year, landlords.landlord_uscc
    from tested
    inner join {{ ref('int_tenant_landlords') }} as landlords
        on landlords.uscc = tested.uscc and landlords.year = tested.year
    inner join ranked as landlord_ranked
        on landlord_ranked.uscc = landlords.landlord_uscc and landlord_ranked.year = tested.year
    where tested.kind = 'follow_landlord' and tested.holds

),

walk as (

    -- each follower's chain of landlords, until it comes back to the follower (a cycle)
    -- or leaves the followers; at most as many hops as there are followers
    select uscc as start_uscc, year, landlord_uscc as current_uscc, 1 as hops
    from followers

    union all

    select walk.start_uscc, walk.year, followers.landlord_uscc, walk.hops + 1
    from walk
    inner join followers
        on followers.uscc = walk.current_uscc and followers.year = walk.year
    where walk.current_uscc <> walk.start_uscc
      and walk.hops <= (select count(*) from followers)

),

cycle_members as (

    select distinct start_uscc as uscc, year from walk where current_uscc = start_uscc

),

own_grades as (

    -- everyone's grade as if follow_landlord did not apply: the rules before it,
    -- then the rules after it
    select graded.uscc, graded.year, after_follow.grade_ordinal
    from graded
    inner join before_follow
        on before_follow.uscc = graded.uscc and before_follow.year = graded.year
    inner join after_follow
        on after_follow.uscc = graded.uscc and after_follow.year = graded.year
        and after_follow.start_ordinal = before_follow.grade_ordinal

),

resolved as (

    -- enterprises that follow nobody, and cycle members, keep their own grade
    select own_grades.uscc, own_grades.year, own_grades.grade_ordinal
    from own_grades
    where not exists (
            select 1 from followers
            where followers.uscc = own_grades.uscc and followers.year = own_grades.year)
       or exists (
            select 1 from cycle_members
            where cycle_members.uscc = own_grades.uscc and cycle_members.year = own_grades.year)

    union all

    -- a T landlord gives its treat_as
    select not_graded.uscc, not_graded.year, bands.ordinal
    from not_graded
    inner join bands on bands.grade = not_graded.treat_as

    union all

    -- a follower takes its landlord's final grade, then the rules after follow_landlord
    select followers.uscc, followers.year, tenant_after.grade_ordinal
    from resolved
    inner join followers
        on followers.landlord_uscc = resolved.uscc and followers.year = resolved.year
    inner join after_follow as tenant_after
        on tenant_after.uscc = followers.uscc and tenant_after.year = followers.year
        and tenant_after.start_ordinal = resolved.grade_ordinal
    where not exists (
        select 1 from cycle_members
        where cycle_members.uscc = followers.uscc and cycle_members.year = followers.year)

),

reasons as (

    select uscc, year, {{ ordered_list('rule_id', 'ordinal') }} as grade_reasons
    from tested
    where holds
    group by uscc, year

),

final as (

    select
        ranked.uscc,
        ranked.year,
        case when not_graded.uscc is not null then 'T' else final_band.grade end as grade,
        not_graded.not_graded_id,
        coalesce(not_graded.treat_as, final_band.grade) as grade_for_policy,
        coalesce(reasons.grade_reasons, {{ empty_list() }}) as grade_reasons
    from ranked
    left join not_graded on not_graded.uscc = ranked.uscc and not_graded.year = ranked.year
    left join resolved
        on resolved.uscc = ranked.uscc and resolved.year = ranked.year
        and not_graded.uscc is null
    left join bands as final_band on final_band.ordinal = resolved.grade_ordinal
    left join reasons on reasons.uscc = ranked.uscc and reasons.year = ranked.year

)

select * from final
