-- Adjudicated objections (企业异议) replace the base figure they correct before any
-- indicator is computed; the trace keeps the original, the correction, the approver
-- and the evidence (audit.evaluation_trace).
with figures as (

    select * from {{ ref('int_enterprise_figures') }}

),

objections as (

    select * from {{ source('reference', 'objections') }}
    where approved_by is not null

),

corrections as (

    select
        {{ normalise_code('uscc') }} as uscc,
        year
        {%- for metric in var('base_metrics') %},
        max(case when figure = '{{ metric }}' then corrected_value end) as {{ metric }}
        {%- endfor %}
    from objections
    group by {{ normalise_code('uscc') }}, year

),

final as (

    select
        figures.* exclude ({{ var('base_metrics') | join(', ') }}),
        {%- for metric in var('base_metrics') %}
        {%- if metric in ('tenant_count', 'years_open') %}
        coalesce(cast(corrections.{{ metric }} as integer), figures.{{ metric }}) as {{ metric }}
        {%- else %}
        coalesce(corrections.{{ metric }}, figures.{{ metric }}) as {{ metric }}
        {%- endif %}{{ "," if not loop.last }}
        {%- endfor %}
    from figures
    left join corrections
        on corrections.uscc = figures.uscc and corrections.year = figures.year

)

select * from final
