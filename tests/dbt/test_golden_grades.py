"""Golden scores and grades under the golden-ratio pack (tests/fixtures/packs).

Above scale: tax_per_mu (weight 60, benchmark 10) and value_added_per_mu (40, 20;
petrochemicals 50), ratio capped at 2; R&D spend ≥ 10 万 multiplies the total by
1.1; green factories +5, a major environmental incident −10. Quartile bands; then
cap_low_tax, cap_safety, down_small, floor_leader, fix_giant in that order.
"""

from __future__ import annotations

import json

import pytest

from tests.dbt.conftest import one, rows, run_golden
from tests.fixtures.golden import GoldenCounty, parcel, uscc

E = {n: uscc(100 + n) for n in range(1, 10)}
B1, B2, B3, B4 = (uscc(200 + n) for n in range(1, 5))
MU60, MU24 = "40000", "16000"   # m²: 60 mu and 24 mu


def build() -> GoldenCounty:
    c = GoldenCounty(year=2024)
    # n: (tax yuan, value added thousand yuan, land m², industry, R&D thousand yuan)
    spec = {1: (6_000_000, "12000", MU60, "3411", None),     # 60 + 40 = 100
            2: (18_000_000, "24000", MU60, "3411", None),    # capped 120 + 80 = 200
            3: (3_000_000, "6000", MU60, "3411", "500"),     # (30 + 20) × 1.1 = 55
            4: (3_000_000, "6000", MU60, "3411", None),      # 50 + green factory 5 = 55
            5: (5_000, "30000", MU60, "3411", None),         # 60 × 0.0083/10 + capped 80 = 80.05
            6: (6_000_000, "12000", MU60, "2511", None),     # 60 + 40 × 20/50 = 76
            7: (2_400_000, "4800", MU24, "3411", None),      # 60 + 40 = 100, 24 mu
            8: (600_000, None, MU60, "3411", None),          # 6 + 0 − 10 = −4
            9: (60_000_000, "6000", MU60, "3411", None)}     # 120 + 20 = 140
    for n, (tax, value_added, area, industry, rd) in spec.items():
        code = c.enterprise(E[n], f"E{n}", industry=industry)
        c.annual(code, output_k="1000", value_added_k=value_added, revenue_k="1000",
                 rd_expense_k=rd, employees_avg="10")
        c.land_parcel(parcel(100 + n), code, area)
        c.payment(code, f"V{n}", f"{tax}.00")
    c.reference["lists/green_factory"].append({"uscc": E[4], "year_from": "2024", "year_to": "",
                                               "changed_by": "t", "reason": "MIIT list"})
    c.reference["lists/industry_leader"].append({"uscc": E[8], "year_from": "", "year_to": "",
                                                 "changed_by": "t", "reason": "leader"})
    c.reference["lists/research_platform"].append({"uscc": B4, "year_from": "", "year_to": "",
                                                   "changed_by": "t", "reason": "platform"})
    for incident_id, category in [("I1", "environmental"), ("I2", "safety")]:
        c.add("env.incidents", incident_id=incident_id, uscc=E[8], date="2024-05-05",
              category=category, severity="major")
    c.add("env.incidents", incident_id="I3", uscc=E[3], date="2024-05-05",
          category="environmental", severity="general")      # below `major`: no deduction

    for code, area, opened in [(B1, "2000", "2010-01-01"), (B2, "1000", "2010-01-01"),
                               (B3, "2000", "2024-06-01"), (B4, "2000", "2010-01-01")]:
        c.enterprise(code, "B", above_scale=False, opened_on=opened)
        c.annual(code, output_k="100", revenue_k="100", employees_avg="3")
        c.land_parcel(parcel(200 + int(code[12:17])), code, area)
        c.payment(code, f"VB{code[-3:]}", "50000.00")
    return c


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    record, con = run_golden(build(), tmp_path_factory.mktemp("golden-grades"))
    yield con
    con.close()


def evaluation(con, code):
    return one(con, "select * from marts.enterprise_evaluation where uscc = ?", code)


def test_scores(golden):
    expected = {1: 100, 2: 200, 3: 55, 4: 55, 5: 80.05, 6: 76, 7: 100, 8: -4, 9: 140}
    for n, score in expected.items():
        assert evaluation(golden, E[n])["score_total"] == pytest.approx(score), n


def test_points_per_indicator_after_cap(golden):
    row = evaluation(golden, E[2])
    assert (row["score_tax_per_mu"], row["score_value_added_per_mu"]) == (120.0, 80.0)
    assert row["tax_per_mu"] == pytest.approx(30.0)
    assert row["score_output_per_mu"] is None and row["output_per_mu"] is None  # not used


def test_ranks_share_ties_and_bands_follow_rank_times_size(golden):
    ranks = {n: (evaluation(golden, E[n])["rank_in_pool"], evaluation(golden, E[n])["grade_by_score"])
             for n in E}
    # pool of 9: A ranks ≤ 2.25, B ≤ 4.5, C ≤ 6.75, D the rest
    assert ranks == {2: (1, "A"), 9: (2, "A"), 1: (3, "B"), 7: (3, "B"), 5: (5, "C"),
                     6: (6, "C"), 3: (7, "D"), 4: (7, "D"), 8: (9, "D")}
    assert evaluation(golden, E[3])["percentile_in_pool"] == pytest.approx(7 / 9)


def test_grade_rules_in_order(golden):
    final = {n: (evaluation(golden, E[n])["grade"], list(evaluation(golden, E[n])["grade_reasons"]))
             for n in E}
    assert final[5] == ("C", ["cap_low_tax"])                  # cap to B leaves C as it is
    assert final[7] == ("C", ["down_small"])                   # 24 mu: B one step down
    assert final[8] == ("B", ["cap_safety", "floor_leader"])   # D capped, then floored to B
    assert final[9] == ("A", ["fix_giant"])
    assert final[1] == ("B", []) and final[3] == ("D", [])


def test_scope_reasons_and_pools(golden):
    assert evaluation(golden, B1)["pool"] == "below_scale"
    assert evaluation(golden, B1)["grade"] == "D"              # a pool of one ranks last
    assert evaluation(golden, B1)["score_total"] == pytest.approx(100 * (5 / 3) / 5)
    assert evaluation(golden, B2)["exclusion_reason"] == "below_min_land"
    assert evaluation(golden, B3)["exclusion_reason"] == "new_enterprise"
    assert evaluation(golden, B4)["exclusion_reason"] == "exempt_list"
    assert evaluation(golden, B4)["score_total"] is None


def test_policies(golden):
    policies = {r["uscc"]: r for r in rows(golden, "select * from marts.grade_policies")}
    assert policies[E[3]]["consecutive_d_years"] == 1
    assert policies[E[3]]["surcharge_yuan_per_kwh"] == pytest.approx(0.1)
    assert policies[E[3]]["subsidy_share"] == pytest.approx(0.0)
    assert policies[E[8]]["subsidy_share"] == pytest.approx(0.8)
    assert policies[E[1]]["surcharge_yuan_per_kwh"] == 0
    assert B2 not in policies                                   # not evaluated: no row


def test_low_efficiency(golden):
    found = {r["uscc"]: r for r in rows(golden, "select * from marts.low_efficiency")}
    assert set(found) == {E[3], E[4], E[5], E[8]}
    assert json.loads(found[E[3]]["metrics"])["tax_per_mu"] == pytest.approx(5.0)
    assert list(found[E[3]]["years"]) == [2024]


def test_parcel_grades(golden):
    grades = {r["holder_uscc"]: r["grade"] for r in rows(
        golden, "select holder_uscc, grade from marts.parcel_evaluation")}
    assert (grades[E[1]], grades[E[2]], grades[E[5]]) == ("B", "A", "D")


def test_region_totals_are_sums_not_means(golden):
    county = one(golden, "select * from marts.region_indicators where area_kind = 'county'")
    taxes = sum(t for t, *_ in [(6e6,), (18e6,), (3e6,), (3e6,), (5e3,), (6e6,), (2.4e6,),
                                (6e5,), (6e7,)]) / 1e4
    land = 8 * 60 + 24
    assert float(county["tax_per_mu_num"]) == pytest.approx(taxes)
    assert float(county["tax_per_mu_den"]) == pytest.approx(land)
    assert county["tax_per_mu"] == pytest.approx(taxes / land)
