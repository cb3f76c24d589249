"""Reader-facing HTML of a publication: the run report, the parcel map, one page per enterprise.

    reports/run.html                  grades per pool, gates, reconciliation coverage, changes
                                      against last year
    reports/map.html                  industrial parcels as filled polygons coloured by grade
    reports/enterprises/<uscc>.html   one health report per evaluated enterprise (一企一表)
    reports/enterprises/index.html    the list of them, by pool and rank
    reports/plotly.min.js             plotly.js, written once (include_plotlyjs="directory")
    reports/report.css, enterprise.js shared by every page
    forms/region_indicators_<Y>.*     the application-form tables (mujun.forms)

Every page opens from the file system with no network: no CDN, no tile server, no web font.
The map draws the parcels' own GeoJSON polygons (WGS84) on a plain background, with
scroll-zoom and pan, and no base map.

Enterprise pages are written eagerly, all of them: each is a small static file (the table
is HTML, the two charts are drawn by the shared enterprise.js from a few hundred bytes of
JSON in the page), so 30,000 of them take seconds, not minutes (see `write_reports`).

Sources, all in the publication: marts.enterprise_evaluation (figures, scores, grades,
earlier years of the same pack for the trend), audit.evaluation_trace step `indicator`
(for each indicator of the enterprise's pool: the value scored, its benchmark, weight and
points), marts.grade_policies, marts.parcel_evaluation, marts.region_indicators,
audit.reconciliation (counts only: no record keys, account numbers or voucher ids reach
a page), and the run record (gates; samples of offending rows are left out, they may hold
raw keys).
"""

from __future__ import annotations

import html
import json
import logging
import math
import os
import re
import shutil
import time
from collections import defaultdict
from pathlib import Path

import duckdb

from mujun.forms import write_forms
from mujun.logs import event
from mujun.vocabulary import INDICATORS

log = logging.getLogger("mujun.reports")

__all__ = ["reader_outputs", "write_forms", "write_reports", "grade_colours"]

# best first; grades a pack names beyond these get colours along the same scale
_SCALE = ["#1a7f37", "#74c476", "#fdd049", "#f58c3b", "#d7301f", "#8c1010"]
NOT_GRADED = "#8c8c8c"  # T: ranked, not graded
NO_GRADE = "#d0d0d0"
# what plotly's include_plotlyjs="directory" writes, once per page, in the head
PLOTLY_HEAD = '<script charset="utf-8" src="plotly.min.js"></script>'
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


# ---------------------------------------------------------------------------------------------
# Entry points


def reader_outputs(publication_db: Path, staging_folder: Path, record,
                   previous: Path | None = None) -> list[Path]:
    """Reports and forms for a publication being built; publish() calls it before the swap.

    The year is the run's; a quarterly run rewrites them for the latest year its pack has
    evaluated (the annual figures it carries over), with its own gates in the run report.
    A quarterly run changes no annual figure: when the `previous` publication's pages are
    of the same year and pack, they are hard-linked and only the run report is written.
    """
    started = time.perf_counter()
    run = dict(vars(record))
    rule_pack = record.rule_pack
    year = int(str(record.period)[:4])
    con = duckdb.connect(str(publication_db), read_only=True)
    try:
        latest = con.execute(
            "select max(year) from marts.enterprise_evaluation where rule_pack = ? and year <= ?",
            [rule_pack, year]).fetchone()[0]
    finally:
        con.close()
    if record.kind != "annual" and latest is not None:
        year = latest
    basis = {"year": year, "rule_pack": rule_pack}
    if record.kind != "annual" and previous is not None and _basis(previous) == basis:
        written = _reuse_pages(previous, staging_folder)
        written.append(write_reports(publication_db, staging_folder, year, rule_pack, run,
                                     run_report_only=True)[0])
    else:
        written = write_reports(publication_db, staging_folder, year, rule_pack, run)
        written += write_forms(publication_db, staging_folder, year, rule_pack)
    basis_file = staging_folder / "reports" / BASIS_FILE
    basis_file.write_text(json.dumps(basis))
    written.append(basis_file)
    event(log, "reader outputs", run_id=record.run_id, files=len(written),
          seconds=f"{time.perf_counter() - started:.2f}")
    return written


# which year and pack a publication's pages show
BASIS_FILE = "basis.json"


def _basis(publication: Path) -> dict | None:
    path = publication / "reports" / BASIS_FILE
    return json.loads(path.read_text()) if path.exists() else None


def _reuse_pages(previous: Path, out: Path) -> list[Path]:
    """Hard-link the previous publication's pages and forms but its run report and basis
    (both are written anew, never through a link: the previous publication is immutable)."""
    written: list[Path] = []

    def link(source: str, target: str) -> None:
        os.link(source, target)
        written.append(Path(target))

    for folder in ("reports", "forms"):
        if (previous / folder).is_dir():
            shutil.copytree(previous / folder, out / folder, copy_function=link,
                            ignore=shutil.ignore_patterns("run.html", BASIS_FILE))
    return written


def write_reports(publication_db: Path, out: Path, year: int, rule_pack: str,
                  run: dict | None = None, run_report_only: bool = False) -> list[Path]:
    """Write reports/ under `out` (a publication folder); return the files written.

    `run` is the run record; without it, `out/run.json` (or the one beside the database)
    is read when present. Measured on 2 cores: under a second for a county of 1,000
    (333 pages); about 14 s for 30,000 evaluated enterprises (0.4 ms a page, half of it
    the file system), so pages are written eagerly rather than on demand.
    """
    out = Path(out)
    if run is None:
        for candidate in (out / "run.json", Path(publication_db).parent / "run.json"):
            if candidate.exists():
                run = json.loads(candidate.read_text())
                break
    run = run or {}
    folder = out / "reports"
    (folder / "enterprises").mkdir(parents=True, exist_ok=True)
    written = [] if run_report_only else _write_assets(folder)
    con = duckdb.connect(str(publication_db), read_only=True)
    try:
        order = grade_order(con, year, rule_pack)
        colours = grade_colours(order)
        written.insert(0, _run_report(con, folder, year, rule_pack, run, order, colours))
        if not run_report_only:
            written.append(_map_report(con, folder, year, rule_pack, colours))
            written += _enterprise_reports(con, folder, year, rule_pack, order, colours)
    finally:
        con.close()
    return written


# ---------------------------------------------------------------------------------------------
# Grades and their colours


def grade_order(con, year: int, rule_pack: str) -> list[str]:
    """The pack's grades best first, read from the data: by the mean percentile of each grade.

    (Packs name their own grades: 临沭's C+ is worse than its C−; the publication holds no
    pack, so the order is the one the enterprises' ranks show.) `T` comes last.
    """
    rows = con.execute(
        "select grade, avg(percentile_in_pool) as p from marts.enterprise_evaluation "
        "where evaluated and grade is not null and rule_pack = ? and year between ? and ? "
        "group by grade order by grade = 'T', p, grade", [rule_pack, year - 2, year]).fetchall()
    parcel = con.execute(
        "select distinct grade from marts.parcel_evaluation where grade is not null "
        "and rule_pack = ? and year = ? order by grade", [rule_pack, year]).fetchall()
    order = [r[0] for r in rows]
    extra = [g for (g,) in parcel if g not in order]
    graded = [g for g in order if g != "T"]
    return sorted(set(graded) | set(extra), key=lambda g: (
        graded.index(g) if g in graded else len(graded), g)) + (["T"] if "T" in order else [])


def grade_colours(order: list[str]) -> dict[str, str]:
    graded = [g for g in order if g != "T"]
    colours = {}
    for i, grade in enumerate(graded):
        position = 0 if len(graded) == 1 else i * (len(_SCALE) - 1) / (len(graded) - 1)
        if len(graded) == 4:  # the common A/B/C/D: green, light green, orange, red
            position = [0, 1, 3, 4][i]
        colours[grade] = _SCALE[round(position)]
    colours["T"] = NOT_GRADED
    return colours


# ---------------------------------------------------------------------------------------------
# Formatting


def esc(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return html.escape(text)
    return text


def fmt(value, unit: str | None = None) -> str:
    """A figure for display: fractions as percentages, others to a sensible precision."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = float(value)
    if unit == "fraction":
        return f"{value * 100:.2f} %"
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 100:
        return f"{value:.1f}"
    if size >= 0.01 or size == 0:
        return f"{value:.2f}"
    return f"{value:.3g}"


def pct(value) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f} %"


def unit_of(indicator: str) -> str:
    spec = INDICATORS.get(indicator)
    return spec.unit if spec else ""


def label_of(indicator: str) -> str:
    spec = INDICATORS.get(indicator)
    return spec.label_zh if spec else indicator


def shown_unit(indicator: str) -> str:
    unit = unit_of(indicator)
    return "%" if unit == "fraction" else unit


def page(title: str, body: str, prefix: str = "", head: str = "") -> str:
    return (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{esc(title)}</title>'
        f'<link rel="stylesheet" href="{prefix}report.css">{head}</head>\n'
        f"<body>\n{body}\n</body></html>\n")


_NUMERIC = re.compile(r"^(?:[-+]?[\d,]*\.?\d+(?:e[-+]?\d+)?(?: %)?|P\d+|—|\d+/\d+|[-+]?\d+\.\d%)$")


def table(header: list[str], rows: list[list], table_id: str = "", cls: str = "",
          numeric: set[int] | None = None) -> str:
    """An HTML table; cells are escaped unless given as ('html', markup).

    Columns in `numeric` are right-aligned; without it, cells that read as numbers are.
    """
    def cell(value) -> str:
        if isinstance(value, tuple):
            return value[1]
        return esc(value)

    def looks_numeric(value) -> bool:
        if isinstance(value, str):
            return _NUMERIC.match(value) is not None
        return isinstance(value, int | float) and not isinstance(value, bool)

    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    lines = []
    for row in rows:
        tds = []
        for i, value in enumerate(row):
            right = i in numeric if numeric is not None else looks_numeric(value)
            tds.append(f'<td class="n">{cell(value)}</td>' if right else f"<td>{cell(value)}</td>")
        lines.append("<tr>" + "".join(tds) + "</tr>")
    attrs = (f' id="{table_id}"' if table_id else "") + (f' class="{cls}"' if cls else "")
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _figure_html(fig, div_id: str) -> str:
    """A chart for a page that loads plotly.min.js in its head (PLOTLY_HEAD)."""
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config=PLOTLY_CONFIG, default_height="420px")


def _write_assets(folder: Path) -> list[Path]:
    from plotly.offline import get_plotlyjs

    written = []
    plotly_js = folder / "plotly.min.js"
    if not plotly_js.exists():
        plotly_js.write_text(get_plotlyjs(), encoding="utf-8")
    written.append(plotly_js)
    for name, text in (("report.css", REPORT_CSS), ("enterprise.js", ENTERPRISE_JS)):
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    return written


def _rows(con, sql: str, params: list | dict) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# ---------------------------------------------------------------------------------------------
# The run report


def _run_report(con, folder: Path, year: int, rule_pack: str, run: dict, order: list[str],
                colours: dict[str, str]) -> Path:
    import plotly.graph_objects as go

    counts = _rows(con, "select pool, grade, count(*) as n from marts.enterprise_evaluation "
                        "where year = ? and rule_pack = ? and evaluated group by all",
                   [year, rule_pack])
    excluded = con.execute(
        "select coalesce(exclusion_reason, '(none given)'), count(*) from "
        "marts.enterprise_evaluation where year = ? and rule_pack = ? and not evaluated "
        "group by 1 order by 2 desc", [year, rule_pack]).fetchall()
    total = con.execute("select count(*) from marts.enterprise_evaluation where year = ? "
                        "and rule_pack = ?", [year, rule_pack]).fetchone()[0]
    pools = sorted({r["pool"] for r in counts})
    by_pool = defaultdict(dict)
    for r in counts:
        by_pool[r["pool"]][r["grade"]] = r["n"]
    grades = [g for g in order if any(g in by_pool[p] for p in pools)]
    if any(None in by_pool[p] for p in pools):
        grades.append(None)
    evaluated = sum(r["n"] for r in counts)

    parts = [f"<h1>亩均效益评价运行报告 · Run report {year}</h1>",
             _summary(run, year, rule_pack, total, evaluated),
             '<nav><a href="map.html">地块地图 Parcel map</a> · '
             '<a href="enterprises/index.html">企业体检表 Enterprise reports</a> · '
             f'<a href="../forms/region_indicators_{year}.xlsx">申报书指标表 Form tables (XLSX)</a>'
             f' · <a href="../forms/region_indicators_{year}.csv">CSV</a></nav>']

    parts.append('<section id="grades"><h2>等级分布 Grade distribution per pool</h2>')
    if pools:
        fig = go.Figure()
        for grade in grades:
            ys = [by_pool[p].get(grade, 0) for p in pools]
            shares = [y / max(sum(by_pool[p].values()), 1) for y, p in zip(ys, pools, strict=True)]
            fig.add_bar(x=pools, y=ys, name=grade or "no grade",
                        marker_color=colours.get(grade, NO_GRADE),
                        text=[f"{y} ({s:.0%})" if y else "" for y, s in zip(ys, shares,
                                                                             strict=True)],
                        textposition="inside", hovertemplate="%{x}: %{y}<extra>"
                        + esc(grade or "no grade") + "</extra>")
        fig.update_layout(barmode="stack", template="plotly_white", legend_title_text="grade",
                          legend_traceorder="normal",
                          margin={"t": 30, "b": 40, "l": 50, "r": 20},
                          xaxis_title="pool", yaxis_title="enterprises")
        parts.append(_figure_html(fig, "chart-grades"))
        rows = []
        for p in pools:
            n = sum(by_pool[p].values())
            rows.append([p, n, *(by_pool[p].get(g, 0) for g in grades)])
        parts.append(table(["pool", "evaluated", *(g or "no grade" for g in grades)], rows,
                           "grade-table"))
    else:
        parts.append('<p class="empty">No enterprise was evaluated for this year and pack.</p>')
    if excluded:
        parts.append("<h3>未纳入评价 Not evaluated</h3>"
                     + table(["reason", "enterprises"], [list(r) for r in excluded],
                             "excluded-table"))
    parts.append("</section>")

    parts.append(_gates_section(run))
    recon_html, recon_fig = _reconciliation_section(con, year, rule_pack, run)
    parts.append(recon_html.replace("{chart}", _figure_html(recon_fig, "chart-coverage")
                                    if recon_fig is not None else ""))
    parts.append(_changes_section(con, year, rule_pack, order, colours))
    parts.append('<footer>Generated from the published mujun.duckdb; figures rounded for '
                 'display only. 报告由发布库生成，数值仅为显示而取整。</footer>')
    path = folder / "run.html"
    path.write_text(page(f"Run report {year} {rule_pack}", "\n".join(parts), head=PLOTLY_HEAD),
                    encoding="utf-8")
    return path


def _summary(run: dict, year: int, rule_pack: str, total: int, evaluated: int) -> str:
    items = [("评价年度 year", year), ("评价办法 rule pack", rule_pack),
             ("run", run.get("run_id", "—")), ("kind", run.get("kind", "—")),
             ("period", run.get("period", "—")),
             ("status", run.get("status") if run.get("status") != "running" else "publishing"),
             ("started", run.get("started_at", "—")), ("code", run.get("code_version", "—")),
             ("企业 enterprises", total), ("参评 evaluated", evaluated)]
    cells = "".join(f'<div class="card"><span>{esc(k)}</span><b>{esc(v)}</b></div>'
                    for k, v in items)
    return f'<div class="cards" id="summary">{cells}</div>'


def _gates_section(run: dict) -> str:
    gates = run.get("gates") or []
    parts = ['<section id="gates"><h2>质量门 Gate results</h2>']
    if not gates:
        parts.append('<p class="empty">The run record holds no gate results.</p>')
    else:
        rows = []
        for g in gates:
            ok = g.get("success")
            rows.append([g.get("stage"), g.get("suite"),
                         ("html", f'<span class="{"ok" if ok else "bad"}">'
                                  f'{"passed" if ok else "FAILED"}</span>'),
                         len(g.get("failed") or []), len(g.get("warnings") or [])])
        parts.append(table(["stage", "suite", "result", "failed", "warnings"], rows,
                           "gate-table"))
        notes = []
        for g in gates:
            for kind in ("failed", "warnings"):
                for item in g.get(kind) or []:
                    observed = item.get("observed")
                    if isinstance(observed, list):
                        observed = ", ".join(fmt(o) if isinstance(o, int | float) else str(o)
                                             for o in observed[:5])
                    notes.append([g.get("stage"), "failed" if kind == "failed" else "warning",
                                  item.get("expectation"), item.get("column"),
                                  item.get("description"), observed,
                                  len(item.get("sample") or [])])
        if notes:
            parts.append("<h3>Findings</h3><p>Samples of offending rows stay in the run "
                         "record (runs/&lt;run_id&gt;/run.json); only their count is shown.</p>")
            parts.append(table(["stage", "kind", "expectation", "column", "description",
                                "observed", "sample rows"], notes, "gate-findings"))
    parts.append('<p>Data Docs: <a href="../docs/gx/index.html">docs/gx</a></p></section>')
    return "\n".join(parts)


def _reconciliation_section(con, year: int, rule_pack: str, run: dict):
    import plotly.graph_objects as go

    quarter = run.get("period") if run.get("kind") == "quarterly" else None
    where = "quarter = ?" if quarter else "quarter is null"
    params = [year, rule_pack] + ([quarter] if quarter else [])
    records = con.execute(
        "select dataset, snapshot_id, landed, staged, quarantined from audit.reconciliation "
        f"where year = ? and rule_pack = ? and {where} and landed is not null "
        "order by dataset", params).fetchall()
    links = con.execute(
        "select dataset, item, matched, total from audit.reconciliation "
        f"where year = ? and rule_pack = ? and {where} and landed is null and total is not null "
        "order by dataset, item", params).fetchall()
    parts = ['<section id="reconciliation"><h2>对账覆盖 Reconciliation coverage</h2>']
    if not records and not links:
        parts.append('<p class="empty">No reconciliation rows for this period and pack.</p>')
    fig = None
    coverage = [r for r in links if not _is_issue_count(r[1])]
    issues = [r for r in links if _is_issue_count(r[1])]
    if coverage:
        labels = [f"{d} · {i}" for d, i, _, _ in coverage]
        shares = [(m or 0) / t if t else None for _, _, m, t in coverage]
        fig = go.Figure(go.Bar(
            x=[None if s is None else s * 100 for s in shares], y=labels, orientation="h",
            marker_color=["#1a7f37" if s is not None and s >= 0.95 else "#f58c3b"
                          for s in shares],
            text=[f"{m}/{t}" for _, _, m, t in coverage], textposition="auto",
            hovertemplate="%{y}: %{x:.1f} %<extra></extra>"))
        fig.update_layout(template="plotly_white", xaxis_title="matched, % of total",
                          xaxis_range=[0, 100], height=max(240, 30 * len(coverage) + 80),
                          margin={"t": 20, "b": 40, "l": 330, "r": 20})
        fig.update_yaxes(autorange="reversed")
        parts.append("<h3>Links matched (higher is better)</h3>{chart}")
        parts.append(table(["dataset", "item", "matched", "total", "coverage"],
                           [[d, i, m, t, pct(s)] for (d, i, m, t), s in
                            zip(coverage, shares, strict=True)], "coverage-table"))
    if issues:
        parts.append("<h3>Codes that could not be used (lower is better)</h3>")
        parts.append(table(["dataset", "item", "rows", "of total"],
                           [[d, i, m, t] for d, i, m, t in issues], "issues-table"))
    if records:
        rows = [[d, s, landed, staged, q, pct(q / landed if landed else None)]
                for d, s, landed, staged, q in records]
        parts.append("<h3>Records landed, staged and quarantined</h3>")
        parts.append(table(["dataset", "snapshot", "landed", "staged", "quarantined",
                            "quarantined %"], rows, "records-table"))
    parts.append("</section>")
    return "\n".join(parts), fig


def _is_issue_count(item: str) -> bool:
    """Reconciliation items that count problems (invalid codes, lists without a file)."""
    return item.endswith("_invalid_counted_unknown") or item.endswith("_without_file")


REGION_COMPARE = ("tax_per_mu", "value_added_per_mu", "output_per_mu", "revenue_per_mu",
                  "labour_productivity", "rd_share", "value_added_per_tce")


def _changes_section(con, year: int, rule_pack: str, order: list[str],
                     colours: dict[str, str]) -> str:
    import plotly.graph_objects as go

    prior = year - 1
    parts = [f'<section id="changes"><h2>与上年比较 Changes against {prior}</h2>']
    has_prior = con.execute(
        "select count(*) from marts.enterprise_evaluation where year = ? and rule_pack = ?",
        [prior, rule_pack]).fetchone()[0]
    if not has_prior:
        parts.append(f'<p class="empty">The publication holds no evaluation of {prior} by '
                     f'{esc(rule_pack)}: nothing to compare.</p></section>')
        return "\n".join(parts)
    pairs = con.execute(
        "select coalesce(p.grade, case when p.uscc is null then 'new' else 'not evaluated' end),"
        " coalesce(c.grade, 'not evaluated'), count(*) "
        "from (select * from marts.enterprise_evaluation where year = ? and rule_pack = ?) c "
        "full join (select * from marts.enterprise_evaluation where year = ? and rule_pack = ? "
        "and evaluated) p on p.uscc = c.uscc "
        "where c.evaluated or p.uscc is not null group by all",
        [year, rule_pack, prior, rule_pack]).fetchall()
    before = [g for g in order if any(p[0] == g for p in pairs)] + \
        sorted({p[0] for p in pairs if p[0] not in order})
    after = [g for g in order if any(p[1] == g for p in pairs)] + \
        sorted({p[1] for p in pairs if p[1] not in order})
    counts = {(a, b): n for a, b, n in pairs}
    z = [[counts.get((a, b), 0) for b in after] for a in before]
    fig = go.Figure(go.Heatmap(z=z, x=after, y=before, colorscale="Blues", showscale=False,
                               text=z, texttemplate="%{text}",
                               hovertemplate=f"{prior} %{{y}} → {year} %{{x}}: %{{z}}"
                                             "<extra></extra>"))
    fig.update_layout(template="plotly_white", xaxis_title=f"grade {year}",
                      yaxis_title=f"grade {prior}", height=360,
                      margin={"t": 20, "b": 50, "l": 110, "r": 20})
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="bottom")
    moved = {"up": 0, "same": 0, "down": 0}
    for (a, b), n in counts.items():
        if a in order and b in order and "T" not in (a, b):
            key = "same" if a == b else "up" if order.index(b) < order.index(a) else "down"
            moved[key] += n
    parts.append(f"<p>Enterprises graded both years: {sum(moved.values())}; better grade "
                 f"{moved['up']}, same {moved['same']}, worse {moved['down']}.</p>")
    parts.append("<h3>Grade transitions</h3>"
                 + _figure_html(fig, "chart-transitions"))
    region = _rows(con, "select year, " + ", ".join(REGION_COMPARE) + " from "
                   "marts.region_indicators where area_kind = 'county' and rule_pack = ? "
                   "and year in (?, ?)", [rule_pack, prior, year])
    by_year = {r["year"]: r for r in region}
    rows = []
    for ind in REGION_COMPARE:
        old = by_year.get(prior, {}).get(ind)
        new = by_year.get(year, {}).get(ind)
        change = None if old in (None, 0) or new is None else new / old - 1
        rows.append([label_of(ind), ind, shown_unit(ind), fmt(old, unit_of(ind)),
                     fmt(new, unit_of(ind)), "—" if change is None else f"{change:+.1%}"])
    parts.append("<h3>County indicators (above-scale industry)</h3>"
                 + table(["指标", "indicator", "unit", str(prior), str(year), "change"], rows,
                         "region-change"))
    parts.append("</section>")
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# The map


def _rings(geometry: str | None) -> list[list[list[float]]]:
    """The outer rings of a GeoJSON Polygon or MultiPolygon (holes are not drawn)."""
    if not geometry:
        return []
    try:
        shape = json.loads(geometry)
    except ValueError:
        return []
    kind = shape.get("type")
    if kind == "Polygon":
        return [shape["coordinates"][0]] if shape.get("coordinates") else []
    if kind == "MultiPolygon":
        return [p[0] for p in shape.get("coordinates") or [] if p]
    return []


def _map_report(con, folder: Path, year: int, rule_pack: str, colours: dict[str, str]) -> Path:
    import plotly.graph_objects as go

    parcels = _rows(con, "select parcel_code, kind, land_use, area_mu, holder_uscc, "
                         "division_code, park, users, tax_per_mu, grade, geometry "
                         "from marts.parcel_evaluation where year = ? and rule_pack = ? "
                         "order by parcel_code", [year, rule_pack])
    enterprise = dict(con.execute(
        "select uscc, coalesce(grade, '') from marts.enterprise_evaluation where year = ? "
        "and rule_pack = ? and evaluated", [year, rule_pack]).fetchall())
    graded_by_pack = any(p["grade"] is not None for p in parcels)
    basis = ("the parcel's own grade (the pack grades parcels by tax per mu)" if graded_by_pack
             else "the grade of the enterprise using the largest share of the parcel "
                  "(the pack does not grade parcels)")
    groups: dict[str, dict[str, list]] = {}
    drawn = missing = 0
    for p in parcels:
        if graded_by_pack:
            grade = p["grade"]
        else:
            users = sorted((u for u in p["users"] or [] if u.get("uscc")),
                           key=lambda u: -(u.get("share") or 0))
            grade = enterprise.get(users[0]["uscc"]) if users else None
        grade = grade or "no grade"
        rings = _rings(p["geometry"])
        if not rings:
            missing += 1
            continue
        drawn += 1
        group = groups.setdefault(grade, {"x": [], "y": [], "cx": [], "cy": [], "text": []})
        xs_all, ys_all = [], []
        for ring in rings:
            xs = [pt[0] for pt in ring]
            ys = [pt[1] for pt in ring]
            group["x"] += xs + [None]
            group["y"] += ys + [None]
            xs_all += xs[:-1] if len(xs) > 1 and ring[0] == ring[-1] else xs
            ys_all += ys[:-1] if len(ys) > 1 and ring[0] == ring[-1] else ys
        group["cx"].append(sum(xs_all) / len(xs_all))
        group["cy"].append(sum(ys_all) / len(ys_all))
        group["text"].append(
            f"<b>{esc(p['parcel_code'])}</b> grade {esc(grade)}<br>"
            f"{esc(p['kind'])} · {fmt(p['area_mu'])} 亩 · 亩均税收 {fmt(p['tax_per_mu'])} 万元/亩"
            f"<br>holder {esc(p['holder_uscc'] or '—')} · {esc(p['division_code'])}"
            f"{' · ' + esc(p['park']) if p['park'] else ''}")
    order = [g for g in colours if g in groups] + sorted(g for g in groups if g not in colours)
    fig = go.Figure()
    lats = [y for g in groups.values() for y in g["cy"]]
    ratio = 1 / math.cos(math.radians(sum(lats) / len(lats))) if lats else 1.0
    for grade in order:
        g = groups[grade]
        colour = colours.get(grade, NO_GRADE)
        name = f"{grade} ({len(g['cx'])})"
        fig.add_scatter(x=g["x"], y=g["y"], mode="lines", fill="toself", fillcolor=colour,
                        line={"color": "#444", "width": 0.6}, name=name, legendgroup=grade,
                        hoverinfo="skip")
        fig.add_scatter(x=g["cx"], y=g["cy"], mode="markers", marker={"size": 8, "opacity": 0},
                        hovertext=g["text"], hoverinfo="text", name=name, legendgroup=grade,
                        showlegend=False)
    fig.update_layout(template="none", dragmode="pan", plot_bgcolor="#f4f4f0",
                      paper_bgcolor="#ffffff", font={"family": "sans-serif", "size": 12},
                      legend_title_text="grade", legend_y=0.9,
                      margin={"t": 10, "b": 10, "l": 10, "r": 10},
                      hoverlabel={"align": "left"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=ratio)
    config = PLOTLY_CONFIG | {"scrollZoom": True}
    chart = fig.to_html(full_html=False, include_plotlyjs="directory", div_id="parcel-map",
                        config=config, default_height="78vh")
    body = (f"<h1>工业用地地块地图 · Industrial parcels {year}</h1>"
            f'<p id="map-note">{drawn} parcels of {len(parcels)} drawn from their polygons '
            f"(WGS84), coloured by {esc(basis)}; {missing} without an outline are not drawn. "
            "Scroll to zoom, drag to pan, click a grade in the legend to hide it. "
            '<a href="run.html">Run report</a></p>' + chart)
    path = folder / "map.html"
    path.write_text(page(f"Parcels {year} {rule_pack}", body), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# One page per enterprise


_INDICATOR_SQL = """
with scored as (
    select t.uscc, t.item as pool, t.figure as indicator, t.amount as points, t.detail,
        try_cast(regexp_extract(t.detail, 'value ([^,]+)', 1) as double) as value,
        try_cast(regexp_extract(t.detail, 'benchmark ([^,]+)', 1) as double) as benchmark,
        try_cast(regexp_extract(t.detail, 'weight ([^,]+)', 1) as double) as weight
    from audit.evaluation_trace as t
    semi join (select uscc from marts.enterprise_evaluation
               where year = $year and rule_pack = $pack and evaluated) as e on e.uscc = t.uscc
    where t.year = $year and t.rule_pack = $pack and t.step = 'indicator'
)
select uscc, pool, indicator, points, value, benchmark, weight, detail,
    case when value is not null then cume_dist() over (
        partition by pool, indicator, value is null order by value) end as percentile
from scored
order by uscc, weight desc nulls last, indicator
"""


def _enterprise_reports(con, folder: Path, year: int, rule_pack: str, order: list[str],
                        colours: dict[str, str]) -> list[Path]:
    started = time.perf_counter()
    target = folder / "enterprises"
    enterprises = _rows(con, """
        select e.uscc, e.enterprise_name, e.pool, e.industry_code, e.industry_group,
            e.division_code, e.park, e.land_class, e.land_area_mu, e.tax_restored_wan,
            e.score_total, e.rank_in_pool, e.percentile_in_pool, e.grade_by_score, e.grade,
            e.grade_reasons, count(*) over (partition by e.pool) as pool_size,
            p.surcharge_yuan_per_kwh, p.subsidy_share, p.consecutive_d_years
        from marts.enterprise_evaluation e
        left join marts.grade_policies p
            on p.uscc = e.uscc and p.year = e.year and p.rule_pack = e.rule_pack
        where e.year = ? and e.rule_pack = ? and e.evaluated
        order by e.pool, e.rank_in_pool, e.uscc""", [year, rule_pack])
    scored = defaultdict(list)
    for row in _rows(con, _INDICATOR_SQL, {"year": year, "pack": rule_pack}):
        scored[row["uscc"]].append(row)
    columns = {c for (c,) in con.execute(
        "select column_name from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'enterprise_evaluation'").fetchall()}
    trend_indicators = [i for i in INDICATORS if i in columns]
    history = defaultdict(dict)
    for row in _rows(con, "select uscc, year, pool, evaluated, grade, score_total, rank_in_pool, "
                          "count(*) filter (where evaluated) over (partition by year, pool) "
                          "as pool_size, " + ", ".join(trend_indicators)
                          + " from marts.enterprise_evaluation where rule_pack = ? "
                          "and year between ? and ?", [rule_pack, year - 2, year]):
        history[row["uscc"]][row["year"]] = row

    written = []
    index_rows = []
    for e in enterprises:
        name = f"{e['uscc']}.html"
        path = target / name
        path.write_text(_enterprise_page(e, scored.get(e["uscc"], []),
                                         history.get(e["uscc"], {}), year, rule_pack,
                                         colours), encoding="utf-8")
        written.append(path)
        index_rows.append([("html", f'<a href="{esc(name)}">{esc(e["uscc"])}</a>'),
                           e["enterprise_name"], e["pool"], e["industry_group"],
                           ("html", _grade_badge(e["grade"], colours)), fmt(e["score_total"]),
                           f"{e['rank_in_pool']}/{e['pool_size']}"])
    body = (f"<h1>企业亩均效益体检表 · Enterprise reports {year}</h1>"
            f"<p>{len(enterprises)} evaluated enterprises, rule pack {esc(rule_pack)}, by pool "
            'and rank. <a href="../run.html">Run report</a> · '
            '<a href="../map.html">Parcel map</a></p>'
            '<p><input id="filter" type="search" placeholder="filter: code, name, pool, grade"'
            ' oninput="mujunFilter(this.value)"></p>'
            + table(["USCC", "name", "pool", "industry group", "grade", "score", "rank"],
                    index_rows, "enterprise-index", numeric={5, 6}))
    index = target / "index.html"
    index.write_text(page(f"Enterprise reports {year}", body, "../",
                          '<script src="../enterprise.js"></script>'), encoding="utf-8")
    written.append(index)
    event(log, "enterprise reports", pages=len(enterprises),
          seconds=f"{time.perf_counter() - started:.2f}")
    return written


def _grade_badge(grade: str | None, colours: dict[str, str]) -> str:
    colour = colours.get(grade or "", NO_GRADE)
    return f'<span class="grade" style="background:{colour}">{esc(grade or "—")}</span>'


def _enterprise_page(e: dict, scored: list[dict], years: dict[int, dict], year: int,
                     rule_pack: str, colours: dict[str, str]) -> str:
    mover = None
    for s in scored:
        if s["weight"] is None or s["points"] is None:
            continue
        gap = s["weight"] - s["points"]
        if gap > 1e-9 and (mover is None or gap > mover[1]):
            mover = (s, gap)
    rows, chart = [], []
    for s in scored:
        ind, unit = s["indicator"], unit_of(s["indicator"])
        ratio = (s["value"] / s["benchmark"] if s["value"] is not None and s["benchmark"]
                 else None)
        gap = None if s["weight"] is None or s["points"] is None else s["weight"] - s["points"]
        note = "" if s["value"] is not None else " (missing)"
        rows.append([
            ("html", f"{esc(label_of(ind))}<br><small>{esc(ind)}</small>"
                     + (' <b class="mover">◀ moves the score most</b>'
                        if mover and mover[0] is s else "")),
            shown_unit(ind), fmt(s["value"], unit) + note, fmt(s["benchmark"], unit),
            pct(ratio), "—" if s["percentile"] is None else f"P{s['percentile'] * 100:.0f}",
            fmt(s["weight"]), fmt(s["points"]), fmt(gap)])
        chart.append({"label": label_of(ind), "ratio": None if ratio is None else ratio * 100,
                      "percentile": None if s["percentile"] is None else s["percentile"] * 100,
                      "value": fmt(s["value"], unit), "benchmark": fmt(s["benchmark"], unit),
                      "unit": shown_unit(ind)})
    points = sum(s["points"] or 0 for s in scored)
    score = e["score_total"]
    if mover:
        s, gap = mover
        mover_html = (f'<p id="mover" class="callout">The indicator that moves the score most: '
                      f"<b>{esc(label_of(s['indicator']))}</b> ({esc(s['indicator'])}): "
                      f"{fmt(s['points'])} of {fmt(s['weight'])} points, "
                      f"{fmt(gap)} points short of its full weight. Chosen as the largest gap "
                      "between an indicator's weight and its points (weight − points): bringing "
                      "that indicator up to its benchmark would raise the score the most. "
                      "提升该指标至基准值对总分的提升最大。</p>")
    else:
        best = max(scored, key=lambda s: s["points"] or 0, default=None)
        mover_html = ('<p id="mover" class="callout">Every indicator scores its full weight or '
                      "more: no gap to close (largest gap between weight and points is zero)"
                      + (f"; the largest contribution is {esc(label_of(best['indicator']))} "
                         f"with {fmt(best['points'])} points" if best else "") + ".</p>")
    trend_rows, trend = [], []
    shown = [s["indicator"] for s in scored]
    for y in range(year - 2, year + 1):
        h = years.get(y)
        if h is None:
            trend_rows.append([y, "not in the publication", "—", "—", "—",
                               *("—" for _ in shown)])
            continue
        evaluated = h["evaluated"]
        trend_rows.append([
            y, h["pool"] if evaluated else "not evaluated",
            ("html", _grade_badge(h["grade"], colours)) if evaluated else "—",
            fmt(h["score_total"]) if evaluated else "—",
            f"{h['rank_in_pool']}/{h['pool_size']}" if evaluated and h["rank_in_pool"] else "—",
            *(fmt(h.get(i), unit_of(i)) for i in shown)])
        if evaluated:
            trend.append({"year": y, "score": h["score_total"], "grade": h["grade"]})
    reasons = list(e["grade_reasons"] or [])
    grade_line = (f"bands give <b>{esc(e['grade_by_score'] or '—')}</b>"
                  + (f"; grade rules fired: {esc(', '.join(reasons))}" if reasons
                     else "; no grade rule fired"))
    policy = ""
    if e["subsidy_share"] is not None or e["surcharge_yuan_per_kwh"] is not None:
        policy = (f"<p>政策 Policy: 差别电价 surcharge {fmt(e['surcharge_yuan_per_kwh'])} 元/kWh"
                  f" (consecutive D years {e['consecutive_d_years'] or 0}); 奖补比例 subsidy "
                  f"share {pct(e['subsidy_share'])}.</p>")
    data = json.dumps({"indicators": chart, "trend": trend, "year": year},
                      ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    body = (
        '<p class="crumbs"><a href="index.html">All enterprises</a> · '
        '<a href="../run.html">Run report</a> · <a href="../map.html">Map</a></p>'
        f"<h1>{esc(e['enterprise_name'] or e['uscc'])}</h1>"
        f'<div class="cards" id="summary"><div class="card grade-card" '
        f'style="border-color:{colours.get(e["grade"] or "", NO_GRADE)}">'
        f"<span>等级 grade {year}</span>{_grade_badge(e['grade'], colours)}</div>"
        f'<div class="card"><span>综合得分 score</span><b>{fmt(score)}</b></div>'
        f"<div class=\"card\"><span>池内排名 rank in pool</span><b>{e['rank_in_pool']} / "
        f"{e['pool_size']}</b></div>"
        f'<div class="card"><span>pool</span><b>{esc(e["pool"])}</b></div>'
        f'<div class="card"><span>USCC</span><b>{esc(e["uscc"])}</b></div></div>'
        f"<p>Industry {esc(e['industry_code'])} ({esc(e['industry_group'])}), division "
        f"{esc(e['division_code'])}{', park ' + esc(e['park']) if e['park'] else ''}; land "
        f"{fmt(e['land_area_mu'])} 亩 ({esc(e['land_class'])}); restored tax "
        f"{fmt(e['tax_restored_wan'])} 万元. Rule pack {esc(rule_pack)}; {grade_line}.</p>"
        f"{policy}"
        "<h2>指标与基准 Indicators against their benchmarks</h2>"
        + table(["指标 indicator", "unit", "value", "benchmark", "value / benchmark",
                 "pool percentile", "weight", "points", "weight − points"], rows,
                "indicators", numeric={2, 3, 4, 5, 6, 7, 8})
        + f"<p class=\"note\">Sum of indicator points {fmt(points)}; score after coefficients, "
          f"bonuses and deductions {fmt(score)}. Pool percentile: the share of the pool's "
          "enterprises whose value is at or below this one (P100 = the highest in the pool). "
          "Benchmarks and points as the evaluation trace records them.</p>"
        + mover_html
        + '<div id="chart-benchmark" class="chart"></div>'
        + "<h2>三年趋势 Three-year trend</h2>"
        + table(["year", "pool", "grade", "score", "rank",
                 *(label_of(i) for i in shown)], trend_rows, "trend",
                numeric={0, *range(3, 5 + len(shown))})
        + '<div id="chart-trend" class="chart small"></div>'
        + f'<script type="application/json" id="report-data">{data}</script>')
    return page(f"{e['enterprise_name'] or e['uscc']} {year}", body, "../",
                '<script src="../plotly.min.js"></script>'
                '<script src="../enterprise.js" defer></script>')


# ---------------------------------------------------------------------------------------------
# Shared assets (kept here so the module is the whole feature; written once per publication)

REPORT_CSS = """\
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  margin: 1.5rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; margin-bottom: .4rem; } h2 { margin-top: 2rem; font-size: 1.2rem;
  border-bottom: 1px solid #ddd; padding-bottom: .2rem; } h3 { font-size: 1rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .85rem; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; }
th { background: #f1f4f8; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
nav, .crumbs { margin: .6rem 0; } a { color: #1f5fa8; }
.cards { display: flex; flex-wrap: wrap; gap: .5rem; margin: .6rem 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: .4rem .7rem; min-width: 7rem; }
.card > span:first-child { display: block; font-size: .75rem; color: #666; }
.grade-card { border-width: 3px; }
.grade { display: inline-block; min-width: 1.6em; text-align: center; color: #fff;
  font-weight: bold; border-radius: 4px; padding: 0 .3em; text-shadow: 0 0 2px #0006; }
.ok { color: #1a7f37; font-weight: bold; } .bad { color: #c0261b; font-weight: bold; }
.callout { background: #fff7e0; border-left: 4px solid #f5a623; padding: .5rem .8rem; }
.mover { color: #b36200; font-size: .8rem; } .note, footer { color: #555; font-size: .8rem; }
.empty { color: #777; font-style: italic; }
.chart { height: 360px; } .chart.small { height: 280px; }
#filter { width: 22rem; padding: .3rem; }
"""

ENTERPRISE_JS = """\
/* mujun enterprise reports: draws two charts from the page's JSON; no network. */
function mujunFilter(text) {
  var q = text.trim().toLowerCase();
  document.querySelectorAll('#enterprise-index tbody tr').forEach(function (tr) {
    tr.style.display = !q || tr.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
  });
}
(function () {
  var node = document.getElementById('report-data');
  if (!node || typeof Plotly === 'undefined') { return; }
  var data = JSON.parse(node.textContent);
  var config = {displaylogo: false, responsive: true};
  var rows = data.indicators.slice().reverse();
  if (rows.length && document.getElementById('chart-benchmark')) {
    var labels = rows.map(function (r) { return r.label; });
    var hover = rows.map(function (r) {
      return r.label + '<br>value ' + r.value + ' ' + r.unit + '<br>benchmark ' + r.benchmark;
    });
    Plotly.newPlot('chart-benchmark', [
      {type: 'bar', orientation: 'h', y: labels, name: 'value / benchmark (%)',
       x: rows.map(function (r) { return r.ratio; }), xaxis: 'x', yaxis: 'y',
       marker: {color: rows.map(function (r) {
         return r.ratio === null ? '#ccc' : (r.ratio >= 100 ? '#1a7f37' : '#f58c3b'); })},
       text: rows.map(function (r) {
         return r.ratio === null ? 'missing' : r.ratio.toFixed(0) + '%'; }),
       textposition: 'outside', cliponaxis: false, hovertext: hover, hoverinfo: 'text'},
      {type: 'bar', orientation: 'h', y: labels, name: 'pool percentile',
       x: rows.map(function (r) { return r.percentile; }), xaxis: 'x2', yaxis: 'y',
       marker: {color: '#5b8fd0'}, hovertemplate: 'P%{x:.0f}<extra></extra>',
       text: rows.map(function (r) {
         return r.percentile === null ? '' : 'P' + r.percentile.toFixed(0); }),
       textposition: 'outside', cliponaxis: false}
    ], {
      margin: {t: 30, b: 40, l: 200, r: 20}, showlegend: false, bargap: 0.3,
      xaxis: {domain: [0, 0.55], title: {text: 'value as % of benchmark'}, rangemode: 'tozero'},
      xaxis2: {domain: [0.62, 1], range: [0, 110], title: {text: 'pool percentile'}},
      shapes: [{type: 'line', xref: 'x', yref: 'paper', x0: 100, x1: 100, y0: 0, y1: 1,
                line: {color: '#333', dash: 'dot', width: 1}}],
      annotations: [{xref: 'x', yref: 'paper', x: 100, y: 1.06, showarrow: false,
                     text: 'benchmark', font: {size: 10}}]
    }, config);
  }
  if (data.trend.length && document.getElementById('chart-trend')) {
    Plotly.newPlot('chart-trend', [{
      type: 'scatter', mode: 'lines+markers+text', textposition: 'top center', cliponaxis: false,
      x: data.trend.map(function (t) { return String(t.year); }),
      y: data.trend.map(function (t) { return t.score; }),
      text: data.trend.map(function (t) { return t.grade || ''; }),
      line: {color: '#1f5fa8'}, hovertemplate: '%{x}: score %{y:.2f}, grade %{text}<extra></extra>'
    }], {margin: {t: 30, b: 40, l: 50, r: 20}, xaxis: {type: 'category', title: {text: 'year'}},
         yaxis: {title: {text: 'score'}, rangemode: 'tozero'}}, config);
  }
})();
"""
