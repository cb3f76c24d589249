
select year, account_no, sum(share) as total_share
from "work"."intermediate"."int_accounts_linked"
where share is not null
group by year, account_no
having abs(sum(share) - 1) > 0.000001
