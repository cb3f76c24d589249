{#
  One macro serves every base staging model: it types the landed strings of one
  dataset, normalises codes and names the first reason, if any, that the record
  must be quarantined for (feeds.md, "Values" and "Record keys"):

    bad_value        a value that was not a string or null, or a decimal, date,
                     month or integer that does not parse
    invalid_uscc / invalid_parcel_code / invalid_account_no
                     the record's key, or an enterprise-level dataset's uscc, fails
    <extra checks>   e.g. unknown_unit
    duplicate_key    a later record with a key already delivered in the snapshot

  Column types:
    text                         as delivered
    uscc / parcel / account      normalised; invalid → the record is quarantined
    uscc_ref / parcel_ref        normalised; invalid → null, `<name>_invalid` true,
                                 the record stays (a register that only points)
    decimal / integer / date / month / flag / quarter   typed, or bad_value
    json                         kept when it parses as JSON, else null (a parcel
                                 without an outline): the record stays
  `non_negative: true` on a decimal makes a negative value bad_value (an area).
#}
{% macro stage_landed(dataset, columns, key, extra_checks=[], dedup_order='_record_no') %}
{%- set relation = source('landing', dataset | replace('.', '__')) -%}
{%- set reasons = {'uscc': 'invalid_uscc', 'parcel': 'invalid_parcel_code',
                   'account': 'invalid_account_no'} -%}
{%- set parsed_types = ['decimal', 'integer', 'date', 'month', 'flag', 'quarter'] -%}
{%- set code_types = ['uscc', 'parcel', 'account', 'uscc_ref', 'parcel_ref'] -%}
{%- set key_codes = [] -%}
{%- for c in columns if c.type in reasons and c.name in key + ['uscc'] -%}
    {%- do key_codes.append(c) -%}
{%- endfor -%}
with landed as (

    select * from {{ relation }}
    {%- if is_incremental() %}
    -- a snapshot is immutable: one typed once stays typed (mujun.pipeline prunes the
    -- superseded, and rebuilds everything when the staging code changes)
    where _snapshot_id not in (select distinct _snapshot_id from {{ this }})
    {%- endif %}

),
{%- for c in columns if c.type in code_types %}

codes_{{ c.name }} as (

    -- codes repeat (an enterprise pays every month): normalise and check each once
    select raw, normalised, coalesce({{ code_is_valid(c.type, 'normalised') }}, false) as valid
    from (
        select raw, {{ normalise_code('raw') }} as normalised
        from (select distinct {{ c.name }} as raw from landed) as distinct_codes
    ) as normalised_codes

),
{%- endfor %}

typed as (

    select
        '{{ dataset }}' as _dataset,
        landed._period,
        {%- if 'year' not in columns | map(attribute='name') | list %}
        cast(substr(landed._period, 1, 4) as integer) as year,
        {%- endif %}
        landed._snapshot_id,
        landed._record_no,
        concat_ws('|', {% for k in key %}coalesce(cast(landed.{{ k }} as varchar), ''){{ ", " if not loop.last }}{% endfor %}) as _record_key,
        {%- for c in columns %}
        {%- if c.type in ('uscc', 'parcel', 'account') %}
        codes_{{ c.name }}.normalised as {{ c.name }},
        {%- elif c.type in ('uscc_ref', 'parcel_ref') %}
        case when codes_{{ c.name }}.valid then codes_{{ c.name }}.normalised end as {{ c.name }},
        (landed.{{ c.name }} is not null and not codes_{{ c.name }}.valid) as {{ c.name }}_invalid,
        {%- else %}
        {{ typed_value(c) }} as {{ c.name }},
        {%- endif %}
        {%- endfor %}
        {%- for c in key_codes %}
        coalesce(codes_{{ c.name }}.valid, false) as _valid_{{ c.name }},
        {%- endfor %}
        landed._nonstring_fields is not null
        {%- for c in columns if c.type in parsed_types %}
            or {{ unparsed('landed.' ~ c.name, typed_value(c)) }}
        {%- endfor %}
        {%- for c in columns if c.get('non_negative') %}
            or coalesce({{ typed_value(c) }} < 0, false)
        {%- endfor %} as _bad_value
    from landed
    {%- for c in columns if c.type in code_types %}
    left join codes_{{ c.name }} on codes_{{ c.name }}.raw = landed.{{ c.name }}
    {%- endfor %}

),

checked as (

    select
        *,
        case
            when _bad_value then 'bad_value'
            {%- for c in key_codes %}
            when not _valid_{{ c.name }} then '{{ reasons[c.type] }}'
            {%- endfor %}
            {%- for check in extra_checks %}
            when {{ check.when }} then '{{ check.reason }}'
            {%- endfor %}
            when row_number() over (
                partition by _snapshot_id, {{ key | join(', ') }} order by {{ dedup_order }}
            ) > 1 then 'duplicate_key'
        end as _quarantine_reason
    from typed

)

select * exclude (_bad_value{% for c in key_codes %}, _valid_{{ c.name }}{% endfor %}) from checked
{% endmacro %}


{% macro typed_value(c) -%}
    {%- if c.type in ('uscc', 'parcel', 'account') -%}
        {{ normalise_code(c.name) }}
    {%- elif c.type in ('uscc_ref', 'parcel_ref') -%}
        case when {{ code_is_valid(c.type, normalise_code(c.name)) }} then {{ normalise_code(c.name) }} end
    {%- elif c.type == 'decimal' -%}
        {{ parse_decimal(c.name, c.get('scale', 6)) }}
    {%- elif c.type == 'integer' -%}
        {{ parse_integer(c.name) }}
    {%- elif c.type == 'date' -%}
        {{ parse_date(c.name) }}
    {%- elif c.type == 'month' -%}
        {{ parse_month(c.name) }}
    {%- elif c.type == 'quarter' -%}
        case when {{ regex_full_match(c.name, '[0-9]{4}Q[1-4]') }} then {{ c.name }} end
    {%- elif c.type == 'json' -%}
        case when json_valid({{ c.name }}) then {{ c.name }} end
    {%- elif c.type == 'flag' -%}
        {{ parse_flag(c.name) }}
    {%- else -%}
        {{ c.name }}
    {%- endif -%}
{%- endmacro %}


{% macro code_is_valid(kind, expression) -%}
    {%- if kind in ('uscc', 'uscc_ref') -%}{{ is_valid_uscc(expression) }}
    {%- elif kind in ('parcel', 'parcel_ref') -%}{{ is_valid_parcel_code(expression) }}
    {%- else -%}{{ is_valid_account_no(expression) }}{%- endif -%}
{%- endmacro %}


{# The whole landed record as JSON, every contract field as delivered (the landing
   relation's columns but the bookkeeping ones, which start with an underscore). #}
{% macro landed_record_json(relation, alias) -%}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- if not column.name.startswith('_') -%}{%- do names.append(column.name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if names | length == 0 -%}cast(null as varchar){%- else -%}
    {{ return(adapter.dispatch('record_json', 'mujun')(names, alias)) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__record_json(names, alias) -%}
    cast(json_object({%- for n in names %}'{{ n }}', {{ alias }}."{{ n }}"{{ ", " if not loop.last }}{%- endfor %}) as varchar)
{%- endmacro %}


{# The rows of the snapshots this run reads: a base table keeps every snapshot staged
   so far, the chosen ones (landing.snapshots) among them. #}
{% macro read_by_this_run(dataset) -%}
    _snapshot_id in (select snapshot_id from {{ source('landing', 'snapshots') }}
                     where dataset = '{{ dataset }}')
{%- endmacro %}
