-- Every indicator of the vocabulary per enterprise and year: factor × numerator /
-- denominator, null when the denominator is zero or null (rule-pack.md).
with figures as (

    select * from {{ ref('int_enterprise_figures_adjusted') }}

),

final as (

    select
        figures.*
        {%- for indicator in var('indicators') %},
        {{ safe_ratio(indicator.num, indicator.den, indicator.factor) }} as {{ indicator.id }}
        {%- endfor %}
    from figures

)

select * from final
