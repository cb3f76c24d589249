
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select voucher_id
from "work"."staging"."stg_tax__payments"
where voucher_id is null



  
  
      
    ) dbt_internal_test