"""The quarterly monitor: year-to-date figures over Q1…Qn, colours by group median."""

from __future__ import annotations

import duckdb
import pytest

from mujun import pipeline
from mujun.rulepack import load_pack
from tests.dbt.conftest import PACKS
from tests.fixtures.golden import GoldenCounty, account, parcel, uscc

E = [uscc(400 + n) for n in range(1, 5)]
# tax in yuan per quarter: Q1 and Q2 alike; land 60 mu each
TAX = {E[0]: 300_000, E[1]: 600_000, E[2]: 1_200_000, E[3]: 150_000}


def county() -> GoldenCounty:
    c = GoldenCounty(year=2024)
    for n, code in enumerate(E):
        for quarter, month in (("2024Q1", "2024-02"), ("2024Q2", "2024-05")):
            c.add("tax.payments", quarter, voucher_id=f"Q{n}{month}", uscc=code, month=month,
                  tax_type="VAT", amount_yuan=f"{TAX[code]}.00")
            c.add("grid.consumption", quarter, account_no=account(400 + n), month=month,
                  kwh="1000", reading="actual")
        c.enterprise(code, f"Q{n}", period="2024Q2")
        c.land_parcel(parcel(400 + n), code, "40000", period="2024Q2")
        c.add("grid.accounts", "2024Q2", account_no=account(400 + n), holder_name=None,
              holder_uscc=code, parcel_code=None, address=None, transformer_id=None,
              opened_on=None, closed_on=None)
        c.add("stats.quarterly", "2024Q2", uscc=code, quarter="2024Q2",
              output_k_ytd=str(1000 * (n + 1)), revenue_k_ytd="1000", value_added_k_ytd="300")
    return c


@pytest.fixture(scope="module")
def monitored(tmp_path_factory):
    home = tmp_path_factory.mktemp("quarterly") / "home"
    county().land_all(home / "landing", periods=["2024Q1", "2024Q2"])
    record = pipeline.run_quarterly(home, 2024, 2, load_pack(str(PACKS / "golden-quarterly.yml")))
    assert record.status == "published"
    con = duckdb.connect(str(home / "published" / "mujun.duckdb"), read_only=True)
    yield {r[0]: r[1:] for r in con.execute(
        "select uscc, quarter, tax_per_mu, colour_tax_per_mu, output_per_kwh, "
        "colour_output_per_kwh, colour, value_added_per_mu from marts.quarterly_monitor").fetchall()}
    con.close()


def test_year_to_date_figures_and_colours(monitored):
    # tax per mu, Q1 + Q2 over 60 mu: 1, 2, 4, 0.5 万元/亩; median (1 + 2) / 2 = 1.5
    # red below 0.75, yellow below 1.5, blue otherwise
    expected = {E[0]: (1.0, "yellow"), E[1]: (2.0, "blue"), E[2]: (4.0, "blue"),
                E[3]: (0.5, "red")}
    for code, (tax_per_mu, colour) in expected.items():
        row = monitored[code]
        assert row[0] == "2024Q2"
        assert row[1] == pytest.approx(tax_per_mu) and row[2] == colour, code
    # output per kWh: 1000 … 4000 thousand yuan = 100 … 400 万元 × 10000 / 2000 kWh
    # = 500, 1000, 1500, 2000 元/kWh; median 1250: red below 625, yellow below 1250
    assert [monitored[c][3] for c in E] == pytest.approx([500, 1000, 1500, 2000])
    assert [monitored[c][4] for c in E] == ["red", "yellow", "blue", "blue"]
    # the worst colour of the two, in the pack's order
    assert [monitored[c][5] for c in E] == ["red", "yellow", "blue", "red"]
    assert all(row[6] is None for row in monitored.values())  # not monitored by the pack
