-- The low-efficiency conditions tested on earlier years' published evaluations, for
-- multi-year rules (years this run computed itself are in int_conditions_evaluated).
{{ evaluate_conditions(
    "(select *, substr(industry_code, 1, 2) as industry_major from "
    ~ source('history', 'enterprise_years')
    ~ " where rule_pack = " ~ run_param('rule_pack') ~ " and year not in (select year from "
    ~ source('mujun_meta', 'run_years') ~ "))",
    "condition_id like 'low_efficiency:%'") }}
