"""The checks of every gate, as SQL over the work database.

Each check is computed inside DuckDB (no table is pulled into pandas) and arrives at
Great Expectations as one number in a small frame: violations (expected 0) or a
share (expected at least its configured minimum). When a check fails, its sample
query shows up to ten offending rows. Gates check wholeness and consistency, never
a county's size: a county of a dozen enterprises is a valid run.
"""

from __future__ import annotations

from dataclasses import dataclass

from mujun.datasets import DATASETS


@dataclass(frozen=True)
class Check:
    id: str                 # stage.name, the expectation's column
    description: str
    value_sql: str          # one number
    sample_sql: str | None = None
    kind: str = "violations"   # violations (max 0) or share (min from gates.yml)


def _table(name: str) -> str:
    return DATASETS[name].relation


def landing_checks() -> list[Check]:
    checks = []
    shaped = []
    for name, dataset in DATASETS.items():
        view = f"landing.{_table(name)}"
        key = dataset.key[0]
        # the identifier must be there; the other key parts (a unit, a month) are typed and,
        # when missing, quarantined by staging with their reason
        checks.append(Check(
            f"landing.{_table(name)}__null_keys",
            f"{name}: records without {key}",
            f"select count(*) from {view} where {key} is null",
            f"select _snapshot_id, _record_no from {view} where {key} is null limit 10"))
        pattern = {"uscc": "[0-9A-HJ-NPQRTUWXY]{18}", "parcel_code": "[0-9]{12}[A-Z]{2}[0-9]{5}",
                   "account_no": "[0-9]{10}"}.get(key)
        if pattern:
            normalised = (f"upper(regexp_replace(translate({key}, '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ', "
                          f"'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'), '[\\s\u3000]+', '', 'g'))")
            shaped.append(f"select count(*) as n, count(case when regexp_full_match({normalised}, "
                          f"'{pattern}') then 1 end) as ok from {view}")
    checks.append(Check(
        "landing.key_codes_well_shaped_share",
        "share of key codes (USCC, parcel code, account number) of the right shape",
        "select coalesce(sum(ok) / nullif(sum(n), 0), 1) from (" + " union all ".join(shaped) + ")",
        kind="share"))
    return checks


def staging_checks() -> list[Check]:
    checks = []
    for name in DATASETS:
        table = _table(name)
        # a base table keeps every snapshot staged so far; this run reads the chosen ones
        base = (f"staging.base_{table} where _snapshot_id in (select snapshot_id from "
                f"landing.snapshots where dataset = '{name}')")
        checks.append(Check(
            f"staging.{table}__unaccounted",
            f"{name}: landed records neither staged nor quarantined (or counted twice)",
            f"select abs((select count(*) from landing.{table}) - (select count(*) from {base}))"
            f" + abs((select count(*) from {base} and _quarantine_reason is null)"
            f" - (select count(*) from staging.stg_{table}))"))
    non_negative = [("grid__consumption", "kwh", "account_no, month"),
                    ("land__parcels", "area_m2", "parcel_code"),
                    ("land__leases", "leased_land_m2", "lease_id"),
                    ("land__surveys", "occupied_m2", "survey_id"),
                    ("stats__energy_use", "quantity", "uscc, carrier"),
                    ("env__emissions", "tonnes", "uscc, pollutant"),
                    ("stats__annual", "employees_avg", "uscc")]
    for table, column, keys in non_negative:
        checks.append(Check(
            f"staging.{table}__negative_{column}",
            f"{table.replace('__', '.')}: negative {column}",
            f"select count(*) from staging.stg_{table} where {column} < 0",
            f"select _snapshot_id, {keys}, {column} from staging.stg_{table} "
            f"where {column} < 0 limit 10"))
    for name, dataset in DATASETS.items():
        table = _table(name)
        keys = ", ".join(["_period", *dataset.key])
        checks.append(Check(
            f"staging.{table}__duplicate_keys",
            f"{name}: staged rows sharing a key",
            f"select count(*) from (select {keys} from staging.stg_{table} "
            f"group by {keys} having count(*) > 1)",
            f"select {keys}, count(*) as rows from staging.stg_{table} group by {keys} "
            f"having count(*) > 1 limit 10"))
    return checks


def reconciled_checks() -> list[Check]:
    return [
        Check("reconciled.evaluated_without_land_explanation",
              "evaluated enterprises with no land and a land class other than no_land",
              "select count(*) from intermediate.int_enterprise_scope "
              "where evaluated and land_area_mu <= 0 and land_class <> 'no_land'",
              "select uscc, year, land_area_mu, land_class from intermediate.int_enterprise_scope "
              "where evaluated and land_area_mu <= 0 and land_class <> 'no_land' limit 10"),
        Check("reconciled.negative_land",
              "enterprises whose land after leases and research land is negative",
              "select count(*) from intermediate.int_enterprise_land where land_area_mu < 0",
              "select uscc, year, land_area_mu, held_mu, leased_out_mu, research_land_mu "
              "from intermediate.int_enterprise_land where land_area_mu < 0 limit 10"),
        Check("reconciled.account_shares_not_one",
              "linked accounts whose split shares do not sum to 1",
              "select count(*) from (select year, account_no from intermediate.int_accounts_linked "
              "where uscc is not null group by year, account_no "
              "having abs(sum(share) - 1) > 0.000001)",
              "select year, account_no, sum(share) as shares from intermediate.int_accounts_linked "
              "where uscc is not null group by year, account_no "
              "having abs(sum(share) - 1) > 0.000001 limit 10"),
        Check("reconciled.parcel_shares_over_one",
              "parcels whose users' land adds up to more than the parcel",
              "select count(*) from (select uses.year, uses.parcel_code from "
              "intermediate.int_land_uses as uses where uses.role <> 'held' and uses.area_m2 > 0 "
              "group by uses.year, uses.parcel_code having sum(uses.area_m2) > max((select "
              "max(area_m2) from staging.stg_land__parcels p where p.parcel_code = uses.parcel_code "
              "and p.year = uses.year)) + 0.01)",
              None),
        Check("reconciled.leases_over_parcel",
              "parcels whose accepted leases exceed their area",
              "select count(*) from (select year, parcel_code from intermediate.int_leases_checked "
              "where accepted group by year, parcel_code "
              "having sum(leased_land_m2) > max(parcel_area_m2))",
              "select year, parcel_code, sum(leased_land_m2) as leased, max(parcel_area_m2) as area "
              "from intermediate.int_leases_checked where accepted group by year, parcel_code "
              "having sum(leased_land_m2) > max(parcel_area_m2) limit 10"),
        Check("reconciled.accounts_linked_share",
              "share of accounts with consumption linked to an enterprise",
              "select coalesce(count(distinct case when uscc is not null then account_no end) "
              "/ nullif(count(distinct account_no), 0), 1) from intermediate.int_accounts_linked",
              # no account numbers: warnings are published in run.json (marts.md data classes)
              "select a.year, a.holder_name, a.parcel_code, a.transformer_id "
              "from intermediate.int_accounts_linked l join staging.stg_grid__accounts a "
              "on a.account_no = l.account_no and a.year = l.year where l.uscc is null limit 10",
              kind="share"),
        Check("reconciled.enterprises_with_land_share",
              "share of enterprises in the master with industrial land",
              "select coalesce(count(case when land_area_mu > 0 then 1 end) / nullif(count(*), 0), 1) "
              "from intermediate.int_enterprise_figures", kind="share"),
        Check("reconciled.taxpayers_in_register_share",
              "share of taxpayers found in the statistics register",
              "select coalesce(count(m.uscc) / nullif(count(*), 0), 1) from staging.stg_tax__taxpayers t "
              "left join intermediate.int_enterprises_mastered m on m.uscc = t.uscc and m.year = t.year",
              "select t.uscc from staging.stg_tax__taxpayers t left join "
              "intermediate.int_enterprises_mastered m on m.uscc = t.uscc and m.year = t.year "
              "where m.uscc is null limit 10", kind="share"),
    ]


_EVALUATION = "marts.enterprise_evaluation"


def marts_checks() -> list[Check]:
    grades = ("select grade from rule_pack.rp_grade_bands where band_scope = 'enterprise' "
              "union select 'T'")
    band_share = """
        with bands as (
            select grade, ordinal, to_share,
                coalesce(lag(to_share) over (order by ordinal), 0) as from_share
            from rule_pack.rp_grade_bands where band_scope = 'enterprise'),
        pools as (select pool, count(*) as size from marts.enterprise_evaluation
                  where evaluated group by pool),
        tie_groups as (select pool, rank_in_pool as first_position, count(*) as members
                       from marts.enterprise_evaluation where evaluated
                       group by pool, rank_in_pool),
        edges as (select pools.pool, bands.grade,
                      cast(bands.from_share as decimal(18, 6)) * pools.size as low,
                      cast(bands.to_share as decimal(18, 6)) * pools.size as high
                  from pools cross join bands),
        tied as (
            -- enterprises in a tie that straddles one of the band's edges
            select edges.pool, edges.grade, edges.low, edges.high,
                coalesce(sum(tie_groups.members), 0) as tied
            from edges left join tie_groups on tie_groups.pool = edges.pool
                and ((tie_groups.first_position <= edges.low
                      and tie_groups.first_position + tie_groups.members - 1 > edges.low)
                  or (tie_groups.first_position <= edges.high
                      and tie_groups.first_position + tie_groups.members - 1 > edges.high))
            group by edges.pool, edges.grade, edges.low, edges.high),
        counted as (select pool, grade_by_score as grade, count(*) as n
                    from marts.enterprise_evaluation where evaluated group by all)
        select tied.pool, tied.grade, coalesce(counted.n, 0) as enterprises,
            tied.high - tied.low as band_share, tied.tied
        from tied left join counted on counted.pool = tied.pool and counted.grade = tied.grade
        where (select grading_by from rule_pack.rp_pack) = 'percentile'
          and abs(coalesce(counted.n, 0) - (tied.high - tied.low)) > 1 + tied.tied"""
    region = """
        with sums as (
            select sum(case when tax_restored_wan is not null and land_area_mu > 0
                            then tax_restored_wan end) as num,
                   sum(case when tax_restored_wan is not null and land_area_mu > 0
                            then land_area_mu end) as den
            from marts.enterprise_evaluation where evaluated and above_scale)
        select r.tax_per_mu_num, sums.num, r.tax_per_mu_den, sums.den
        from marts.region_indicators r cross join sums
        where r.area_kind = 'county'
          and (abs(coalesce(r.tax_per_mu_num, 0) - coalesce(sums.num, 0)) > 0.000001
               or abs(coalesce(r.tax_per_mu_den, 0) - coalesce(sums.den, 0)) > 0.000001)"""
    divisions = """
        select r.tax_per_mu_num as divisions, c.tax_per_mu_num as county
        from (select sum(tax_per_mu_num) as tax_per_mu_num from marts.region_indicators
              where area_kind = 'division') r
        cross join (select tax_per_mu_num from marts.region_indicators where area_kind = 'county') c
        where coalesce(r.tax_per_mu_num, 0) - coalesce(c.tax_per_mu_num, 0) > 0.000001"""
    return [
        Check("marts.duplicate_enterprise_rows", "more than one row per enterprise, year and pack",
              f"select count(*) from (select uscc, year, rule_pack from {_EVALUATION} "
              "group by all having count(*) > 1)",
              f"select uscc, year, rule_pack, count(*) from {_EVALUATION} group by all "
              "having count(*) > 1 limit 10"),
        Check("marts.grades_outside_pack", "grades that are not a band of the pack (or T)",
              f"select count(*) from {_EVALUATION} where evaluated and "
              f"(grade is null or grade not in ({grades}))",
              f"select uscc, pool, grade, grade_by_score from {_EVALUATION} where evaluated and "
              f"(grade is null or grade not in ({grades})) limit 10"),
        Check("marts.unevaluated_with_grade", "rows not evaluated but graded or scored",
              f"select count(*) from {_EVALUATION} where not evaluated and "
              "(grade is not null or score_total is not null or rank_in_pool is not null)",
              f"select uscc, exclusion_reason, grade, score_total from {_EVALUATION} "
              "where not evaluated and (grade is not null or score_total is not null) limit 10"),
        Check("marts.scores_out_of_bounds",
              "evaluated rows with a missing or non-finite score, rank < 1 or percentile outside (0, 1]",
              f"select count(*) from {_EVALUATION} where evaluated and (score_total is null or "
              "isnan(score_total) or isinf(score_total) or rank_in_pool < 1 or "
              "percentile_in_pool <= 0 or percentile_in_pool > 1)",
              f"select uscc, score_total, rank_in_pool, percentile_in_pool from {_EVALUATION} "
              "where evaluated and (score_total is null or isnan(score_total) or "
              "isinf(score_total) or rank_in_pool < 1 or percentile_in_pool <= 0 or "
              "percentile_in_pool > 1) limit 10"),
        Check("marts.band_shares_off",
              "pools where a band holds more or fewer than its share within one enterprise "
              "(ties at its edges allowed)",
              f"select count(*) from ({band_share})", f"{band_share} limit 10"),
        Check("marts.region_totals_differ",
              "county totals that are not the sums of their enterprises",
              f"select count(*) from ({region})", f"{region} limit 10"),
        Check("marts.divisions_exceed_county",
              "division totals adding up to more than the county's",
              f"select count(*) from ({divisions})", f"{divisions} limit 10"),
        Check("marts.policies_for_unevaluated", "grade_policies rows of enterprises not evaluated",
              "select count(*) from marts.grade_policies p join marts.enterprise_evaluation e "
              "using (uscc, year, rule_pack) where not e.evaluated", None),
        Check("marts.parcel_shares_not_one", "parcels whose users' shares do not sum to 1",
              "select count(*) from marts.parcel_evaluation where users is not null and "
              "abs(list_sum(list_transform(users, lambda u: u.share)) - 1) > 0.000001",
              "select parcel_code, users from marts.parcel_evaluation where users is not null and "
              "abs(list_sum(list_transform(users, lambda u: u.share)) - 1) > 0.000001 limit 10"),
    ]


def quarterly_checks() -> list[Check]:
    colours = "select colour from rule_pack.rp_quarterly_colours"
    return [
        Check("marts.duplicate_quarterly_rows", "more than one row per enterprise, quarter and pack",
              "select count(*) from (select uscc, year, quarter, rule_pack from "
              "marts.quarterly_monitor group by all having count(*) > 1)", None),
        Check("marts.colours_outside_pack", "colours that are not the pack's",
              f"select count(*) from marts.quarterly_monitor where colour not in ({colours})",
              f"select uscc, quarter, colour from marts.quarterly_monitor "
              f"where colour not in ({colours}) limit 10"),
        Check("marts.monitor_without_scope", "monitored enterprises that are not evaluated",
              "select count(*) from marts.quarterly_monitor q left join "
              "intermediate.int_enterprise_scope s on s.uscc = q.uscc and s.year = q.year "
              "where not coalesce(s.evaluated, false)", None),
    ]


STAGE_CHECKS = {
    "landing": landing_checks,
    "staging": staging_checks,
    "reconciled": reconciled_checks,
    "marts": marts_checks,
}
