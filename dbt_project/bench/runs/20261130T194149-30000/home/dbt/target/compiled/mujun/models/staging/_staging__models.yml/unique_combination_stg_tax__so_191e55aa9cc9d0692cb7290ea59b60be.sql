
select _period, uscc, month, count(*) as occurrences
from "work"."staging"."stg_tax__social_insurance"
group by _period, uscc, month
having count(*) > 1
