
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    



select _snapshot_id
from "work"."staging"."stg_stats__annual"
where _snapshot_id is null



  
  
      
    ) dbt_internal_test