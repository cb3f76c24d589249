{# Typing of landed strings. Every landed value is a string or null; a value that
   does not parse as its type makes the record `bad_value` (feeds.md). Null stays null. #}

{% macro parse_decimal(column, scale=6, precision=24) -%}
    case when {{ regex_full_match(column, '-?[0-9]{1,' ~ (precision - scale) ~ '}([.][0-9]{1,' ~ scale ~ '})?') }}
         then cast({{ column }} as decimal({{ precision }}, {{ scale }})) end
{%- endmacro %}

{% macro parse_integer(column) -%}
    case when {{ regex_full_match(column, '-?[0-9]{1,9}') }} then cast({{ column }} as integer) end
{%- endmacro %}

{% macro parse_date(column) -%}
    case when {{ regex_full_match(column, '[0-9]{4}-[0-9]{2}-[0-9]{2}') }}
         then {{ try_cast_date(column) }} end
{%- endmacro %}

{% macro parse_month(column) -%}
    case when {{ regex_full_match(column, '[0-9]{4}-(0[1-9]|1[0-2])') }} then {{ column }} end
{%- endmacro %}

{% macro parse_flag(column) -%}
    case {{ column }} when '1' then true when '0' then false end
{%- endmacro %}

{# The value is there but did not parse. #}
{% macro unparsed(raw, parsed) -%}
    ({{ raw }} is not null and {{ parsed }} is null)
{%- endmacro %}

{# A date of the right shape that is no calendar date (2024-02-30) is null, not an error:
   dbt-duckdb compiles dbt.safe_cast to a plain cast, so DuckDB's try_cast is used. #}
{% macro try_cast_date(column) -%}
    {{ return(adapter.dispatch('try_cast_date', 'mujun')(column)) }}
{%- endmacro %}

{% macro default__try_cast_date(column) -%}
    {{ dbt.safe_cast(column, api.Column.translate_type('date')) }}
{%- endmacro %}

{% macro duckdb__try_cast_date(column) -%}
    try_cast({{ column }} as date)
{%- endmacro %}
