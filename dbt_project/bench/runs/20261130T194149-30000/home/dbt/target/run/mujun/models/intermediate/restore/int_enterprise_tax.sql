
    

    create  table
      "work"."intermediate"."int_enterprise_tax__dbt_tmp"
  
    
    as (
      -- Tax paid and restored per enterprise and year, in 万元.
with items as (

    select * from "work"."intermediate"."int_tax_restoration_items"

),

final as (

    select
        year,
        uscc,
        sum(case when item = 'payments' then amount_yuan else 0 end) * 0.0001 as tax_paid_wan,
        sum(amount_yuan) * 0.0001 as tax_restored_wan
    from items
    group by year, uscc

)

select * from final
    );
    
  