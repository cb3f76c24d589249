"""The application-form tables (seed 003): the county's and each division's indicators.

The form (附件 2, 规模以上工业企业主要指标) asks a county for ten indicators of its
above-scale industry over three years. `write_forms` writes them from
`marts.region_indicators`, for the county and every division, years Y−2..Y of one rule
pack, as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese) and XLSX:

    forms/region_indicators_<Y>.csv    one row per area and indicator, one column per year
    forms/region_indicators_<Y>.xlsx   the same table (sheet 指标), and the sums behind each
                                       figure (sheet 口径: numerator, denominator)

Rows follow the form's order and wording; `tax_paid_per_mu` (tax actually paid, the form's
enterprise reading) follows the ten as the form's "其他指标". The R&D share is a
percentage as on the form (the mart's fraction × 100); every other figure is the mart's,
unrounded in the CSV and shown with two decimals in the XLSX. A year the publication does
not hold for the pack is an empty cell.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class FormRow:
    id: str
    label: str  # as the form writes it
    unit: str
    factor: float = 1.0
    note: str = ""


FORM_ROWS: tuple[FormRow, ...] = (
    FormRow("value_added_per_mu", "亩均增加值(万元/亩)", "万元/亩"),
    FormRow("output_per_mu", "亩均产值(万元/亩)", "万元/亩"),
    FormRow("revenue_per_mu", "亩均营业收入(万元/亩)", "万元/亩"),
    FormRow("tax_per_mu", "亩均税收(万元/亩)", "万元/亩",
            note="还原后税收 (restored tax) / 实际用地面积"),
    FormRow("rd_share", "研发经费支出占主营业务收入比重 (%)", "%", 100.0,
            note="研发经费支出 / 营业收入 × 100"),
    FormRow("labour_productivity", "全员劳动生产率 (万元/人年)", "万元/人年"),
    FormRow("value_added_per_tce", "单位能耗增加值 (万元/吨标准煤)", "万元/吨标准煤"),
    FormRow("output_per_tce", "单位能耗产值 (万元/吨标准煤)", "万元/吨标准煤"),
    FormRow("revenue_per_tce", "单位能耗销售收入 (万元/吨标准煤)", "万元/吨标准煤"),
    FormRow("revenue_per_tce_electricity", "单位电耗销售收入 (万元/吨标准煤)", "万元/吨标准煤",
            note="耗电量按评价办法的电力折标系数折算"),
    FormRow("tax_paid_per_mu", "亩均实缴税收(万元/亩)", "万元/亩",
            note="其他指标: 实际缴纳税收, 不含退税还原 (tax paid)"),
)
AREA_KINDS = ("county", "division")


def form_columns(year: int) -> list[str]:
    """The CSV header: Chinese as on the form, with the mart's English ids beside."""
    return ["区域", "area_kind", "area_code", "指标名称", "indicator", "单位",
            *(f"{y}年" for y in form_years(year)), "说明"]


def form_years(year: int) -> list[int]:
    return [year - 2, year - 1, year]


def area_label(kind: str, code: str) -> str:
    return "全县(区)" if kind == "county" else f"镇街 {code}"


def form_table(con: duckdb.DuckDBPyConnection, year: int, rule_pack: str) -> list[list]:
    """The rows of the form table (without header), county first, then divisions by code."""
    years = form_years(year)
    columns = ", ".join(r.id for r in FORM_ROWS)
    found = con.execute(
        f"select area_kind, area_code, year, {columns} from marts.region_indicators "
        "where area_kind in ('county', 'division') and rule_pack = ? and year between ? and ?",
        [rule_pack, years[0], years[-1]]).fetchall()
    values: dict[tuple[str, str], dict[int, tuple]] = {}
    for kind, code, y, *figures in found:
        values.setdefault((kind, code), {})[y] = tuple(figures)
    areas = sorted(values, key=lambda a: (AREA_KINDS.index(a[0]), a[1]))
    rows = []
    for kind, code in areas:
        by_year = values[(kind, code)]
        for i, row in enumerate(FORM_ROWS):
            cells = []
            for y in years:
                v = by_year.get(y, (None,) * len(FORM_ROWS))[i]
                cells.append(None if v is None else v * row.factor if row.factor != 1 else v)
            rows.append([area_label(kind, code), kind, code, row.label, row.id, row.unit,
                         *cells, row.note])
    return rows


def basis_table(con: duckdb.DuckDBPyConnection, year: int, rule_pack: str) -> list[list]:
    """Numerator and denominator behind every figure: the sums the form asks to explain."""
    years = form_years(year)
    select = ", ".join(f"{r.id}_num, {r.id}_den, {r.id}" for r in FORM_ROWS)
    found = con.execute(
        f"select area_kind, area_code, year, enterprises, {select} from marts.region_indicators "
        "where area_kind in ('county', 'division') and rule_pack = ? and year between ? and ? "
        "order by case area_kind when 'county' then 0 else 1 end, area_code, year",
        [rule_pack, years[0], years[-1]]).fetchall()
    rows = []
    for kind, code, y, enterprises, *figures in found:
        for i, row in enumerate(FORM_ROWS):
            num, den, value = figures[3 * i:3 * i + 3]
            rows.append([area_label(kind, code), kind, code, y, enterprises, row.label, row.id,
                         None if num is None else float(num), None if den is None else float(den),
                         value])
    return rows


BASIS_HEADER = ["区域", "area_kind", "area_code", "年度 year", "企业数 enterprises", "指标名称",
                "indicator", "分子 numerator", "分母 denominator", "指标值 value (mart)"]
BASIS_NOTES = (
    "取数口径 (the form asks for these three):",
    "企业实际用地面积: 评价办法核定的用地(自有减出租, 加承租与实测), 单位亩"
    " (denominator of *_per_mu)",
    "企业税收总额: 亩均税收为还原后税收, 亩均实缴税收为实际缴纳税收, 单位万元 (numerator of tax_*)",
    "综合能源消费量: 各能源品种按评价办法折标系数折算, 单位吨标准煤"
    " (denominator of *_per_tce)",
    "每项指标 = 区域内同时具有分子与分母(分母 > 0)的规上企业分子之和 / 分母之和,"
    " 非企业比值的平均数.",
)


def write_forms(publication_db: Path, out: Path, year: int, rule_pack: str) -> list[Path]:
    """Write forms/region_indicators_<year>.csv and .xlsx under `out`; return their paths."""
    con = duckdb.connect(str(publication_db), read_only=True)
    try:
        rows = form_table(con, year, rule_pack)
        basis = basis_table(con, year, rule_pack)
    finally:
        con.close()
    folder = Path(out) / "forms"
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / f"region_indicators_{year}.csv"
    with open(csv_path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(form_columns(year))
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    xlsx_path = folder / f"region_indicators_{year}.xlsx"
    _write_xlsx(xlsx_path, year, rule_pack, rows, basis)
    return [csv_path, xlsx_path]


XLSX_TITLE_ROWS = 2  # title and note above the header on sheet 指标


def _write_xlsx(path: Path, year: int, rule_pack: str, rows: list[list],
                basis: list[list]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    bold = Font(bold=True)
    book = Workbook()
    sheet = book.active
    sheet.title = "指标"
    sheet.append([f"规模以上工业企业主要指标 — 评价年度 {year}, 评价办法 {rule_pack}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["数据来源: marts.region_indicators (mujun 发布库); 空白 = 该年度无评价结果"])
    header = form_columns(year)
    sheet.append(header)
    for cell in sheet[XLSX_TITLE_ROWS + 1]:
        cell.font, cell.fill = bold, header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    first_year_col = header.index(f"{year - 2}年") + 1
    for row in rows:
        sheet.append(row)
        for col in range(first_year_col, first_year_col + 3):
            sheet.cell(sheet.max_row, col).number_format = "#,##0.00"
    widths = {"区域": 16, "area_kind": 10, "area_code": 12, "指标名称": 34, "indicator": 28,
              "单位": 14, "说明": 44}
    for i, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = widths.get(name, 14)
    sheet.freeze_panes = sheet.cell(XLSX_TITLE_ROWS + 2, 4)

    notes = book.create_sheet("口径")
    for line in BASIS_NOTES:
        notes.append([line])
    notes["A1"].font = bold
    notes.append([])
    notes.append(BASIS_HEADER)
    for cell in notes[notes.max_row]:
        cell.font, cell.fill = bold, header_fill
    for row in basis:
        notes.append(row)
        for col in (8, 9, 10):
            notes.cell(notes.max_row, col).number_format = "#,##0.00####"
    for i, width in enumerate([16, 10, 12, 10, 10, 34, 28, 18, 18, 18], start=1):
        notes.column_dimensions[get_column_letter(i)].width = width
    book.save(path)
