"""The application-form tables (seed 003) equal marts.region_indicators."""

from __future__ import annotations

import csv
import shutil

import duckdb
import pytest
from openpyxl import load_workbook

from mujun.forms import FORM_ROWS, XLSX_TITLE_ROWS, form_columns, write_forms

# the ten rows of the form's indicator table, as the form writes them (seed 003, 附件 2)
FORM_LABELS = [
    "亩均增加值(万元/亩)", "亩均产值(万元/亩)", "亩均营业收入(万元/亩)", "亩均税收(万元/亩)",
    "研发经费支出占主营业务收入比重 (%)", "全员劳动生产率 (万元/人年)",
    "单位能耗增加值 (万元/吨标准煤)", "单位能耗产值 (万元/吨标准煤)",
    "单位能耗销售收入 (万元/吨标准煤)", "单位电耗销售收入 (万元/吨标准煤)",
]


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def mart_values(db, years, pack="zhenhai-2024"):
    ids = ", ".join(r.id for r in FORM_ROWS)
    with duckdb.connect(str(db), read_only=True) as con:
        found = con.execute(
            f"select area_kind, area_code, year, {ids} from marts.region_indicators "
            "where area_kind in ('county', 'division') and rule_pack = ? and year between ? "
            "and ?", [pack, min(years), max(years)]).fetchall()
    return {(k, c, y): dict(zip([r.id for r in FORM_ROWS], v, strict=True))
            for k, c, y, *v in found}


def check_table(rows, year, mart, exact=True):
    """CSV figures are the mart's to the last bit; XLSX keeps 15 significant digits, as Excel."""
    years = [year - 2, year - 1, year]
    header, body = rows[0], rows[1:]
    assert header == form_columns(year)
    assert [r[3] for r in body[:10]] == FORM_LABELS
    areas = {(k, c) for k, c, _ in mart}
    assert {(r[1], r[2]) for r in body} == areas
    assert len(body) == len(areas) * len(FORM_ROWS)
    assert body[0][1] == "county" and body[0][2] == "all"
    factor = {r.id: r.factor for r in FORM_ROWS}
    for row in body:
        kind, code, indicator = row[1], row[2], row[4]
        for y, cell in zip(years, row[6:9], strict=True):
            want = mart.get((kind, code, y), {}).get(indicator)
            if want is None:
                assert cell in ("", None), (kind, code, indicator, y, cell)
            else:
                got = float(cell)
                want = want * factor[indicator]
                assert got == want if exact else got == pytest.approx(want, rel=1e-14), \
                    (kind, code, indicator, y, got, want)


def test_form_tables_equal_the_region_mart(evaluated):
    db = evaluated.publication / "mujun.duckdb"
    csv_path = evaluated.publication / "forms" / "region_indicators_2024.csv"
    xlsx_path = csv_path.with_suffix(".xlsx")
    mart = mart_values(db, [2022, 2023, 2024])
    assert {y for _, _, y in mart} == {2023, 2024}  # 2022 was never evaluated: empty cells
    rows = read_csv(csv_path)
    check_table(rows, 2024, mart)
    sheet = load_workbook(xlsx_path, read_only=True)["指标"]
    cells = [list(r) for r in sheet.iter_rows(min_row=XLSX_TITLE_ROWS + 1, values_only=True)]
    check_table(cells, 2024, mart, exact=False)
    assert [c[:6] for c in cells] == [r[:6] for r in rows]


@pytest.fixture
def three_years(evaluated, tmp_path):
    """The publication with a 2022 added: 2023's rows with every figure doubled."""
    db = tmp_path / "mujun.duckdb"
    shutil.copy(evaluated.publication / "mujun.duckdb", db)
    with duckdb.connect(str(db)) as con:
        columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' "
            "and table_name = 'region_indicators'").fetchall()]
        doubled = ", ".join(
            "2022" if c == "year" else f"{c} * 2" if c.endswith(("_num", "_den"))
            or c in {r.id for r in FORM_ROWS} else c for c in columns)
        con.execute(f"insert into marts.region_indicators select {doubled} "
                    "from marts.region_indicators where year = 2023")
    return db


def test_three_years_fill_three_columns_and_rd_share_is_a_percentage(three_years, tmp_path):
    csv_path, xlsx_path = write_forms(three_years, tmp_path / "pub", 2024, "zhenhai-2024")
    rows = read_csv(csv_path)
    mart = mart_values(three_years, [2022, 2023, 2024])
    check_table(rows, 2024, mart)
    county_rd = next(r for r in rows if r[1] == "county" and r[4] == "rd_share")
    assert county_rd[5] == "%" and all(county_rd[6:9])
    assert float(county_rd[6]) == pytest.approx(2 * float(county_rd[7]))
    assert float(county_rd[8]) == mart[("county", "all", 2024)]["rd_share"] * 100
    book = load_workbook(xlsx_path, read_only=True)
    assert book.sheetnames == ["指标", "口径"]
    basis = [r for r in book["口径"].iter_rows(values_only=True) if r and r[0]]
    assert any(r[6] == "tax_per_mu" and r[3] == 2022 for r in basis)
