
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select _period, voucher_id, count(*) as occurrences
from "work"."staging"."stg_tax__payments"
group by _period, voucher_id
having count(*) > 1

  
  
      
    ) dbt_internal_test