
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select _period, incident_id, count(*) as occurrences
from "work"."staging"."stg_env__incidents"
group by _period, incident_id
having count(*) > 1

  
  
      
    ) dbt_internal_test