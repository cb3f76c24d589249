
    

    create  table
      "work"."intermediate"."int_enterprise_figures_adjusted__dbt_tmp"
  
    
    as (
      -- Adjudicated objections (企业异议) replace the base figure they correct before any
-- indicator is computed; the trace keeps the original, the correction, the approver
-- and the evidence (audit.evaluation_trace).
with figures as (

    select * from "work"."intermediate"."int_enterprise_figures"

),

objections as (

    select * from "work"."reference"."objections"
    where approved_by is not null

),

corrections as (

    select
        upper(regexp_replace(translate(uscc, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g')) as uscc,
        year,
        max(case when figure = 'land_area_mu' then corrected_value end) as land_area_mu,
        max(case when figure = 'tax_paid_wan' then corrected_value end) as tax_paid_wan,
        max(case when figure = 'tax_restored_wan' then corrected_value end) as tax_restored_wan,
        max(case when figure = 'output_wan' then corrected_value end) as output_wan,
        max(case when figure = 'value_added_wan' then corrected_value end) as value_added_wan,
        max(case when figure = 'revenue_wan' then corrected_value end) as revenue_wan,
        max(case when figure = 'rd_expense_wan' then corrected_value end) as rd_expense_wan,
        max(case when figure = 'employees_avg' then corrected_value end) as employees_avg,
        max(case when figure = 'rd_staff' then corrected_value end) as rd_staff,
        max(case when figure = 'degree_staff' then corrected_value end) as degree_staff,
        max(case when figure = 'electricity_kwh' then corrected_value end) as electricity_kwh,
        max(case when figure = 'energy_tce' then corrected_value end) as energy_tce,
        max(case when figure = 'emissions_t' then corrected_value end) as emissions_t,
        max(case when figure = 'co2_t' then corrected_value end) as co2_t,
        max(case when figure = 'water_t' then corrected_value end) as water_t,
        max(case when figure = 'tenant_count' then corrected_value end) as tenant_count,
        max(case when figure = 'years_open' then corrected_value end) as years_open
    from objections
    group by upper(regexp_replace(translate(uscc, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '[\s\x{3000}\x{00A0}]+', '', 'g')), year

),

final as (

    select
        figures.* exclude (land_area_mu, tax_paid_wan, tax_restored_wan, output_wan, value_added_wan, revenue_wan, rd_expense_wan, employees_avg, rd_staff, degree_staff, electricity_kwh, energy_tce, emissions_t, co2_t, water_t, tenant_count, years_open),
        coalesce(corrections.land_area_mu, figures.land_area_mu) as land_area_mu,
        coalesce(corrections.tax_paid_wan, figures.tax_paid_wan) as tax_paid_wan,
        coalesce(corrections.tax_restored_wan, figures.tax_restored_wan) as tax_restored_wan,
        coalesce(corrections.output_wan, figures.output_wan) as output_wan,
        coalesce(corrections.value_added_wan, figures.value_added_wan) as value_added_wan,
        coalesce(corrections.revenue_wan, figures.revenue_wan) as revenue_wan,
        coalesce(corrections.rd_expense_wan, figures.rd_expense_wan) as rd_expense_wan,
        coalesce(corrections.employees_avg, figures.employees_avg) as employees_avg,
        coalesce(corrections.rd_staff, figures.rd_staff) as rd_staff,
        coalesce(corrections.degree_staff, figures.degree_staff) as degree_staff,
        coalesce(corrections.electricity_kwh, figures.electricity_kwh) as electricity_kwh,
        coalesce(corrections.energy_tce, figures.energy_tce) as energy_tce,
        coalesce(corrections.emissions_t, figures.emissions_t) as emissions_t,
        coalesce(corrections.co2_t, figures.co2_t) as co2_t,
        coalesce(corrections.water_t, figures.water_t) as water_t,
        coalesce(cast(corrections.tenant_count as integer), figures.tenant_count) as tenant_count,
        coalesce(cast(corrections.years_open as integer), figures.years_open) as years_open
    from figures
    left join corrections
        on corrections.uscc = figures.uscc and corrections.year = figures.year

)

select * from final
    );
    
  