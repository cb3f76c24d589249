
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    

with all_values as (

    select
        land_class as value_field,
        count(*) as n_records

    from "work"."intermediate"."int_enterprise_land"
    group by land_class

)

select *
from all_values
where value_field not in (
    'own_self_use','own_with_lease','tenant','no_land'
)



  
  
      
    ) dbt_internal_test