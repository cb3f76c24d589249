"""Gates stop a bad run and leave the previous publication untouched; a clean run publishes."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from expectations.datadocs import remote_references
from expectations.gates import GateFailed
from mujun import pipeline
from mujun.datasets import DATASETS
from mujun.publish import current_publication
from mujun.rulepack import load_pack
from tests.dbt.conftest import PACKS
from tests.fixtures.golden import GoldenCounty, account, parcel, uscc

PACK = str(PACKS / "golden-ratio.yml")
A, B, C = uscc(301), uscc(302), uscc(303)


def county() -> GoldenCounty:
    c = GoldenCounty(year=2024)
    for n, code in enumerate((A, B, C), start=1):
        c.enterprise(code, f"G{n}")
        c.annual(code, output_k="5000", value_added_k=str(1000 * n), revenue_k="6000",
                 employees_avg="20")
        c.land_parcel(parcel(300 + n), code, "4000")
        c.payment(code, f"GV{n}", f"{100000 * n}.00")
        c.add("grid.accounts", account_no=account(300 + n), holder_name=None, holder_uscc=code,
              parcel_code=None, address=None, transformer_id=None, opened_on=None, closed_on=None)
        c.add("grid.consumption", account_no=account(300 + n), month="2024-02", kwh="1000",
              reading="actual")
    return c


def fingerprint(home: Path) -> dict[str, str]:
    target = current_publication(home)
    return {str(p.relative_to(target)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(target.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    home = tmp_path_factory.mktemp("published") / "home"
    county().land_all(home / "landing")
    record = pipeline.run_annual(home, 2024, load_pack(PACK))
    return home, record


@pytest.fixture
def home(published, tmp_path):
    copy = tmp_path / "home"
    shutil.copytree(published[0], copy, symlinks=True)
    return copy


def test_a_clean_run_publishes_with_every_gate_and_snapshot(published):
    home, record = published
    run = json.loads((current_publication(home) / "run.json").read_text())
    assert run["status"] == "published" and run["run_id"] == record.run_id
    assert {g["stage"] for g in run["gates"]} == {"landing", "staging", "reconciled", "marts"}
    assert all(g["success"] for g in run["gates"])
    assert set(run["snapshots"]) == set(DATASETS)
    con = duckdb.connect(str(home / "published" / "mujun.duckdb"), read_only=True)
    tables = {f"{s}.{t}" for s, t in con.execute(
        "select table_schema, table_name from information_schema.tables").fetchall()}
    assert {"marts.enterprise_evaluation", "audit.quarantine", "audit.evaluation_trace"} <= tables
    assert con.execute("select count(*) from marts.enterprise_evaluation").fetchone()[0] == 3
    for table in tables:
        parquet = home / "published" / "parquet" / f"{table}.parquet"
        assert pq.read_metadata(parquet).num_rows == con.execute(
            f"select count(*) from {table}").fetchone()[0]
    docs = home / "published" / "docs" / "gx"
    assert (docs / "index.html").exists() and remote_references(docs) == []


def test_voucher_ids_are_published_hashed(published):
    home, _ = published
    con = duckdb.connect(str(home / "published" / "mujun.duckdb"), read_only=True)
    keys = [r[0] for r in con.execute(
        "select record_key from audit.evaluation_trace where dataset = 'tax.payments'").fetchall()]
    assert keys and all(k.startswith("h:") for k in keys)
    assert "GV1" not in json.dumps(keys)


def test_explain_agrees_with_the_trace(published):
    from typer.testing import CliRunner

    from mujun.cli import app
    from mujun.explain import explain

    home, _ = published
    explanation = explain(home, A.lower(), 2024)  # codes are normalised
    con = duckdb.connect(str(home / "published" / "mujun.duckdb"), read_only=True)
    trace = con.execute("select count(*), sum(case when step = 'tax' then amount end) "
                        "from audit.evaluation_trace where uscc = ?", [A]).fetchone()
    assert len(explanation.steps) == trace[0]
    assert sum(s["amount"] for s in explanation.steps if s["step"] == "tax") == pytest.approx(trace[1])
    # the published hash resolves to the voucher id for the engineer
    assert "GV1" in {s["record_key"] for s in explanation.steps}
    result = CliRunner().invoke(app, ["explain", A, "--year", "2024"], env={"MUJUN_HOME": str(home)})
    assert result.exit_code == 0, result.output
    grade = con.execute("select grade from marts.enterprise_evaluation where uscc = ?", [A]).fetchone()[0]
    assert f"final grade {grade}" in result.output and "GV1" in result.output
    assert "Grade rules" in result.output or "Final grade" in result.output
    missing = CliRunner().invoke(app, ["explain", A, "--year", "2023"], env={"MUJUN_HOME": str(home)})
    assert missing.exit_code == 2  # no pack evaluated 2023: name one


def _fails_untouched(home: Path, match: str, **kwargs) -> GateFailed:
    before, target = fingerprint(home), current_publication(home)
    with pytest.raises(GateFailed, match=match) as failed:
        pipeline.run_annual(home, 2024, load_pack(PACK), **kwargs)
    assert current_publication(home) == target
    assert fingerprint(home) == before
    runs = [json.loads(p.read_text()) for p in (home / "runs").glob("*/run.json")]
    assert sum(r["status"] == "failed" for r in runs) == 1
    return failed.value


def test_landing_not_matching_its_manifest_stops_the_run(home):
    snapshot = next((home / "landing" / "tax" / "payments" / "period=2024").glob("snapshot=*"))
    part = snapshot / "part-00000.parquet"
    table = pq.read_table(part)
    pq.write_table(table.slice(0, table.num_rows - 1), part)
    failed = _fails_untouched(home, "landing gate failed")
    assert failed.failures[0]["suite"] == "landing.snapshots"
    assert failed.failures[0]["sample"][0]["dataset"] == "tax.payments"


def test_negative_kwh_in_staging_stops_the_run(home):
    def inject(stage, ctx):
        if stage == "staging":
            with duckdb.connect(str(ctx.work_db)) as con:
                con.execute("update staging.base_grid__consumption set kwh = -5 "
                            "where account_no = ?", [account(301)])
    failed = _fails_untouched(home, "staging gate failed", after_stage=inject)
    assert failed.failures[0]["column"] == "staging.grid__consumption__negative_kwh"
    assert float(failed.failures[0]["sample"][0]["kwh"]) == -5


def test_shares_summing_to_more_than_one_stop_the_run(home):
    reference = home / "reference"
    reference.mkdir()
    (reference / "account_links.csv").write_text(
        "account_no,uscc,share,year_from,year_to,changed_by,reason\n"
        f"{account(301)},{A},0.6,,,tester,shared\n{account(301)},{B},0.6,,,tester,shared\n")
    failed = _fails_untouched(home, "reconciled gate failed")
    assert failed.failures[0]["column"] == "reconciled.account_shares_not_one"
    assert float(failed.failures[0]["sample"][0]["shares"]) == pytest.approx(1.2)


def test_a_grade_outside_the_pack_stops_the_run(home):
    def inject(stage, ctx):
        if stage == "marts":
            with duckdb.connect(str(ctx.work_db)) as con:
                con.execute("update marts.enterprise_evaluation set grade = 'Z' where uscc = ?", [A])
    failed = _fails_untouched(home, "marts gate failed", after_stage=inject)
    assert failed.failures[0]["column"] == "marts.grades_outside_pack"
    assert failed.failures[0]["sample"][0]["grade"] == "Z"


def test_a_second_clean_run_replaces_its_year_and_keeps_the_others(home):
    first = current_publication(home)
    record = pipeline.run_annual(home, 2024, load_pack(PACK))
    assert record.status == "published" and current_publication(home) != first
    assert first.exists()  # the last N publications stay readable
    con = duckdb.connect(str(home / "published" / "mujun.duckdb"), read_only=True)
    assert con.execute("select count(*) from marts.enterprise_evaluation").fetchone()[0] == 3
