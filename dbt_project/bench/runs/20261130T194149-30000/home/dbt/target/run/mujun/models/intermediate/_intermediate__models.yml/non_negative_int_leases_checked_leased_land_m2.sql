
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select * from "work"."intermediate"."int_leases_checked" where leased_land_m2 < 0

  
  
      
    ) dbt_internal_test