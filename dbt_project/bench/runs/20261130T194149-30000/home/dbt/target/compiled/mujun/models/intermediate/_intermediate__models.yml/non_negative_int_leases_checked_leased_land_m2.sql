
select * from "work"."intermediate"."int_leases_checked" where leased_land_m2 < 0
