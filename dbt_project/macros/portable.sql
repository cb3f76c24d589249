{# Engine-specific SQL lives here, dispatched by adapter (DuckDB first; dbt's own
   cross-database macros are used where they exist). #}

{% macro year_start(year) -%}
    cast({{ dbt.concat(["cast(" ~ year ~ " as varchar)", "'-01-01'"]) }} as date)
{%- endmacro %}

{% macro year_end(year) -%}
    cast({{ dbt.concat(["cast(" ~ year ~ " as varchar)", "'-12-31'"]) }} as date)
{%- endmacro %}

{# An ordered list of values as one column (VARCHAR[] on DuckDB). #}
{% macro ordered_list(expression, order_by) -%}
    {{ return(adapter.dispatch('ordered_list', 'mujun')(expression, order_by)) }}
{%- endmacro %}

{% macro default__ordered_list(expression, order_by) -%}
    list({{ expression }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_list(expression, order_by) -%}
    transform(array_sort(collect_list(struct({{ order_by }} as k, {{ expression }} as v))), x -> x.v)
{%- endmacro %}

{% macro empty_list() -%}
    {{ return(adapter.dispatch('empty_list', 'mujun')()) }}
{%- endmacro %}

{% macro default__empty_list() -%}
    cast([] as varchar[])
{%- endmacro %}

{# Product of a group's values (coefficients multiply the total). #}
{% macro product_of(expression) -%}
    {{ return(adapter.dispatch('product_of', 'mujun')(expression)) }}
{%- endmacro %}

{% macro default__product_of(expression) -%}
    exp(sum(ln({{ expression }})))
{%- endmacro %}

{% macro duckdb__product_of(expression) -%}
    product({{ expression }})
{%- endmacro %}

{# A JSON object from alternating key and value expressions. #}
{% macro json_object_of(pairs) -%}
    json_object({{ pairs | join(', ') }})
{%- endmacro %}

{# Indicator value: factor × numerator / denominator, null when the denominator is
   zero or null (rule-pack.md: never infinite). DOUBLE, as marts.md asks. #}
{% macro safe_ratio(numerator, denominator, factor=1) -%}
    case when {{ denominator }} is not null and {{ denominator }} <> 0
         then {{ factor }} * cast({{ numerator }} as double) / cast({{ denominator }} as double) end
{%- endmacro %}

{# The value of a vocabulary metric or indicator named by a column `name_column`,
   read from the wide columns of the current row (prefix: the row's alias). #}
{% macro metric_by_name(name_column, prefix='') -%}
    case {{ name_column }}
    {%- for m in var('base_metrics') %}
        when '{{ m }}' then cast({{ prefix }}{{ m }} as double)
    {%- endfor %}
    {%- for i in var('indicators') %}
        when '{{ i.id }}' then {{ prefix }}{{ i.id }}
    {%- endfor %}
    end
{%- endmacro %}

{# True when a list column holds a value. #}
{% macro list_has(list_expression, value) -%}
    {{ return(adapter.dispatch('list_has', 'mujun')(list_expression, value)) }}
{%- endmacro %}

{% macro default__list_has(list_expression, value) -%}
    list_contains({{ list_expression }}, {{ value }})
{%- endmacro %}

{% macro spark__list_has(list_expression, value) -%}
    array_contains({{ list_expression }}, {{ value }})
{%- endmacro %}

{% macro severity_rank(column) -%}
    case {{ column }} when 'general' then 1 when 'major' then 2 when 'serious' then 3 end
{%- endmacro %}

{# The value of a vocabulary indicator named by a column, from the row's wide columns. #}
{% macro indicator_by_name(name_column, prefix='') -%}
    case {{ name_column }}
    {%- for i in var('indicators') %}
        when '{{ i.id }}' then {{ prefix }}{{ i.id }}
    {%- endfor %}
    end
{%- endmacro %}

{# A comparison named by data: `op` one of lt, le, gt, ge, eq. #}
{% macro compare(value, op, bound) -%}
    case {{ op }}
        when 'lt' then {{ value }} < {{ bound }}
        when 'le' then {{ value }} <= {{ bound }}
        when 'gt' then {{ value }} > {{ bound }}
        when 'ge' then {{ value }} >= {{ bound }}
        when 'eq' then {{ value }} = {{ bound }}
    end
{%- endmacro %}

{# One grade rule applied to a grade ordinal (0 = best; rule-pack.md "Grade rules"). #}
{% macro apply_grade_rule(grade, rule, worst) -%}
    case
        when not {{ rule }}.holds then {{ grade }}
        when {{ rule }}.kind = 'cap' then greatest({{ grade }}, {{ rule }}.rule_grade_ordinal)
        when {{ rule }}.kind = 'floor' then least({{ grade }}, {{ rule }}.rule_grade_ordinal)
        when {{ rule }}.kind = 'down' then least({{ grade }} + {{ rule }}.steps, {{ worst }})
        when {{ rule }}.kind = 'fix' then {{ rule }}.rule_grade_ordinal
        else {{ grade }}
    end
{%- endmacro %}

{# Up to 20 distinct non-null values, sorted and comma-joined, for a reader to look up. #}
{% macro sample_keys(expression) -%}
    {{ return(adapter.dispatch('sample_keys', 'mujun')(expression)) }}
{%- endmacro %}

{% macro default__sample_keys(expression) -%}
    array_to_string(list_slice(list_sort(list_distinct(list({{ expression }}))), 1, 20), ', ')
{%- endmacro %}

{# A JSON object built from rows: key column → value column. #}
{% macro json_object_agg(key, value) -%}
    {{ return(adapter.dispatch('json_object_agg', 'mujun')(key, value)) }}
{%- endmacro %}

{% macro default__json_object_agg(key, value) -%}
    json_group_object({{ key }}, {{ value }})
{%- endmacro %}

{# A list of {uscc, share} structs, ordered. #}
{% macro share_list(uscc, share, order_by) -%}
    {{ return(adapter.dispatch('share_list', 'mujun')(uscc, share, order_by)) }}
{%- endmacro %}

{% macro default__share_list(uscc, share, order_by) -%}
    list({'uscc': {{ uscc }}, 'share': {{ share }}} order by {{ order_by }})
{%- endmacro %}

{# Area in m² of a GeoJSON Polygon's outer ring given in WGS84 degrees: the shoelace
   formula on a local equirectangular projection (ample for a parcel's few hundred
   metres). Null for other shapes. Used to spot areas typed in the wrong unit. #}
{% macro geometry_area_m2(geometry) -%}
    {{ return(adapter.dispatch('geometry_area_m2', 'mujun')(geometry)) }}
{%- endmacro %}

{% macro default__geometry_area_m2(geometry) -%}
    case when json_extract_string({{ geometry }}, '$.type') = 'Polygon' then (
        select abs(list_sum(list_transform(range(1, len(ring)),
                   lambda i: ring[i][1] * ring[i + 1][2] - ring[i + 1][1] * ring[i][2]))) / 2
               * 111320 * cos(radians(ring[1][2])) * 110540
        from (select cast(json_extract({{ geometry }}, '$.coordinates[0]') as double[][]) as ring)
    ) end
{%- endmacro %}

{# The median (an even count's median is the mean of the middle two). #}
{% macro median_of(expression) -%}
    {{ return(adapter.dispatch('median_of', 'mujun')(expression)) }}
{%- endmacro %}

{% macro default__median_of(expression) -%}
    quantile_cont({{ expression }}, 0.5)
{%- endmacro %}

{# The value of `expression` on the row where `order_by` is smallest (nulls ignored). #}
{% macro first_by(expression, order_by) -%}
    {{ return(adapter.dispatch('first_by', 'mujun')(expression, order_by)) }}
{%- endmacro %}

{% macro default__first_by(expression, order_by) -%}
    arg_min({{ expression }}, {{ order_by }})
{%- endmacro %}
