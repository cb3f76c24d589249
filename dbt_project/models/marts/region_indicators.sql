-- The application form's ten above-scale indicators (seed 003) plus tax paid per mu,
-- per county, division and park: each from the area's totals (Σ numerator ÷ Σ
-- denominator over the enterprises having both, the denominator above 0), never a
-- mean of ratios. Evaluated enterprises flagged above scale in the register, each
-- counted wholly where its register entry puts it.
{%- set region_indicators = [
    ('value_added_per_mu', 'value_added_wan', 'land_area_mu', 1),
    ('output_per_mu', 'output_wan', 'land_area_mu', 1),
    ('revenue_per_mu', 'revenue_wan', 'land_area_mu', 1),
    ('tax_per_mu', 'tax_restored_wan', 'land_area_mu', 1),
    ('tax_paid_per_mu', 'tax_paid_wan', 'land_area_mu', 1),
    ('rd_share', 'rd_expense_wan', 'revenue_wan', 1),
    ('labour_productivity', 'value_added_wan', 'employees_avg', 1),
    ('value_added_per_tce', 'value_added_wan', 'energy_tce', 1),
    ('output_per_tce', 'output_wan', 'energy_tce', 1),
    ('revenue_per_tce', 'revenue_wan', 'energy_tce', 1),
    ('revenue_per_tce_electricity', 'revenue_wan', 'electricity_tce', 1),
] %}
with enterprises as (

    select * from {{ ref('int_enterprise_scope') }}
    where evaluated and above_scale and year = {{ run_param('year') }}

),

placed as (

    select 'county' as area_kind, 'all' as area_code, enterprises.* from enterprises
    union all
    select 'division', division_code, enterprises.* from enterprises where division_code is not null
    union all
    select 'park', park, enterprises.* from enterprises where park is not null

),

final as (

    select
        area_kind,
        area_code,
        year,
        {{ run_param('rule_pack') }} as rule_pack,
        count(*) as enterprises
        {%- for id, num, den, factor in region_indicators %},
        {{ safe_ratio('sum(case when ' ~ num ~ ' is not null and ' ~ den ~ ' > 0 then ' ~ num ~ ' end)',
                      'sum(case when ' ~ num ~ ' is not null and ' ~ den ~ ' > 0 then ' ~ den ~ ' end)',
                      factor) }} as {{ id }},
        sum(case when {{ num }} is not null and {{ den }} > 0 then {{ num }} end) as {{ id }}_num,
        sum(case when {{ num }} is not null and {{ den }} > 0 then {{ den }} end) as {{ id }}_den
        {%- endfor %}
    from placed
    group by area_kind, area_code, year

)

select * from final
