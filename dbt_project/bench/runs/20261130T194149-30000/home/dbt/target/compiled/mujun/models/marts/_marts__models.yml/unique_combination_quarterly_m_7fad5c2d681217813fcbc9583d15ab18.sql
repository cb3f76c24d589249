
select uscc, year, quarter, rule_pack, count(*) as occurrences
from "work"."marts"."quarterly_monitor"
group by uscc, year, quarter, rule_pack
having count(*) > 1
