insert into "work"."staging"."base_stats__annual" ("_dataset", "_period", "_snapshot_id", "_record_no", "_record_key", "uscc", "year", "output_k", "value_added_k", "revenue_k", "rd_expense_k", "employees_avg", "rd_staff", "degree_staff", "energy_tce_reported", "_quarantine_reason")
    (
        select "_dataset", "_period", "_snapshot_id", "_record_no", "_record_key", "uscc", "year", "output_k", "value_added_k", "revenue_k", "rd_expense_k", "employees_avg", "rd_staff", "degree_staff", "energy_tce_reported", "_quarantine_reason"
        from "base_stats__annual__dbt_tmp20261130195427066547"
    )


  