-- Every condition of the pack but the pools', once pools and scope are known.
{{ evaluate_conditions(ref('int_enterprise_scope'), "condition_id not like 'pool:%'") }}
