"""Golden scores and grades under the scoring and grading options of rule-pack.md.

Two packs (tests/fixtures/packs), one run each:

* golden-minmax: `minmax` scoring, `missing: pool_mean`, an indicator no enterprise of
  the pool has, a shortfall penalty under minmax, percentile bands with ties at a band
  edge.
* golden-methods: `ratio` scoring with `missing: exclude`, a derived benchmark
  (`{mean_of: this_year, multiple: 2}`), a shortfall penalty, a coefficient with
  `applies_to` and one on the total (first matching tier), `by: score` bands,
  `not_graded` (T class) and `follow_landlord` (a chain, a T landlord, a landlord that
  is not evaluated, a tie between landlords, a cycle of two, a chain of seven tenants and
  a cycle of eight).

Every enterprise holds or leases 10000 m² = 15 mu unless its comment says otherwise, so
a tax per mu of t 万元 is t × 15 万元 = t × 150000 yuan of tax. Value added is given in
thousand yuan (value_added_k), i.e. 万元 × 10. Every expected number below is worked
out in the comment beside it.
"""

from __future__ import annotations

import pytest

from tests.dbt.conftest import one, rows, run_golden
from tests.fixtures.golden import GoldenCounty, parcel, uscc

MU15 = "10000"   # m²: 15 mu


def evaluation(con, code):
    return one(con, "select * from marts.enterprise_evaluation where uscc = ?", code)


def lease(c: GoldenCounty, lease_id: str, parcel_code: str, lessor: str, lessee: str,
          area_m2: str, start: str = "2024-01-01", end: str | None = None) -> None:
    c.add("land.leases", lease_id=lease_id, parcel_code=parcel_code, lessor_uscc=lessor,
          lessee_uscc=lessee, lessee_name=None, leased_land_m2=area_m2, start_date=start,
          end_date=end)


# =============================================================================================
# golden-minmax
#
# above_scale pool: tax_per_mu 50, value_added_per_mu 30, labour_productivity 20,
# value_added_per_tce 10, rd_share 10 (benchmark 0.04, shortfall-penalised when
# tax_per_mu < the pool's mean); below_scale pool: tax_per_mu 100.
# minmax: weight × (20 + 80 × (x − min)/(max − min)) / 100; max = min → weight.
# Bands: A rank ≤ 0.2 × n, B ≤ 0.6 × n, C ≤ 0.8 × n, D the rest.

M = {n: uscc(400 + n) for n in range(1, 6)}
N1 = uscc(410)
B = {n: uscc(420 + n) for n in range(1, 6)}


def build_minmax() -> GoldenCounty:
    c = GoldenCounty(year=2024)
    # n: (tax per mu, value added k yuan, employees, R&D k yuan of a 1000 万 revenue)
    #   tax_per_mu      value_added_per_mu      labour_productivity  rd_share
    spec = {1: (2, "4500", "45", "200"),     # 2     30 (450 万 / 15)   450 / 45 = 10  0.02
            2: (6, "1500", "15", "500"),     # 6     10                  150 / 15 = 10  0.05
            3: (10, None, "20", "100"),      # 10    null                null           0.01
            4: (4, "3000", "30", "300"),     # 4     20                  300 / 30 = 10  0.03
            5: (10, "7500", "75", "400")}    # 10    50                  750 / 75 = 10  0.04
    for n, (tax_per_mu, value_added, employees, rd) in spec.items():
        code = c.enterprise(M[n], f"M{n}")
        c.annual(code, output_k="10000", value_added_k=value_added, revenue_k="10000",
                 rd_expense_k=rd, employees_avg=employees)
        c.land_parcel(parcel(400 + n), code, MU15)
        c.payment(code, f"VM{n}", f"{tax_per_mu * 150000}.00")
    # Opened in the year: exempt (new_enterprise), so outside every pool statistic: its
    # tax_per_mu 100, value_added_per_mu 200, labour_productivity 300 and rd_share 0.5
    # would move every min, max and mean if they counted.
    c.enterprise(N1, "N1", opened_on="2024-06-01")
    c.annual(N1, output_k="10000", value_added_k="30000", revenue_k="10000",
             rd_expense_k="5000", employees_avg="10")
    c.land_parcel(parcel(410), N1, MU15)
    c.payment(N1, "VN1", "15000000.00")

    # below_scale: tax per mu 10, 8, 4, 4, 2
    for n, tax_per_mu in {1: 10, 2: 8, 3: 4, 4: 4, 5: 2}.items():
        code = c.enterprise(B[n], f"B{n}", above_scale=False)
        c.annual(code, output_k="1000", revenue_k="1000", employees_avg="5")
        c.land_parcel(parcel(420 + n), code, MU15)
        c.payment(code, f"VB{n}", f"{tax_per_mu * 150000}.00")
    return c


@pytest.fixture(scope="module")
def minmax(tmp_path_factory):
    record, con = run_golden(build_minmax(), tmp_path_factory.mktemp("golden-minmax"),
                             pack="golden-minmax")
    yield con
    con.close()


def test_minmax_points_within_the_pool(minmax):
    # tax_per_mu over M1..M5 (N1 not evaluated): min 2, max 10, range 8
    #   M1: 50 × (20 + 80 × 0/8) / 100 = 10      M2: 50 × (20 + 80 × 4/8) / 100 = 30
    #   M3, M5: 50 × 100 / 100 = 50              M4: 50 × (20 + 80 × 2/8) / 100 = 20
    # value_added_per_mu over M1, M2, M4, M5: min 10, max 50, range 40
    #   M1: 30 × (20 + 80 × 20/40) / 100 = 18    M2: 30 × 20 / 100 = 6
    #   M4: 30 × (20 + 80 × 10/40) / 100 = 12    M5: 30 × 100 / 100 = 30
    expected = {1: (10, 18), 2: (30, 6), 3: (50, None), 4: (20, 12), 5: (50, 30)}
    for n, (tax, value_added) in expected.items():
        row = evaluation(minmax, M[n])
        assert row["score_tax_per_mu"] == pytest.approx(tax), n
        if value_added is not None:
            assert row["score_value_added_per_mu"] == pytest.approx(value_added), n


def test_minmax_max_equal_to_min_scores_the_weight(minmax):
    # labour_productivity is 10 for M1, M2, M4, M5: max = min, each scores its weight 20
    for n in (1, 2, 4, 5):
        assert evaluation(minmax, M[n])["score_labour_productivity"] == pytest.approx(20), n


def test_pool_mean_fills_a_missing_value(minmax):
    row = evaluation(minmax, M[3])
    assert row["value_added_per_mu"] is None and row["labour_productivity"] is None
    # the pool's mean points: (18 + 6 + 12 + 30) / 4 = 16.5, and (20 + 20 + 20 + 20) / 4 = 20
    assert row["score_value_added_per_mu"] == pytest.approx(16.5)
    assert row["score_labour_productivity"] == pytest.approx(20)


def test_an_indicator_no_enterprise_of_the_pool_has_scores_zero(minmax):
    # no energy records: energy_tce 0, value_added_per_tce null for everyone; no pool mean
    for n in M:
        row = evaluation(minmax, M[n])
        assert row["value_added_per_tce"] is None, n
        assert row["score_value_added_per_tce"] == 0, n


def test_shortfall_penalty_under_minmax(minmax):
    # pool mean of tax_per_mu: (2 + 6 + 10 + 4 + 10) / 5 = 6.4 → M1, M2, M4 below it:
    #   M1: −10 × (1 − min(0.02/0.04, 1)) = −5
    #   M2: −10 × (1 − min(0.05/0.04, 1)) = 0
    #   M4: −10 × (1 − min(0.03/0.04, 1)) = −2.5
    # M3 and M5 are not below it: minmax over all five values, min 0.01, max 0.05
    #   M3: 10 × 20 / 100 = 2      M5: 10 × (20 + 80 × 0.03/0.04) / 100 = 8
    expected = {1: -5, 2: 0, 3: 2, 4: -2.5, 5: 8}
    for n, points in expected.items():
        assert evaluation(minmax, M[n])["score_rd_share"] == pytest.approx(points, abs=1e-9), n


def test_minmax_totals_ranks_and_bands(minmax):
    # M1: 10 + 18 + 20 + 0 − 5   = 43
    # M2: 30 + 6 + 20 + 0 + 0    = 56
    # M3: 50 + 16.5 + 20 + 0 + 2 = 88.5
    # M4: 20 + 12 + 20 + 0 − 2.5 = 49.5
    # M5: 50 + 30 + 20 + 0 + 8   = 108
    # pool of 5: A rank ≤ 1, B ≤ 3, C ≤ 4, D ≤ 5
    expected = {5: (108, 1, "A"), 3: (88.5, 2, "B"), 2: (56, 3, "B"), 4: (49.5, 4, "C"),
                1: (43, 5, "D")}
    for n, (score, rank, grade) in expected.items():
        row = evaluation(minmax, M[n])
        assert row["score_total"] == pytest.approx(score), n
        assert (row["rank_in_pool"], row["grade_by_score"], row["grade"]) == (rank, grade, grade), n
    exempt = evaluation(minmax, N1)
    assert (exempt["evaluated"], exempt["exclusion_reason"]) == (False, "new_enterprise")
    assert exempt["score_total"] is None and exempt["rank_in_pool"] is None


def test_ties_across_a_band_edge_join_the_better_band(minmax):
    # below_scale tax_per_mu 10, 8, 4, 4, 2: min 2, max 10
    #   B1: 100   B2: 100 × (20 + 80 × 6/8) / 100 = 80   B3, B4: 100 × (20 + 80 × 2/8) / 100 = 40
    #   B5: 20
    # RANK(): 1, 2, 3, 3, 5. B holds ranks ≤ 0.6 × 5 = 3: its share (ranks 2, 3) plus B4, tied
    # at its edge; C (rank ≤ 4) is left empty; B5 (rank 5) is D.
    expected = {1: (100, 1, "A"), 2: (80, 2, "B"), 3: (40, 3, "B"), 4: (40, 3, "B"),
                5: (20, 5, "D")}
    for n, (score, rank, grade) in expected.items():
        row = evaluation(minmax, B[n])
        assert row["pool"] == "below_scale", n
        assert row["score_total"] == pytest.approx(score), n
        assert (row["rank_in_pool"], row["grade_by_score"]) == (rank, grade), n
    assert evaluation(minmax, B[4])["percentile_in_pool"] == pytest.approx(3 / 5)


# =============================================================================================
# golden-methods
#
# above_scale pool: tax_per_mu 40 (benchmark 2 × this year's pool mean), value_added_per_mu
# 30 (benchmark 20; shortfall-penalised when tax_per_mu < the pool's mean),
# labour_productivity 30 (benchmark 10); ratio capped at 2; missing: exclude.
# Coefficients: R&D spend ≥ 100 万 → value_added_per_mu points × 1.5, ≥ 50 万 → × 1.2;
# revenue ≥ 5000 万 → total × 1.1, ≥ 1000 万 → × 1.05.
# below_scale pool: tax_per_mu 100 (benchmark 5).
# Score bands: A from 100, B from 80, C from 60, D from 40 (and below 40).
# Rules: down_watched (on watch_list: 1 step down), follow (below scale: take the
# landlord's grade), down_tiny (below scale and < 3.5 mu: 1 step down).
# not_graded: industry 44–46 is T, treated as B.

R1, R2, R3, U, L, N = (uscc(500 + n) for n in range(1, 7))
T1, T2, T3, T4, C1, C2, T5 = (uscc(520 + n) for n in range(1, 8))
X = [uscc(540 + n) for n in range(1, 8)]   # a chain of seven tenants: X7 → X6 → … → X1 → R1
Y = [uscc(560 + n) for n in range(1, 9)]   # a cycle of eight: Y1 → Y8 → Y7 → … → Y2 → Y1
Y_TAX_PER_MU = [5, 4, 3, 2, 5, 4, 3, 2]     # scores 100 A, 80 B, 60 C, 40 D, then again


def build_methods() -> GoldenCounty:
    c = GoldenCounty(year=2024)
    # code: (name, industry, tax per mu, value added k, employees, revenue k, R&D k, opened)
    above = {R1: ("R1", "3411", 12, "4500", "30", "60000", "600", "2010-01-01"),
             R2: ("R2", "3411", 4, "1500", "15", "20000", "1200", "2010-01-01"),
             R3: ("R3", "3411", 8, "3600", None, "5000", None, "2010-01-01"),
             U: ("U", "4411", 16, "6000", "60", "5000", None, "2010-01-01"),
             L: ("L", "3411", 10, "6000", "20", "5000", None, "2010-01-01"),
             N: ("N", "3411", 20, "6000", "20", "5000", None, "2024-03-01")}
    for code, (name, industry, tax_per_mu, value_added, employees, revenue, rd,
               opened) in above.items():
        c.enterprise(code, name, industry=industry, opened_on=opened)
        c.annual(code, output_k="10000", value_added_k=value_added, revenue_k=revenue,
                 rd_expense_k=rd, employees_avg=employees)
        c.payment(code, f"V{name}", f"{tax_per_mu * 150000}.00")
    # each above-scale enterprise ends with 15 mu after what it lets
    c.land_parcel(parcel(501), R1, "12500")   # lets 2500 m² to T2
    c.land_parcel(parcel(502), R2, MU15)
    c.land_parcel(parcel(503), R3, MU15)
    c.land_parcel(parcel(504), U, "12500")    # lets 2500 m² to T3
    c.land_parcel(parcel(505), L, "13000")    # lets 3000 m² to T2
    c.land_parcel(parcel(506), N, "12500")    # lets 2500 m² to T4
    c.land_parcel(parcel(522), T2, "4000")    # lets 2200 m² to T1
    c.land_parcel(parcel(525), C1, "6000")    # lets 2000 m² to C2
    c.land_parcel(parcel(526), C2, "6000")    # lets 3000 m² to C1

    lease(c, "LS1", parcel(505), L, T2, "3000")
    # two leases of one parcel to T2 overlapping the year: merged at the larger, 2500 m²
    # (so T2 leases more from L, 3000, than from R1, 2500 — not 4500)
    lease(c, "LS2", parcel(501), R1, T2, "2000", "2023-01-01", "2024-06-30")
    lease(c, "LS3", parcel(501), R1, T2, "2500", "2024-07-01")
    lease(c, "LS4", parcel(522), T2, T1, "2200")
    lease(c, "LS5", parcel(504), U, T3, "2500")
    lease(c, "LS6", parcel(506), N, T4, "2500")
    lease(c, "LS7", parcel(525), C1, C2, "2000")
    lease(c, "LS8", parcel(526), C2, C1, "3000")

    # below scale: tax yuan = tax per mu × mu × 10000
    below = {T1: ("T1", 330000),    # 2200 m² = 3.3 mu; 33 万 / 3.3 = 10
             T2: ("T2", 328500),    # 4000 − 2200 + 3000 + 2500 = 7300 m² = 10.95 mu; 32.85 / 10.95 = 3
             T3: ("T3", 75000),     # 2500 m² = 3.75 mu; 7.5 / 3.75 = 2
             T4: ("T4", 37500),     # 3.75 mu; 3.75 / 3.75 = 1
             C1: ("C1", 315000),    # 6000 − 2000 + 3000 = 7000 m² = 10.5 mu; 31.5 / 10.5 = 3
             C2: ("C2", 375000)}    # 6000 − 3000 + 2000 = 5000 m² = 7.5 mu; 37.5 / 7.5 = 5
    for code, (name, tax) in below.items():
        c.enterprise(code, name, above_scale=False)
        c.annual(code, output_k="1000", revenue_k="1000", employees_avg="5")
        c.payment(code, f"V{name}", f"{tax}.00")

    # X1 leases R1's second parcel whole; each X(i) holds 5000 m² and lets 2500 to X(i+1):
    # X1..X6 hold 5000 − 2500 + 2500 = 5000 m² = 7.5 mu, X7 2500 m² = 3.75 mu; tax per mu 1
    # each (score 20, D), so only following R1 (A) can lift them.
    c.land_parcel(parcel(507), R1, "2500")
    for i, code in enumerate(X):
        c.enterprise(code, f"X{i + 1}", above_scale=False)
        c.annual(code, output_k="1000", revenue_k="1000", employees_avg="5")
        c.payment(code, f"VX{i + 1}", "37500.00" if i == 6 else "75000.00")
        if i < 6:
            c.land_parcel(parcel(541 + i), code, "5000")
        landlord, parcel_code = (R1, parcel(507)) if i == 0 else (X[i - 1], parcel(540 + i))
        lease(c, f"LX{i + 1}", parcel_code, landlord, code, "2500")
    # Y(i) holds 5000 m², lets 2500 to Y(i+1) and leases 2500 from Y(i−1): 7.5 mu each;
    # tax 7.5 × tax per mu 万
    for i, code in enumerate(Y):
        c.enterprise(code, f"Y{i + 1}", above_scale=False)
        c.annual(code, output_k="1000", revenue_k="1000", employees_avg="5")
        c.payment(code, f"VY{i + 1}", f"{Y_TAX_PER_MU[i] * 75000}.00")
        c.land_parcel(parcel(561 + i), code, "5000")
        lease(c, f"LY{i + 1}", parcel(561 + i), code, Y[(i + 1) % 8], "2500")

    # T5 leases 2500 m² from R1 and 2500 m² from L (7.5 mu; tax per mu 3: 60, C): a tie,
    # broken by the smaller USCC, R1's
    c.land_parcel(parcel(508), R1, "2500")
    c.land_parcel(parcel(509), L, "2500")
    c.enterprise(T5, "T5", above_scale=False)
    c.annual(T5, output_k="1000", revenue_k="1000", employees_avg="5")
    c.payment(T5, "VT5", "225000.00")
    lease(c, "LT5a", parcel(509), L, T5, "2500")
    lease(c, "LT5b", parcel(508), R1, T5, "2500")

    for code in (L, U):
        c.reference["lists/watch_list"].append({"uscc": code, "year_from": "", "year_to": "",
                                                "changed_by": "t", "reason": "watched"})
    return c


@pytest.fixture(scope="module")
def methods(tmp_path_factory):
    record, con = run_golden(build_methods(), tmp_path_factory.mktemp("golden-methods"),
                             pack="golden-methods")
    yield con
    con.close()


def test_tenant_land_as_set_up(methods):
    expected = {R1: 15, L: 15, U: 15, T5: 7.5, T1: 3.3, T2: 10.95, T3: 3.75, T4: 3.75, C1: 10.5, C2: 7.5}
    for code, mu in expected.items():
        assert float(evaluation(methods, code)["land_area_mu"]) == pytest.approx(mu), code


def test_derived_benchmark_is_a_multiple_of_this_years_pool_mean(methods):
    # mean tax_per_mu of the pool's evaluated enterprises (N is new: not evaluated, its 20
    # does not count; U, not graded, does): (12 + 4 + 8 + 16 + 10) / 5 = 10 → benchmark 20
    #   R1: 40 × 12/20 = 24   R2: 40 × 4/20 = 8   U: 40 × 16/20 = 32   L: 40 × 10/20 = 20
    for code, points in {R1: 24, R2: 8, U: 32, L: 20}.items():
        assert evaluation(methods, code)["score_tax_per_mu"] == pytest.approx(points), code


def test_shortfall_penalty_then_applies_to_coefficient(methods):
    # below the pool's mean tax_per_mu (10): R2 (4) and R3 (8); L (10) is not below it.
    # R2: −30 × (1 − min(10/20, 1)) = −15, then R&D 120 万 (first tier, ≥ 100) × 1.5 = −22.5
    assert evaluation(methods, R2)["score_value_added_per_mu"] == pytest.approx(-22.5)
    # R3: −30 × (1 − min(24/20, 1)) = 0: at or above the benchmark the penalty is nothing
    assert evaluation(methods, R3)["score_value_added_per_mu"] == pytest.approx(0, abs=1e-9)
    # R1 (not below): 30 × 30/20 = 45, R&D 60 万 (second tier, ≥ 50) × 1.2 = 54
    assert evaluation(methods, R1)["score_value_added_per_mu"] == pytest.approx(54)
    # L (at the mean, not below): 30 × min(40/20, 2) = 60; no R&D: no coefficient
    assert evaluation(methods, L)["score_value_added_per_mu"] == pytest.approx(60)


def test_missing_exclude_reweights_the_others(methods):
    row = evaluation(methods, R3)
    assert row["labour_productivity"] is None                  # no employees
    # the others, 70 of 100 weight, re-weighted to 100: tax 16 × 100/70, value added 0
    assert row["score_tax_per_mu"] == pytest.approx(16 * 100 / 70)
    assert row["score_labour_productivity"] in (None, 0)       # excluded: no points
    assert row["score_total"] == pytest.approx((16 + 0) * 100 / 70)   # 22.857142…


def test_above_scale_totals_with_coefficients_on_the_total(methods):
    # R1: (24 + 54 + 30 × 15/10 = 45) = 123 × 1.1 (revenue 6000 万, first tier) = 135.3
    # R2: (8 − 22.5 + 30 × 10/10 = 30) = 15.5 × 1.05 (revenue 2000 万) = 16.275
    # R3: 22.857142… (revenue 500 万: no tier)
    # U:  32 + 30 × min(40/20, 2) = 60 + 30 × 10/10 = 30 → 122
    # L:  20 + 60 + 30 × min(600/20 / 10, 2) = 60 → 140
    expected = {R1: 135.3, R2: 16.275, R3: 16 * 100 / 70, U: 122, L: 140}
    for code, score in expected.items():
        assert evaluation(methods, code)["score_total"] == pytest.approx(score), code


def test_score_bands_first_from_at_or_below_the_score(methods):
    # above: L 140 A, R1 135.3 A, U 122 A, R3 22.86 and R2 16.28 below every `from`: D
    # below: T1 100 × min(10/5, 2) = 200 A; C2 100 × 5/5 = 100 A (exactly at A's `from`);
    #        T2, C1 100 × 3/5 = 60 C (exactly at C's from); T3 100 × 2/5 = 40 D; T4 20 D
    expected = {L: (140, "A"), R1: (135.3, "A"), U: (122, "A"), R3: (16 * 100 / 70, "D"),
                R2: (16.275, "D"), T1: (200, "A"), C2: (100, "A"), T2: (60, "C"),
                C1: (60, "C"), T3: (40, "D"), T4: (20, "D")}
    for code, (score, band) in expected.items():
        row = evaluation(methods, code)
        assert row["score_total"] == pytest.approx(score), code
        assert row["grade_by_score"] == band, code


def test_ranks_include_the_not_graded(methods):
    above = {L: 1, R1: 2, U: 3, R3: 4, R2: 5}
    for code, rank in above.items():
        assert evaluation(methods, code)["rank_in_pool"] == rank, code
    assert evaluation(methods, U)["percentile_in_pool"] == pytest.approx(3 / 5)
    # below scale, 22 enterprises: T1 200; C2, Y1, Y5 100; Y2, Y6 80; T2, C1, T5, Y3, Y7 60
    # (T2: 32.85 / 10.95, C1: 31.5 / 10.5, equal once rounded); T3, Y4, Y8 40; T4, X1..X7 20
    below = {T1: 1, C2: 2, Y[0]: 2, Y[4]: 2, Y[1]: 5, Y[5]: 5, T2: 7, C1: 7, T5: 7, Y[2]: 7,
             Y[6]: 7, T3: 12, Y[3]: 12, Y[7]: 12, T4: 15, **{x: 15 for x in X}}
    for code, rank in below.items():
        assert evaluation(methods, code)["rank_in_pool"] == rank, code
    assert evaluation(methods, T4)["percentile_in_pool"] == pytest.approx(15 / 22)


def test_not_graded_is_t_with_no_rules_tested(methods):
    row = evaluation(methods, U)
    # on watch_list, but no grade rule is tested on a T enterprise
    assert (row["grade_by_score"], row["grade"], list(row["grade_reasons"])) == ("A", "T", [])
    assert row["evaluated"] is True
    policy = one(methods, "select * from marts.grade_policies where uscc = ?", U)
    assert (policy["grade"], policy["grade_for_policy"]) == ("T", "B")
    assert policy["subsidy_share"] == pytest.approx(0.8)          # B's share
    assert policy["surcharge_yuan_per_kwh"] == 0 and policy["consecutive_d_years"] == 0


def final_of(con, code):
    row = evaluation(con, code)
    return row["grade"], list(row["grade_reasons"])


def test_landlord_rules_before_follow(methods):
    # L: band A, on watch_list → B; R1: A, no rule holds
    assert final_of(methods, L) == ("B", ["down_watched"])
    assert final_of(methods, R1) == ("A", [])


def test_follow_landlord(methods):
    final = {code: final_of(methods, code) for code in (T1, T2, T3, T4, T5, C1, C2)}
    # T2 leases most from L (3000 m² against R1's merged 2500): C → L's final B
    assert final[T2] == ("B", ["follow"])
    # T1 → T2 → L: T1 takes T2's final grade B (200 would be A), then down_tiny (3.3 mu) → C
    assert final[T1] == ("C", ["follow", "down_tiny"])
    # T3's landlord U is T, treated as B: D → B
    assert final[T3] == ("B", ["follow"])
    # T4's landlord N is not evaluated: T4 keeps D, and the rule is still listed
    assert final[T4] == ("D", ["follow"])
    # T5 leases as much from R1 (A) as from L (B): the smaller USCC, R1's, wins: C → A
    assert R1 < L and final[T5] == ("A", ["follow"])
    # C1 and C2 lease from each other: each keeps its grade from before the rule
    assert final[C1] == ("C", ["follow"])
    assert final[C2] == ("A", ["follow"])


def test_follow_landlord_chain_of_seven(methods):
    # X7 → X6 → … → X1 → R1: each takes its landlord's final grade, so all take R1's A
    assert {evaluation(methods, code)["grade_by_score"] for code in X} == {"D"}
    final = {i + 1: final_of(methods, code) for i, code in enumerate(X)}
    assert final == {n: ("A", ["follow"]) for n in range(1, 8)}


def test_follow_landlord_cycle_of_eight(methods):
    # Y(i) leases only from Y(i−1): a cycle of eight; each keeps its grade from before the rule
    final = {i + 1: final_of(methods, code) for i, code in enumerate(Y)}
    assert final == {n: (grade, ["follow"]) for n, grade in enumerate("ABCDABCD", start=1)}


def test_policies_follow_final_grades(methods):
    policies = {r["uscc"]: r for r in rows(methods, "select * from marts.grade_policies")}
    assert N not in policies                                     # not evaluated
    assert policies[T4]["grade"] == "D" and policies[T4]["consecutive_d_years"] == 1
    assert policies[T4]["surcharge_yuan_per_kwh"] == pytest.approx(0.1)
    assert policies[T3]["subsidy_share"] == pytest.approx(0.8)   # followed U's treat_as B
    assert policies[T1]["subsidy_share"] == pytest.approx(0.5)   # C
