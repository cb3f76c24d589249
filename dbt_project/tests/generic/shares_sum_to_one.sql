{# Split shares of each group sum to 1 (within a millionth). #}
{% test shares_sum_to_one(model, column_name, group_by) %}
select {{ group_by | join(', ') }}, sum({{ column_name }}) as total_share
from {{ model }}
where {{ column_name }} is not null
group by {{ group_by | join(', ') }}
having abs(sum({{ column_name }}) - 1) > 0.000001
{% endtest %}
