{# One reference file's rows and how many matched this run's data (audit.reconciliation,
   item reference_rows_matched). Each lookup is a left join: `relation` as `alias`, whose
   `key` equals the reference row's `column` once normalised, `also` an extra condition.
   A row matched nothing when any lookup found nothing; `sample_key` names it in `detail`. #}
{% macro reference_rows_matched(dataset, relation, alias, lookups, sample_key, where=none) -%}
    {%- set misses = [] -%}
    {%- for lookup in lookups -%}
        {%- do misses.append(lookup.alias ~ '.' ~ lookup.key ~ ' is null') -%}
    {%- endfor -%}
    {%- set unmatched = misses | join(' or ') -%}
    select '{{ dataset }}' as dataset, 'reference_rows_matched' as item,
        count(*) - count(case when {{ unmatched }} then 1 end) as matched, count(*) as total,
        {{ sample_keys("case when " ~ unmatched ~ " then " ~ sample_key ~ " end") }} as detail
    from {{ relation }} as {{ alias }}
    {%- for lookup in lookups %}
    left join {{ lookup.relation }} as {{ lookup.alias }}
        on {{ lookup.alias }}.{{ lookup.key }} = {{ normalise_code(alias ~ '.' ~ lookup.column) }}
        {%- if lookup.also %} and {{ lookup.also }}{% endif %}
    {%- endfor %}
    {%- if where %}
    where {{ where }}
    {%- endif %}
{%- endmacro %}
