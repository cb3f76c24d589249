{# Layers are schemas named as they are (staging, intermediate, marts, audit), not
   prefixed with the target's schema: readers and gates address them by name. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
