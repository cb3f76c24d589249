
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select * from "work"."intermediate"."int_enterprise_energy" where electricity_kwh < 0

  
  
      
    ) dbt_internal_test