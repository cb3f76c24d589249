
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    

with all_values as (

    select
        reason as value_field,
        count(*) as n_records

    from "work"."audit"."quarantine"
    group by reason

)

select *
from all_values
where value_field not in (
    'bad_value','invalid_uscc','invalid_parcel_code','invalid_account_no','duplicate_key','lease_exceeds_parcel','unknown_carrier','unit_mismatch','unknown_unit'
)



  
  
      
    ) dbt_internal_test