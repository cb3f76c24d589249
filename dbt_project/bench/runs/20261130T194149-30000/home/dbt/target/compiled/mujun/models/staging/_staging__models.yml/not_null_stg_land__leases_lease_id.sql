
    
    



select lease_id
from "work"."staging"."stg_land__leases"
where lease_id is null


