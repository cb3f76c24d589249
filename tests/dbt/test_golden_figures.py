"""Golden figures: land, restored tax, electricity, energy and emissions by hand.

One small county exercises every land situation, every restoration item, each way
an account is linked, fuels in m³, t and kg, and monitoring beating permit figures.
Every expected number below is worked out in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.dbt.conftest import one, rows, run_golden
from tests.fixtures.golden import GoldenCounty, account, bad_uscc, parcel, uscc

R, S, L, T, D, X, Y, Z, W, DR, F, E, RL = (uscc(n) for n in range(1, 14))


def fullwidth(code: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in code)


def build() -> GoldenCounty:
    c = GoldenCounty(year=2024)
    for code, name in [(R, "R公司"), (S, "S公司"), (L, "L公司"), (T, "T公司"), (D, "D公司"),
                       (X, "X公司"), (Y, "Y公司"), (Z, "Z公司"), (W, "W公司"), (F, "F公司"),
                       (E, "E公司"), (RL, "RL公司")]:
        c.enterprise(code, name, high_tech=code == R)
        c.annual(code, output_k="10000", value_added_k="3000", revenue_k="12000",
                 employees_avg="10")
    c.enterprise(DR, "DR公司", status="deregistered")

    # --- restoration (R): payments, a reversal, a duplicate voucher, reliefs, SI, high-tech
    c.payment(R, "V-R1", "100000.00")
    c.payment(R, "V-R2", "50000.00", tax_type="CIT")
    c.payment(R, "V-R3", "-10000.00")                      # a reversal counts
    c.payment(R, "V-R1", "100000.00")                       # duplicate voucher: quarantined
    c.payment(fullwidth(R).lower(), "V-R4", "1000.00")      # full-width lower case: R's
    c.payment(bad_uscc(1), "V-BAD", "777.00")               # invalid USCC: quarantined
    c.payment(R, "V-BAD2", "12,5")                          # not a decimal: quarantined
    for relief_id, kind, subkind, amount in [
            ("R-1", "VAT_CREDIT_REFUND", None, "20000"), ("R-2", "EXPORT_REBATE", None, "30000"),
            ("R-3", "CT_REFUND", None, "5000"), ("R-4", "DEFERRAL", None, "7000"),
            ("R-5", "PRE_COLLECTION_EXEMPTION", None, "3000"),
            ("R-6", "POLICY_RELIEF", "RESOURCE_REUSE", "4000"),
            ("R-7", "POLICY_RELIEF", "OTHER", "1000")]:          # OTHER is not added back
        c.add("tax.reliefs", relief_id=relief_id, uscc=R, month="2024-04", kind=kind,
              subkind=subkind, amount_yuan=amount)
    c.add("tax.social_insurance", uscc=R, month="2024-01", employer_amount_yuan="4000")
    c.add("tax.social_insurance", uscc=R, month="2024-02", employer_amount_yuan="2000")
    c.land_parcel(parcel(1), R, "2000")

    # --- land
    c.land_parcel(parcel(2), S, "4000")                                   # S holds 6 mu
    c.land_parcel(parcel(3), None, "1000", kind="attached", attached_to=parcel(2))
    c.add("land.surveys", survey_id="SV1", parcel_code=parcel(3), user_uscc=S, user_name=None,
          occupied_m2="1000", surveyed_on="2024-03-01")                  # attached: +1.5 mu
    c.land_parcel(parcel(4), S, "5000", land_use="0701")                 # not industrial
    c.reference["research_land"].append({"parcel_code": parcel(2), "area_m2": "400", "uscc": S,
                                         "changed_by": "tester", "reason": "lab"})  # −0.6 mu
    c.land_parcel(parcel(20), RL, "2000")                                 # all research land:
    c.reference["research_land"].append({"parcel_code": parcel(20), "area_m2": "2500", "uscc": RL,
                                         "changed_by": "tester", "reason": "lab"})  # no land left
    c.land_parcel(parcel(5), L, "10000")
    for lease_id, lessee, area, start, end in [
            ("LS1", T, "4000", "2023-01-01", "2025-12-31"),
            ("LS2", T, "3000", "2024-06-01", None),       # same lessee: merged at the largest
            ("LS3", None, "1000", "2024-01-01", "2024-12-31"),   # a person: still let
            ("LS4", T, "2000", "2020-01-01", "2022-12-31")]:     # ended before the year
        c.add("land.leases", lease_id=lease_id, parcel_code=parcel(5), lessor_uscc=L,
              lessee_uscc=lessee, lessee_name=None, leased_land_m2=area, start_date=start,
              end_date=end)
    c.land_parcel(parcel(6), None, "3000", kind="de_facto")
    for survey_id, area, day in [("SV2", "1000", "2023-05-01"), ("SV3", "2500", "2024-06-01"),
                                 ("SV4", "2900", "2025-02-01")]:   # after the year: ignored
        c.add("land.surveys", survey_id=survey_id, parcel_code=parcel(6), user_uscc=D,
              user_name=None, occupied_m2=area, surveyed_on=day)
    c.land_parcel(parcel(7), X, "2000")
    c.add("land.leases", lease_id="LS5", parcel_code=parcel(7), lessor_uscc=X, lessee_uscc=Y,
          lessee_name=None, leased_land_m2="3000", start_date="2024-01-01", end_date=None)
    c.land_parcel(parcel(8), X, "1000")
    for lease_id, lessee, area, start in [("LS7", T, "600", "2024-01-01"),
                                          ("LS8", Y, "600", "2024-02-01"),   # 1200 > 1000
                                          ("LS9", D, "300", "2024-03-01")]:  # 900 fits
        c.add("land.leases", lease_id=lease_id, parcel_code=parcel(8), lessor_uscc=X,
              lessee_uscc=lessee, lessee_name=None, leased_land_m2=area, start_date=start,
              end_date=None)
    c.land_parcel(parcel(9), Z, "2000")
    for user in (Z, W):
        c.reference["enterprise_parcel_links"].append(
            {"parcel_code": parcel(9), "uscc": user, "share": "0.5", "year_from": "2024",
             "year_to": "", "changed_by": "tester", "reason": "shared workshop"})

    # --- electricity
    accounts = [(1, None, None, "合用户"), (2, T, None, None), (3, None, parcel(5), "Ｄ 公司"),
                (4, R, None, None), (5, bad_uscc(1), parcel(1), None), (6, DR, None, None)]
    for n, holder, parcel_code, name in accounts:
        c.add("grid.accounts", account_no=account(n), holder_name=name, holder_uscc=holder,
              parcel_code=parcel_code, address=None, transformer_id=None, opened_on=None,
              closed_on=None)
    for n, month, kwh, reading in [(1, "2024-01", "1000", "actual"), (2, "2024-02", "500", "actual"),
                                   (2, "2024-02", "450", "estimated"),   # actual wins
                                   (2, "2024-03", "100", "estimated"), (3, "2024-01", "200", "actual"),
                                   (4, "2024-01", "300", "actual"), (5, "2024-01", "100", "actual"),
                                   (6, "2024-01", "50", "actual")]:
        c.add("grid.consumption", account_no=account(n), month=month, kwh=kwh, reading=reading)
    for user, share in [(S, "0.6"), (L, "0.4")]:
        c.reference["account_links"].append(
            {"account_no": account(1), "uscc": user, "share": share, "year_from": "",
             "year_to": "", "changed_by": "tester", "reason": "shared transformer"})

    # --- fuels (F)
    for carrier, quantity, unit in [("natural_gas", "1000", "m3"), ("diesel", "2", "t"),
                                    ("gasoline", "500", "kg"), ("water", "100", "t"),
                                    ("heat", "10", "GJ"),        # no coefficient in the pack
                                    ("raw_coal", "5", "bbl"),    # not a unit of the contract
                                    ("lpg", "3", "m3")]:         # pack's lpg is per kg
        c.add("stats.energy_use", uscc=F, year="2024", carrier=carrier, quantity=quantity,
              unit=unit)

    # --- emissions (E)
    for pollutant, tonnes, basis in [("COD", "2", "permit_report"), ("COD", "1.5", "monitoring"),
                                     ("SO2", "3", "permit_report"),
                                     ("NOX", "0.5", "monitoring"), ("VOC", "9", "permit_report")]:
        c.add("env.emissions", uscc=E, year="2024", pollutant=pollutant, tonnes=tonnes,
              basis=basis)
    return c


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    record, con = run_golden(build(), tmp_path_factory.mktemp("golden-figures"))
    yield con
    con.close()


def figures(con, code):
    return one(con, "select * from marts.enterprise_evaluation where uscc = ?", code)


def test_every_restoration_item(golden):
    r = figures(golden, R)
    # paid: 100000 + 50000 − 10000 + 1000 (full-width code) = 141000 yuan
    assert r["tax_paid_wan"] == Decimal("14.1")
    # + reliefs 20000 + 30000 + 5000 + 7000 + 3000 + 4000 (not OTHER's 1000) = 69000
    # + social insurance 6000 + high-tech CIT 50000 × (0.25 / 0.15 − 1) = 33333.33…
    assert float(r["tax_restored_wan"]) == pytest.approx((141000 + 69000 + 6000 + 50000 * (0.25 / 0.15 - 1)) / 10000, abs=1e-6)


def test_each_land_situation(golden):
    expected = {
        R: (3.0, "own_self_use", 0),
        S: (6.0 + 1.5 - 0.6, "own_self_use", 0),        # held + attached − research land
        L: (7.5, "own_with_lease", 1),                    # 10000 − 4000 − 1000 m²
        T: (6.9, "tenant", 0),                            # 4000 from L + 600 from X
        D: (4.2, "tenant", 0),                            # survey 2500 + lease 300
        X: (3.15, "own_with_lease", 2),                   # 2000 + 1000 − 600 − 300
        Y: (0.0, "no_land", 0),                           # both its leases refused
        Z: (1.5, "own_self_use", 0),                      # linked half of its parcel
        W: (1.5, "tenant", 0),                            # linked other half
        RL: (0.0, "no_land", 0),                          # research land takes all it holds
    }
    for code, (mu, land_class, tenants) in expected.items():
        row = figures(golden, code)
        assert float(row["land_area_mu"]) == pytest.approx(mu), code
        assert (row["land_class"], row["tenant_count"]) == (land_class, tenants), code


def test_leases_beyond_their_parcel_are_quarantined(golden):
    found = rows(golden, "select record_key from audit.quarantine "
                         "where reason = 'lease_exceeds_parcel' order by record_key")
    assert [r["record_key"] for r in found] == ["LS5", "LS8"]


def test_accounts_link_by_reference_holder_parcel_and_name(golden):
    kwh = {code: float(figures(golden, code)["electricity_kwh"]) for code in (S, L, T, D, R)}
    assert kwh == {S: 600.0, L: 400.0, T: 600.0, D: 200.0, R: 400.0}
    links = {r["account_no"]: r["link_method"]
             for r in rows(golden, "select account_no, link_method from intermediate.int_accounts_linked")}
    assert links[account(2)] == "holder_uscc" and links[account(3)] == "holder_name"
    assert links[account(5)] == "parcel_holder" and links[account(6)] == "unlinked"
    coverage = one(golden, "select matched, total from audit.reconciliation "
                           "where item = 'accounts_linked_to_enterprise'")
    assert (coverage["matched"], coverage["total"]) == (5, 6)  # account 6: deregistered holder


def test_fuels_convert_to_their_coefficient_unit(golden):
    row = figures(golden, F)
    # 1000 m³ × 1.33 + 2 t → 2000 kg × 1.4571 + 500 kg × 1.4714 + 100 t × 0.0857, ÷ 1000
    assert row["energy_tce"] == pytest.approx((1330 + 2914.2 + 735.7 + 8.57) / 1000)
    assert row["co2_t"] == pytest.approx((1330 + 2914.2 + 735.7) / 1000 * 2.5)
    assert float(row["water_t"]) == 100.0
    reasons = {r["record_key"].split("|")[2]: r["reason"] for r in rows(
        golden, "select record_key, reason from audit.quarantine where dataset = 'stats.energy_use'")}
    assert reasons == {"heat": "unknown_carrier", "raw_coal": "unknown_unit", "lpg": "unit_mismatch"}


def test_monitoring_beats_permit_figures(golden):
    assert float(figures(golden, E)["emissions_t"]) == pytest.approx(1.5 + 3 + 0.5)


def test_bad_records_are_quarantined_with_their_reason(golden):
    found = {(r["dataset"], r["record_key"]): r["reason"] for r in rows(
        golden, "select dataset, record_key, reason from audit.quarantine")}
    assert found[("tax.payments", "V-R1")] == "duplicate_key"
    assert found[("tax.payments", "V-BAD")] == "invalid_uscc"
    assert found[("tax.payments", "V-BAD2")] == "bad_value"
    assert found[("grid.consumption", f"{account(2)}|2024-02")] == "duplicate_key"


def test_landed_equals_staged_plus_quarantined(golden):
    for row in rows(golden, "select * from audit.reconciliation where item = 'records'"):
        assert row["landed"] == row["staged"] + row["quarantined"], row["dataset"]


def test_deregistered_enterprise_is_not_evaluated(golden):
    row = figures(golden, DR)
    assert (row["evaluated"], row["exclusion_reason"]) == (False, "deregistered")
