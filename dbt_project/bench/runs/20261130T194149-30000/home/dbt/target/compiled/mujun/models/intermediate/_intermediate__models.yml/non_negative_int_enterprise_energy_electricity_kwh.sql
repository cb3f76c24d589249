
select * from "work"."intermediate"."int_enterprise_energy" where electricity_kwh < 0
