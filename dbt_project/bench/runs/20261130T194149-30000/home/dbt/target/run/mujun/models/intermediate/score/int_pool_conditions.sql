
    

    create  table
      "work"."intermediate"."int_pool_conditions__dbt_tmp"
  
    
    as (
      -- The pools' conditions, tested before any pool exists (so `lt_group_mean`, which
-- needs a pool, does not belong in a pool's `when`).
with subjects as (

    select * from (select *, cast(null as varchar) as pool, cast(null as boolean) as evaluated from "work"."intermediate"."int_enterprise_attributes")

),

nodes as (

    select * from "work"."rule_pack"."rp_conditions"
    where condition_id like 'pool:%'

),

list_hits as (

    select distinct upper(regexp_replace(translate(uscc, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g')) as uscc, subjects.year, list_members.list_id
    from "work"."reference"."list_members" as list_members
    inner join (select distinct year from subjects) as subjects
        on (list_members.year_from is null or list_members.year_from <= subjects.year)
        and (list_members.year_to is null or list_members.year_to >= subjects.year)

),

incident_hits as (

    select uscc, extract(year from date) as year, category, max(case severity when 'general' then 1 when 'major' then 2 when 'serious' then 3 end) as worst
    from "work"."staging"."stg_env__incidents"
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
        case nodes.metric
        when 'land_area_mu' then cast(subjects.land_area_mu as double)
        when 'tax_paid_wan' then cast(subjects.tax_paid_wan as double)
        when 'tax_restored_wan' then cast(subjects.tax_restored_wan as double)
        when 'output_wan' then cast(subjects.output_wan as double)
        when 'value_added_wan' then cast(subjects.value_added_wan as double)
        when 'revenue_wan' then cast(subjects.revenue_wan as double)
        when 'rd_expense_wan' then cast(subjects.rd_expense_wan as double)
        when 'employees_avg' then cast(subjects.employees_avg as double)
        when 'rd_staff' then cast(subjects.rd_staff as double)
        when 'degree_staff' then cast(subjects.degree_staff as double)
        when 'electricity_kwh' then cast(subjects.electricity_kwh as double)
        when 'energy_tce' then cast(subjects.energy_tce as double)
        when 'emissions_t' then cast(subjects.emissions_t as double)
        when 'co2_t' then cast(subjects.co2_t as double)
        when 'water_t' then cast(subjects.water_t as double)
        when 'tenant_count' then cast(subjects.tenant_count as double)
        when 'years_open' then cast(subjects.years_open as double)
        when 'tax_per_mu' then subjects.tax_per_mu
        when 'value_added_per_mu' then subjects.value_added_per_mu
        when 'output_per_mu' then subjects.output_per_mu
        when 'revenue_per_mu' then subjects.revenue_per_mu
        when 'labour_productivity' then subjects.labour_productivity
        when 'revenue_per_employee' then subjects.revenue_per_employee
        when 'rd_share' then subjects.rd_share
        when 'value_added_per_tce' then subjects.value_added_per_tce
        when 'output_per_tce' then subjects.output_per_tce
        when 'revenue_per_tce' then subjects.revenue_per_tce
        when 'revenue_per_tce_electricity' then subjects.revenue_per_tce_electricity
        when 'output_per_kwh' then subjects.output_per_kwh
        when 'value_added_per_emission_t' then subjects.value_added_per_emission_t
        when 'talent_density' then subjects.talent_density
        when 'value_added_per_co2_t' then subjects.value_added_per_co2_t
        when 'tax_per_kwh' then subjects.tax_per_kwh
        when 'tax_per_tce' then subjects.tax_per_tce
        when 'revenue_per_emission_t' then subjects.revenue_per_emission_t
        when 'tax_per_emission_t' then subjects.tax_per_emission_t
        when 'value_added_per_water_t' then subjects.value_added_per_water_t
    end as metric_value,
        case nodes.kind
            when 'flag' then
                case nodes.text
                    when 'above_scale' then subjects.above_scale
                    when 'below_scale' then not subjects.above_scale
                    when 'high_tech' then subjects.high_tech
                end
            when 'land_class' then subjects.land_class = nodes.text
            when 'industry_major' then list_contains(nodes.texts, subjects.industry_major)
            when 'industry_group' then subjects.industry_group = nodes.text
            when 'list' then list_hits.list_id is not null
            when 'incident' then incident_hits.worst >= case nodes.min_severity when 'general' then 1 when 'major' then 2 when 'serious' then 3 end
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
                case op
        when 'lt' then metric_value < number
        when 'le' then metric_value <= number
        when 'gt' then metric_value > number
        when 'ge' then metric_value >= number
        when 'eq' then metric_value = number
    end
            -- below the mean of its industry group in its pool, over evaluated enterprises
            when 'metric_lt_group_mean' then metric_value < avg(
                case when evaluated then metric_value end
            ) over (partition by year, pool, industry_group, condition_id, node_id)
            else attribute_holds
        end, false) as holds
    from leaf_values

),


values_at_6 as (

    select uscc, year, condition_id, node_id, parent_node_id, holds
    from leaves
    where depth = 6

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
    left join (select cast(null as boolean) as holds) as children on false
    where nodes.depth = 6 and nodes.kind in ('all', 'any')
    group by subjects.uscc, subjects.year, nodes.condition_id, nodes.node_id,
        nodes.parent_node_id, nodes.kind

),

values_at_5 as (

    select uscc, year, condition_id, node_id, parent_node_id, holds
    from leaves
    where depth = 5

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
    left join values_at_6 as children
        on children.uscc = subjects.uscc
        and children.year = subjects.year
        and children.condition_id = nodes.condition_id
        and children.parent_node_id = nodes.node_id
    where nodes.depth = 5 and nodes.kind in ('all', 'any')
    group by subjects.uscc, subjects.year, nodes.condition_id, nodes.node_id,
        nodes.parent_node_id, nodes.kind

),

values_at_4 as (

    select uscc, year, condition_id, node_id, parent_node_id, holds
    from leaves
    where depth = 4

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
    left join values_at_5 as children
        on children.uscc = subjects.uscc
        and children.year = subjects.year
        and children.condition_id = nodes.condition_id
        and children.parent_node_id = nodes.node_id
    where nodes.depth = 4 and nodes.kind in ('all', 'any')
    group by subjects.uscc, subjects.year, nodes.condition_id, nodes.node_id,
        nodes.parent_node_id, nodes.kind

),

values_at_3 as (

    select uscc, year, condition_id, node_id, parent_node_id, holds
    from leaves
    where depth = 3

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
    left join values_at_4 as children
        on children.uscc = subjects.uscc
        and children.year = subjects.year
        and children.condition_id = nodes.condition_id
        and children.parent_node_id = nodes.node_id
    where nodes.depth = 3 and nodes.kind in ('all', 'any')
    group by subjects.uscc, subjects.year, nodes.condition_id, nodes.node_id,
        nodes.parent_node_id, nodes.kind

),

values_at_2 as (

    select uscc, year, condition_id, node_id, parent_node_id, holds
    from leaves
    where depth = 2

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
    left join values_at_3 as children
        on children.uscc = subjects.uscc
        and children.year = subjects.year
        and children.condition_id = nodes.condition_id
        and children.parent_node_id = nodes.node_id
    where nodes.depth = 2 and nodes.kind in ('all', 'any')
    group by subjects.uscc, subjects.year, nodes.condition_id, nodes.node_id,
        nodes.parent_node_id, nodes.kind

),

values_at_1 as (

    select uscc, year, condition_id, node_id, parent_node_id, holds
    from leaves
    where depth = 1

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
    left join values_at_2 as children
        on children.uscc = subjects.uscc
        and children.year = subjects.year
        and children.condition_id = nodes.condition_id
        and children.parent_node_id = nodes.node_id
    where nodes.depth = 1 and nodes.kind in ('all', 'any')
    group by subjects.uscc, subjects.year, nodes.condition_id, nodes.node_id,
        nodes.parent_node_id, nodes.kind

),

values_at_0 as (

    select uscc, year, condition_id, node_id, parent_node_id, holds
    from leaves
    where depth = 0

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
    left join values_at_1 as children
        on children.uscc = subjects.uscc
        and children.year = subjects.year
        and children.condition_id = nodes.condition_id
        and children.parent_node_id = nodes.node_id
    where nodes.depth = 0 and nodes.kind in ('all', 'any')
    group by subjects.uscc, subjects.year, nodes.condition_id, nodes.node_id,
        nodes.parent_node_id, nodes.kind

),


final as (

    select uscc, year, condition_id, holds
    from values_at_0
    where parent_node_id is null

)

select * from final

    );
    
  