{# Identifier normalisation and validation (feeds.md "Values"), portable SQL.
   NFKC is applied for what sources actually send: the full-width ASCII block
   (U+FF01–U+FF5E) and the ideographic space; Python's mujun.codes applies full NFKC
   and a test checks both agree on the simulator's defects. #}

{% macro fold_fullwidth(column) -%}
    translate({{ column }}, '{{ "！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～" | replace("'", "''") }}', '{{ "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~" | replace("'", "''") }}')
{%- endmacro %}

{% macro strip_spaces(column) -%}
    {{ return(adapter.dispatch('strip_spaces', 'mujun')(column)) }}
{%- endmacro %}

{% macro default__strip_spaces(column) -%}
    regexp_replace({{ column }}, '[\s\x{3000}\x{00A0}]+', '', 'g')
{%- endmacro %}

{% macro normalise_code(column) -%}
    upper({{ strip_spaces(fold_fullwidth(column)) }})
{%- endmacro %}

{% macro normalise_name(column) -%}
    {{ strip_spaces(fold_fullwidth(column)) }}
{%- endmacro %}

{# GB 32100-2015: 18 characters of 0-9A-HJ-NPQRTUWXY, the last a check character
   (31 − Σ value × weight mod 31) mod 31 over the first 17. #}
{% macro is_valid_uscc(code) -%}
    {%- set alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY" -%}
    {%- set weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] -%}
    coalesce(
        length({{ code }}) = 18
        and {{ regex_full_match(code, '[0-9A-HJ-NPQRTUWXY]{18}') }}
        and substr('{{ alphabet }}', ((31 - ((
            {%- for w in weights %}
            ({{ dbt.position("substr(" ~ code ~ ", " ~ loop.index ~ ", 1)", "'" ~ alphabet ~ "'") }} - 1) * {{ w }}{{ " +" if not loop.last }}
            {%- endfor %}
        ) % 31)) % 31) + 1, 1) = substr({{ code }}, 18, 1),
        false)
{%- endmacro %}

{% macro is_valid_parcel_code(code) -%}
    coalesce({{ regex_full_match(code, '[0-9]{12}[A-Z]{2}[0-9]{5}') }}, false)
{%- endmacro %}

{% macro is_valid_account_no(code) -%}
    coalesce({{ regex_full_match(code, '[0-9]{10}') }}, false)
{%- endmacro %}

{% macro regex_full_match(column, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match', 'mujun')(column, pattern)) }}
{%- endmacro %}

{% macro default__regex_full_match(column, pattern) -%}
    regexp_full_match({{ column }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_full_match(column, pattern) -%}
    ({{ column }} rlike '^{{ pattern }}$')
{%- endmacro %}
