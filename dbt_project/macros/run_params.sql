{# One of this run's parameters (year, rule_pack, quarter, run_kind) as a scalar
   subquery over mujun_meta.run_params (see its source). #}
{% macro run_param(name) -%}
    (select {{ name }} from {{ source('mujun_meta', 'run_params') }})
{%- endmacro %}
