"""The HTML of a publication: written for every evaluated enterprise, offline, and rendered by
headless Chromium (Debian's) without console errors and with the expected elements.

A screenshot of every page rendered is kept in tests/artefacts/reports/ (gitignored).
Tests that need Chromium skip when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import asdict
from pathlib import Path

import duckdb
import pytest

from mujun.reports import fmt, grade_order, reader_outputs, unit_of, write_reports
from mujun.runs import RunRecord

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts" / "reports"
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="Debian's chromium is not installed")
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|"""
                    r"""@import|cdn\.plot\.ly""", re.I)


def db(evaluated):
    return duckdb.connect(str(evaluated.publication / "mujun.duckdb"), read_only=True)


def test_every_page_is_written_and_needs_no_network(evaluated):
    reports = evaluated.publication / "reports"
    with db(evaluated) as con:
        usccs = {r[0] for r in con.execute(
            "select uscc from marts.enterprise_evaluation where year = 2024 and evaluated")
            .fetchall()}
    assert usccs, "the county evaluated nobody"
    pages = {p.stem for p in (reports / "enterprises").glob("*.html")} - {"index"}
    assert pages == usccs
    assert (reports / "run.html").exists() and (reports / "map.html").exists()
    # plotly.js once, beside the pages; every page refers to it locally
    assert [p.name for p in evaluated.publication.rglob("plotly.min.js")] == ["plotly.min.js"]
    for page in [*reports.rglob("*.html"), reports / "enterprise.js", reports / "report.css"]:
        text = page.read_text(encoding="utf-8")
        assert not REMOTE.search(text), f"{page.name} refers to the network"
    assert '<script charset="utf-8" src="plotly.min.js"></script>' in \
        (reports / "map.html").read_text()
    assert all("../plotly.min.js" in (reports / "enterprises" / f"{u}.html").read_text()
               for u in list(usccs)[:5])


def test_the_map_draws_each_outlined_parcel_as_a_filled_polygon_without_tiles(evaluated):
    text = (evaluated.publication / "reports" / "map.html").read_text()
    with db(evaluated) as con:
        total, outlined = con.execute(
            "select count(*), count(geometry) from marts.parcel_evaluation "
            "where year = 2024").fetchone()
    assert f"{outlined} parcels of {total} drawn" in text
    assert '"fill":"toself"' in text and '"scrollZoom": true' in text
    assert '"dragmode":"pan"' in text
    # plain cartesian polygons: no geo or tile-map trace, no base map, no template defaults
    assert set(re.findall(r'"type":"(\w+)"', text)) == {"scatter"}
    for tiled in ("mapbox", "maplibre", "tiles", "topojson"):
        assert tiled not in text


def _indicator_rows(page: str) -> dict[str, str]:
    body = page.split('id="indicators"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1])
    return {re.search(r"<small>(\w+)</small>", r).group(1): r for r in rows}


def test_a_health_report_shows_benchmarks_percentiles_trend_and_the_mover(evaluated):
    with db(evaluated) as con:
        uscc = con.execute(
            "select uscc from marts.enterprise_evaluation e where year = 2024 and evaluated "
            "and pool = 'above_scale' and exists (select 1 from marts.enterprise_evaluation p "
            "where p.uscc = e.uscc and p.year = 2023 and p.evaluated) "
            "order by rank_in_pool limit 1").fetchone()[0]
        trace = con.execute(
            "select figure, amount, detail from audit.evaluation_trace where uscc = ? "
            "and year = 2024 and step = 'indicator'", [uscc]).fetchall()
        pool_values = con.execute(
            "select tax_per_mu from marts.enterprise_evaluation where year = 2024 and evaluated "
            "and pool = 'above_scale' and tax_per_mu is not null").fetchall()
        mine = con.execute("select tax_per_mu from marts.enterprise_evaluation where uscc = ? "
                           "and year = 2024", [uscc]).fetchone()[0]
    page = (evaluated.publication / "reports" / "enterprises" / f"{uscc}.html").read_text()
    rows = _indicator_rows(page)
    assert set(rows) == {figure for figure, _, _ in trace}
    gaps = {}
    for figure, points, detail in trace:
        weight = float(re.search(r"weight ([^,]+)", detail).group(1))
        benchmark = re.search(r"benchmark ([^,]+)", detail).group(1)
        gaps[figure] = weight - points
        if benchmark != "null":
            assert f'<td class="n">{fmt(float(benchmark), unit_of(figure))}</td>' in rows[figure]
    mover = max(gaps, key=gaps.get)
    if gaps[mover] > 0:
        assert "moves the score most" in rows[mover]
        assert sum("moves the score most" in r for r in rows.values()) == 1
    if mine is not None:  # the share of the pool at or below its value
        share = sum(v <= mine for (v,) in pool_values) / len(pool_values)
        assert f"P{share * 100:.0f}<" in rows["tax_per_mu"]
    trend = page.split('id="trend"', 1)[1].split("</table>", 1)[0]
    assert "<td class=\"n\">2023</td>" in trend and "<td class=\"n\">2024</td>" in trend
    data = json.loads(page.split('id="report-data">', 1)[1].split("</script>", 1)[0])
    assert [t["year"] for t in data["trend"]] == [2023, 2024]


def test_grades_are_ordered_best_first_from_the_ranks(evaluated):
    with db(evaluated) as con:
        assert grade_order(con, 2024, "zhenhai-2024")[:4] == ["A", "B", "C", "D"]


# ---------------------------------------------------------------------------------------------
# Headless Chromium


def render(page: Path, shot: Path, tmp_path: Path, height: int) -> tuple[str, list[str]]:
    """Render a page offline; return (DOM after scripts ran, console lines)."""
    shot.parent.mkdir(parents=True, exist_ok=True)
    profile = tmp_path / f"profile-{shot.stem}"
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
               # offline: every name resolves to nothing, any proxy refuses
               "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
               "--enable-logging=stderr", "--v=0", "--hide-scrollbars",
               "--virtual-time-budget=8000", f"--window-size=1280,{height}",
               f"--screenshot={shot}", "--dump-dom", page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    shutil.rmtree(profile, ignore_errors=True)
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 10_000, f"no screenshot of {page.name}"
    return done.stdout, console


def plotted(dom: str, div_id: str) -> bool:
    """Plotly ran on the div: it gains the js-plotly-plot class and an SVG."""
    found = re.search(rf'<div[^>]*id="{div_id}"[^>]*>', dom)
    return bool(found) and "js-plotly-plot" in found.group(0)


def enterprise_pages(evaluated) -> dict[str, str]:
    with db(evaluated) as con:
        best, worst = con.execute(
            "select arg_min(uscc, rank_in_pool), arg_max(uscc, rank_in_pool) "
            "from marts.enterprise_evaluation where year = 2024 and evaluated "
            "and pool = 'above_scale'").fetchone()
    return {"enterprise-best": f"enterprises/{best}.html",
            "enterprise-worst": f"enterprises/{worst}.html"}


EXPECTED = {
    "run": ["chart-grades", "chart-coverage", "chart-transitions"],
    "map": ["parcel-map"],
    "index": [],
    "enterprise-best": ["chart-benchmark", "chart-trend"],
    "enterprise-worst": ["chart-benchmark", "chart-trend"],
}
TABLES = {
    "run": ["grade-table", "gate-table", "coverage-table", "records-table", "region-change"],
    "map": [],
    "index": ["enterprise-index"],
    "enterprise-best": ["indicators", "trend"],
    "enterprise-worst": ["indicators", "trend"],
}


@needs_chromium
@pytest.mark.parametrize("name", list(EXPECTED))
def test_page_renders_in_headless_chromium(evaluated, name, tmp_path):
    reports = evaluated.publication / "reports"
    pages = {"run": "run.html", "map": "map.html", "index": "enterprises/index.html",
             **enterprise_pages(evaluated)}
    height = {"run": 3600, "map": 900, "index": 1200}.get(name, 1900)
    dom, console = render(reports / pages[name], ARTEFACTS / f"{name}.png", tmp_path, height)
    assert console == [], f"{name}: console output\n" + "\n".join(console)
    for div in EXPECTED[name]:
        assert plotted(dom, div), f"{name}: chart {div} was not drawn"
    for table_id in TABLES[name]:
        assert f'<table id="{table_id}"' in dom, f"{name}: no table {table_id}"
    if name == "map":
        assert dom.count('class="js-fill"') >= 1 and "A (" in dom
    if name.startswith("enterprise"):
        assert 'id="mover"' in dom and 'class="grade"' in dom


@pytest.mark.parametrize("kind", ["annual", "quarterly"])
def test_reader_outputs_fill_a_staging_folder_as_publish_calls_it(evaluated, tmp_path, kind):
    staging = tmp_path / ".tmp-run"
    staging.mkdir()
    shutil.copy(evaluated.publication / "mujun.duckdb", staging / "mujun.duckdb")
    record = evaluated.records[2024]
    if kind == "quarterly":  # a quarterly run reports on the latest year its pack evaluated
        record = RunRecord(**{**asdict(record), "kind": "quarterly", "period": "2025Q1"})
    written = reader_outputs(staging / "mujun.duckdb", staging, record)
    names = {p.relative_to(staging).as_posix() for p in written}
    assert {"reports/run.html", "reports/map.html", "reports/plotly.min.js",
            "forms/region_indicators_2024.csv", "forms/region_indicators_2024.xlsx"} <= names
    run = (staging / "reports" / "run.html").read_text()
    assert record.run_id in run and "Run report 2024" in run


def test_a_year_with_nothing_evaluated_still_gets_its_pages(evaluated, tmp_path):
    written = write_reports(evaluated.publication / "mujun.duckdb", tmp_path, 2031,
                            "zhenhai-2024", run={})
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    assert {"reports/run.html", "reports/map.html", "reports/enterprises/index.html"} <= names
    run = (tmp_path / "reports" / "run.html").read_text()
    assert "No enterprise was evaluated" in run and "holds no evaluation of 2030" in run
    assert "0 parcels of 0 drawn" in (tmp_path / "reports" / "map.html").read_text()
