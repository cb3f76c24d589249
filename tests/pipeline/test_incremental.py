"""What a run reuses: staged snapshots, the previous publication's unchanged files, dbt docs."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from mujun import pipeline
from mujun.publish import current_publication
from mujun.rulepack import load_pack
from tests.pipeline.test_gates_publish import PACK, county

VOUCHER = "GV1"  # enterprise A's payment, 100000.00 yuan as landed


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    home = tmp_path_factory.mktemp("incremental") / "home"
    county().land_all(home / "landing")
    assert pipeline.run_annual(home, 2024, load_pack(PACK)).status == "published"
    return home


@pytest.fixture
def home(published, tmp_path):
    copy = tmp_path / "home"
    shutil.copytree(published, copy, symlinks=True)
    return copy


def staged(home: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(home / "work.duckdb")) as con:
        return con.execute(sql, params or []).fetchall()


def tamper(home: Path) -> None:
    """Change a staged amount behind staging's back: only retyping the snapshot undoes it."""
    staged(home, "update staging.base_tax__payments set amount_yuan = 1 where voucher_id = ?",
           [VOUCHER])


def test_a_snapshot_read_again_is_not_typed_again(home):
    tamper(home)
    assert pipeline.run_annual(home, 2024, load_pack(PACK)).status == "published"
    assert staged(home, "select amount_yuan from staging.base_tax__payments "
                        "where voucher_id = ?", [VOUCHER]) == [(1,)]
    # appended once: as many staged rows as landed, after two runs
    assert staged(home, "select count(*) from staging.base_tax__payments") == [(3,)]


def test_new_staging_code_types_every_snapshot_again(home):
    tamper(home)
    staged(home, "update mujun_meta.staging_code set digest = 'an earlier release'")
    assert pipeline.run_annual(home, 2024, load_pack(PACK)).status == "published"
    assert [float(a) for (a,) in staged(
        home, "select amount_yuan from staging.base_tax__payments where voucher_id = ?",
        [VOUCHER])] == [100000.0]
    assert staged(home, "select digest from mujun_meta.staging_code") == \
        [(pipeline.staging_code_digest(),)]


def test_a_redelivery_replaces_the_snapshot_it_supersedes(home):
    corrected = county()
    for record in corrected.records[("tax.payments", "2024")]:
        if record["voucher_id"] == VOUCHER:
            record["amount_yuan"] = "123456.00"
    corrected.land_all(home / "landing", stamp="20250401T0000")
    assert pipeline.run_annual(home, 2024, load_pack(PACK)).status == "published"
    rows = staged(home, "select _snapshot_id, amount_yuan from staging.base_tax__payments "
                        "where voucher_id = ?", [VOUCHER])
    assert [(s, float(a)) for s, a in rows] == [("tax-2024-20250401T0000", 123456.0)]
    # the superseded snapshot is gone from every staged table
    assert staged(home, "select count(*) from staging.base_stats__enterprises "
                        "where _snapshot_id like '%20250301T0000'") == [(0,)]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_quarterly_publication_links_what_it_does_not_change(home):
    before = current_publication(home)
    page = f"reports/enterprises/{county().records[('stats.enterprises', '2024')][0]['uscc']}.html"
    kept = {name: digest(before / name) for name in
            ("run.json", "reports/run.html", page, "mujun.duckdb")}
    docs_cache = sorted((home / "dbt" / "docs-cache").glob("*.html"))
    cached_at = docs_cache[0].stat().st_mtime_ns
    dbt_log = home / "dbt" / "logs" / "dbt.log"
    logged = dbt_log.stat().st_size
    # a quarter with nothing delivered yet: every dataset lands empty
    county().land_all(home / "landing", periods=["2024Q1"])
    record = pipeline.run_quarterly(home, 2024, 1, load_pack(PACK))
    assert record.status == "published"
    # another kind of run, period and quarter, and dbt still parses partially (it parses
    # again here only because the copied warehouse's path changed dbt's profile)
    with dbt_log.open() as log:
        log.seek(logged)
        assert "because config vars" not in log.read()
    after = current_publication(home)
    # the annual figures did not change: their pages, forms and Parquet are the same files
    for name in (page, "reports/map.html", "forms/region_indicators_2024.csv",
                 "parquet/marts.enterprise_evaluation.parquet",
                 "parquet/audit.evaluation_trace.parquet"):
        assert (after / name).stat().st_ino == (before / name).stat().st_ino, name
    # what the run changed is new, and the previous publication is as it was
    for name in ("reports/run.html", "parquet/marts.quarterly_monitor.parquet",
                 "parquet/audit.reconciliation.parquet", "mujun.duckdb"):
        assert (after / name).stat().st_ino != (before / name).stat().st_ino, name
    assert {name: digest(before / name) for name in kept} == kept
    assert "2024Q1" in (after / "reports" / "run.html").read_text()
    with duckdb.connect(str(after / "mujun.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.enterprise_evaluation").fetchone() == (3,)
        assert con.execute("select count(*) from audit.reconciliation "
                           "where quarter = '2024Q1' and item = 'records'").fetchone() == (15,)
    # dbt docs were generated once for this code, not again
    assert sorted((home / "dbt" / "docs-cache").glob("*.html")) == docs_cache
    assert docs_cache[0].stat().st_mtime_ns == cached_at
    assert (after / "docs" / "dbt" / "index.html").read_bytes() == docs_cache[0].read_bytes()
