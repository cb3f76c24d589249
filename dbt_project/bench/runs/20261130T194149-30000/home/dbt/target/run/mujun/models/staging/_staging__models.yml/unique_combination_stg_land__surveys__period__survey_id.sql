
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
select _period, survey_id, count(*) as occurrences
from "work"."staging"."stg_land__surveys"
group by _period, survey_id
having count(*) > 1

  
  
      
    ) dbt_internal_test