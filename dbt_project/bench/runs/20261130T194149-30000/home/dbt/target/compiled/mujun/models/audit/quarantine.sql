-- Every record of a snapshot in use that failed typing or validation, whole, with its
-- reason (marts.md "audit.*"): the staging checks of every dataset, then the rule
-- pack's own (leases larger than their parcel, fuels the pack cannot convert).
with lease_rejects as (

    select _snapshot_id, _record_no, 'lease_exceeds_parcel' as reason
    from "work"."intermediate"."int_leases_checked"
    where not accepted

),

energy_rejects as (

    select _snapshot_id, _record_no, _quarantine_reason as reason
    from "work"."intermediate"."int_energy_converted"
    where _quarantine_reason is not null

),

all_rejects as (

    -- the whole landed record comes back from landing for the (few) refused ones
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('uscc', landed."uscc", 'name', landed."name", 'high_tech', landed."high_tech", 'high_tech_valid_from', landed."high_tech_valid_from", 'high_tech_valid_to', landed."high_tech_valid_to", 'status', landed."status") as varchar) as _record,
        coalesce(base._quarantine_reason) as _quarantine_reason
    from "work"."staging"."base_tax__taxpayers" as base
    inner join "work"."landing"."tax__taxpayers" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null
    union all
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('voucher_id', landed."voucher_id", 'uscc', landed."uscc", 'month', landed."month", 'tax_type', landed."tax_type", 'amount_yuan', landed."amount_yuan") as varchar) as _record,
        coalesce(base._quarantine_reason) as _quarantine_reason
    from "work"."staging"."base_tax__payments" as base
    inner join "work"."landing"."tax__payments" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null
    union all
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('relief_id', landed."relief_id", 'uscc', landed."uscc", 'month', landed."month", 'kind', landed."kind", 'subkind', landed."subkind", 'amount_yuan', landed."amount_yuan") as varchar) as _record,
        coalesce(base._quarantine_reason) as _quarantine_reason
    from "work"."staging"."base_tax__reliefs" as base
    inner join "work"."landing"."tax__reliefs" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null
    union all
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('uscc', landed."uscc", 'month', landed."month", 'employer_amount_yuan', landed."employer_amount_yuan") as varchar) as _record,
        coalesce(base._quarantine_reason) as _quarantine_reason
    from "work"."staging"."base_tax__social_insurance" as base
    inner join "work"."landing"."tax__social_insurance" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null
    union all
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('parcel_code', landed."parcel_code", 'kind', landed."kind", 'attached_to', landed."attached_to", 'land_use', landed."land_use", 'area_m2', landed."area_m2", 'holder_uscc', landed."holder_uscc", 'holder_name', landed."holder_name", 'division_code', landed."division_code", 'park', landed."park", 'geometry', landed."geometry", 'registered_on', landed."registered_on") as varchar) as _record,
        coalesce(base._quarantine_reason) as _quarantine_reason
    from "work"."staging"."base_land__parcels" as base
    inner join "work"."landing"."land__parcels" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null
    union all
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('lease_id', landed."lease_id", 'parcel_code', landed."parcel_code", 'lessor_uscc', landed."lessor_uscc", 'lessee_uscc', landed."lessee_uscc", 'lessee_name', landed."lessee_name", 'leased_land_m2', landed."leased_land_m2", 'start_date', landed."start_date", 'end_date', landed."end_date") as varchar) as _record,
        coalesce(base._quarantine_reason, refused.reason) as _quarantine_reason
    from "work"."staging"."base_land__leases" as base
    left join lease_rejects as refused
        on refused._snapshot_id = base._snapshot_id and refused._record_no = base._record_no
    inner join "work"."landing"."land__leases" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null or refused.reason is not null
    union all
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('survey_id', landed."survey_id", 'parcel_code', landed."parcel_code", 'user_uscc', landed."user_uscc", 'user_name', landed."user_name", 'occupied_m2', landed."occupied_m2", 'surveyed_on', landed."surveyed_on") as varchar) as _record,
        coalesce(base._quarantine_reason) as _quarantine_reason
    from "work"."staging"."base_land__surveys" as base
    inner join "work"."landing"."land__surveys" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null
    union all
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('uscc', landed."uscc", 'name', landed."name", 'industry_code', landed."industry_code", 'above_scale', landed."above_scale", 'division_code', landed."division_code", 'park', landed."park", 'group_uscc', landed."group_uscc", 'opened_on', landed."opened_on") as varchar) as _record,
        coalesce(base._quarantine_reason) as _quarantine_reason
    from "work"."staging"."base_stats__enterprises" as base
    inner join "work"."landing"."stats__enterprises" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null
    union all
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('uscc', landed."uscc", 'year', landed."year", 'output_k', landed."output_k", 'value_added_k', landed."value_added_k", 'revenue_k', landed."revenue_k", 'rd_expense_k', landed."rd_expense_k", 'employees_avg', landed."employees_avg", 'rd_staff', landed."rd_staff", 'degree_staff', landed."degree_staff", 'energy_tce_reported', landed."energy_tce_reported") as varchar) as _record,
        coalesce(base._quarantine_reason) as _quarantine_reason
    from "work"."staging"."base_stats__annual" as base
    inner join "work"."landing"."stats__annual" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null
    union all
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('uscc', landed."uscc", 'year', landed."year", 'carrier', landed."carrier", 'quantity', landed."quantity", 'unit', landed."unit") as varchar) as _record,
        coalesce(base._quarantine_reason, refused.reason) as _quarantine_reason
    from "work"."staging"."base_stats__energy_use" as base
    left join energy_rejects as refused
        on refused._snapshot_id = base._snapshot_id and refused._record_no = base._record_no
    inner join "work"."landing"."stats__energy_use" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null or refused.reason is not null
    union all
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('uscc', landed."uscc", 'quarter', landed."quarter", 'output_k_ytd', landed."output_k_ytd", 'revenue_k_ytd', landed."revenue_k_ytd", 'value_added_k_ytd', landed."value_added_k_ytd") as varchar) as _record,
        coalesce(base._quarantine_reason) as _quarantine_reason
    from "work"."staging"."base_stats__quarterly" as base
    inner join "work"."landing"."stats__quarterly" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null
    union all
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('account_no', landed."account_no", 'holder_name', landed."holder_name", 'holder_uscc', landed."holder_uscc", 'parcel_code', landed."parcel_code", 'address', landed."address", 'transformer_id', landed."transformer_id", 'opened_on', landed."opened_on", 'closed_on', landed."closed_on") as varchar) as _record,
        coalesce(base._quarantine_reason) as _quarantine_reason
    from "work"."staging"."base_grid__accounts" as base
    inner join "work"."landing"."grid__accounts" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null
    union all
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('account_no', landed."account_no", 'month', landed."month", 'kwh', landed."kwh", 'reading', landed."reading") as varchar) as _record,
        coalesce(base._quarantine_reason) as _quarantine_reason
    from "work"."staging"."base_grid__consumption" as base
    inner join "work"."landing"."grid__consumption" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null
    union all
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('uscc', landed."uscc", 'year', landed."year", 'pollutant', landed."pollutant", 'tonnes', landed."tonnes", 'basis', landed."basis") as varchar) as _record,
        coalesce(base._quarantine_reason) as _quarantine_reason
    from "work"."staging"."base_env__emissions" as base
    inner join "work"."landing"."env__emissions" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null
    union all
    select base._dataset, base._period, base._snapshot_id, base._record_no, base._record_key,
        cast(json_object('incident_id', landed."incident_id", 'uscc', landed."uscc", 'date', landed."date", 'category', landed."category", 'severity', landed."severity") as varchar) as _record,
        coalesce(base._quarantine_reason) as _quarantine_reason
    from "work"."staging"."base_env__incidents" as base
    inner join "work"."landing"."env__incidents" as landed
        on landed._snapshot_id = base._snapshot_id and landed._record_no = base._record_no
    where base._quarantine_reason is not null
    

),

final as (

    select
        2024 as year,
        '2024Q3' as quarter,
        'huzhou-3.0' as rule_pack,
        split_part(_dataset, '.', 1) as source,
        _dataset as dataset,
        _period as period,
        _snapshot_id as snapshot_id,
        _record_no as record_no,
        _record_key as record_key,
        _record as record,
        _quarantine_reason as reason
    from all_rejects

)

select * from final