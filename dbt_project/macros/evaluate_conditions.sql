{#
  Evaluates the pack's conditions (rule-pack.md "Conditions") for every subject row
  (enterprise and year), as data: the pack's `when` trees arrive flattened in
  rp_conditions (one row per node). Leaves are tested against the subject's wide
  columns; `all`/`any` nodes fold their children level by level, deepest first
  (`all` of nothing is true, `any` of nothing false). A condition on a null metric
  is false. Returns one row per subject and condition: uscc, year, condition_id, holds.

  subjects: a relation with uscc, year, pool, evaluated, industry_group,
            industry_major, above_scale, high_tech, land_class and every base
            figure and indicator of the vocabulary as a column.
  condition_filter: SQL over rp_conditions choosing which conditions to evaluate.
#}
{% macro evaluate_conditions(subjects, condition_filter) %}
{%- set max_depth = var('condition_max_depth') -%}
with subjects as (

    select * from {{ subjects }}

),

nodes as (

    select * from {{ source('rule_pack', 'rp_conditions') }}
    where {{ condition_filter }}

),

list_hits as (

    select distinct {{ normalise_code('uscc') }} as uscc, subjects.year, list_members.list_id
    from {{ source('reference', 'list_members') }} as list_members
    inner join (select distinct year from subjects) as subjects
        on (list_members.year_from is null or list_members.year_from <= subjects.year)
        and (list_members.year_to is null or list_members.year_to >= subjects.year)

),

incident_hits as (

    select uscc, extract(year from date) as year, category, max({{ severity_rank('severity') }}) as worst
    from {{ ref('stg_env__incidents') }}
    group by uscc, extract(year from date), category

),

leaf_values as (

    select
        subjects.uscc,
        subjects.year,
        subjects.pool,
        subjects.evaluated,
        subjects.industry_group,
        nodes.condition_id,
        nodes.node_id,
        nodes.parent_node_id,
        nodes.depth,
        nodes.kind,
        nodes.op,
        nodes.number,
        {{ metric_by_name('nodes.metric', 'subjects.') }} as metric_value,
        case nodes.kind
            when 'flag' then
                case nodes.text
                    when 'above_scale' then subjects.above_scale
                    when 'below_scale' then not subjects.above_scale
                    when 'high_tech' then subjects.high_tech
                end
            when 'land_class' then subjects.land_class = nodes.text
            when 'industry_major' then {{ list_has('nodes.texts', 'subjects.industry_major') }}
            when 'industry_group' then subjects.industry_group = nodes.text
            when 'list' then list_hits.list_id is not null
            when 'incident' then incident_hits.worst >= {{ severity_rank('nodes.min_severity') }}
        end as attribute_holds
    from subjects
    cross join nodes
    left join list_hits
        on nodes.kind = 'list' and list_hits.list_id = nodes.text
        and list_hits.uscc = subjects.uscc and list_hits.year = subjects.year
    left join incident_hits
        on nodes.kind = 'incident' and incident_hits.category = nodes.text
        and incident_hits.uscc = subjects.uscc and incident_hits.year = subjects.year
    where nodes.kind not in ('all', 'any')

),

leaves as (

    select
        uscc, year, condition_id, node_id, parent_node_id, depth,
        coalesce(case kind
            when 'metric' then
                {{ compare('metric_value', 'op', 'number') }}
            -- below the mean of its industry group in its pool, over evaluated enterprises
            when 'metric_lt_group_mean' then metric_value < avg(
                case when evaluated then metric_value end
            ) over (partition by year, pool, industry_group, condition_id, node_id)
            else attribute_holds
        end, false) as holds
    from leaf_values

),

{% for depth in range(max_depth, -1, -1) %}
values_at_{{ depth }} as (

    select uscc, year, condition_id, node_id, parent_node_id, holds
    from leaves
    where depth = {{ depth }}

    union all

    select
        subjects.uscc,
        subjects.year,
        nodes.condition_id,
        nodes.node_id,
        nodes.parent_node_id,
        case nodes.kind
            when 'all' then coalesce(bool_and(children.holds), true)
            else coalesce(bool_or(children.holds), false)
        end as holds
    from subjects
    cross join nodes
    {%- if depth < max_depth %}
    left join values_at_{{ depth + 1 }} as children
        on children.uscc = subjects.uscc
        and children.year = subjects.year
        and children.condition_id = nodes.condition_id
        and children.parent_node_id = nodes.node_id
    {%- else %}
    left join (select cast(null as boolean) as holds) as children on false
    {%- endif %}
    where nodes.depth = {{ depth }} and nodes.kind in ('all', 'any')
    group by subjects.uscc, subjects.year, nodes.condition_id, nodes.node_id,
        nodes.parent_node_id, nodes.kind

),
{% endfor %}

final as (

    select uscc, year, condition_id, holds
    from values_at_0
    where parent_node_id is null

)

select * from final
{% endmacro %}
