-- The pools' conditions, tested before any pool exists (so `lt_group_mean`, which
-- needs a pool, does not belong in a pool's `when`).
{{ evaluate_conditions(
    "(select *, cast(null as varchar) as pool, cast(null as boolean) as evaluated from "
    ~ ref('int_enterprise_attributes') ~ ")",
    "condition_id like 'pool:%'") }}
