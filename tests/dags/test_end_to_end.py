"""Ingest and annual DAGs run in-process through Airflow (dag.test) on a small county.

The sources are the simulator on 127.0.0.1, reached through Airflow connections
(`AIRFLOW_CONN_MUJUN_<SRC>`). Airflow's own scheduling check
(`DagModel.dags_needing_dagruns`) shows when the evaluation DAGs would start: not
before all five sources have landed, again after a re-delivery, not after a no-op pull.
"""

from __future__ import annotations

import json
import secrets
import shutil
from datetime import datetime

import duckdb
import pytest

from mujun import orchestration as orch
from mujun import pipeline
from mujun.datasets import DATASETS, SOURCES
from mujun.simulate.generate import simulate
from mujun.simulate.server import FeedServer

YEAR = 2024
PACK = "zhenhai-2024"
# before the simulator's re-delivery of tax.payments 2024 (April 2025), after the rest
BEFORE_REDELIVERY = datetime(2025, 3, 31)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("county")
    summary = simulate(out, seed=7, scale=60, years=(YEAR,))
    assert any(r["dataset"] == "tax.payments" for r in summary.redeliveries)
    return out


@pytest.fixture
def world(county, tmp_path, monkeypatch, airflow_db, dagbag):
    home = tmp_path / "warehouse"
    shutil.copytree(county / "reference", home / "reference")
    monkeypatch.setenv("MUJUN_HOME", str(home))
    tokens = {s: secrets.token_urlsafe(16) for s in SOURCES}
    for source in SOURCES:
        monkeypatch.delenv(f"MUJUN_{source.upper()}_URL", raising=False)
        monkeypatch.delenv(f"MUJUN_{source.upper()}_TOKEN", raising=False)
    return home, tokens


def serve(county, tokens, monkeypatch, as_of=None) -> FeedServer:
    server = FeedServer(county, tokens, as_of=as_of).start()
    for source in SOURCES:
        monkeypatch.setenv(f"AIRFLOW_CONN_MUJUN_{source.upper()}", json.dumps(
            {"conn_type": "http", "host": server.url, "password": tokens[source]}))
    return server


def run(dagbag, dag_id: str, conf: dict):
    dag_run = dagbag.dags[dag_id].test(run_conf=conf)
    states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
    return str(dag_run.state), states


def ready_to_trigger() -> set[str]:
    """The asset-scheduled DAGs whose condition Airflow's scheduler finds met."""
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session

    with create_session() as session:
        _, triggered = DagModel.dags_needing_dagruns(session)
        session.rollback()
    return set(triggered)


def consume_queue() -> None:
    """What the scheduler does when it creates the asset-triggered runs."""
    from airflow.models.asset import AssetDagRunQueue
    from airflow.utils.session import create_session

    with create_session() as session:
        session.query(AssetDagRunQueue).delete()


def landed_events(period: str) -> dict[str, dict]:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(AssetModel.uri, AssetEvent.extra).join(
            AssetEvent, AssetEvent.asset_id == AssetModel.id).all()
    return {uri: extra for uri, extra in rows if (extra or {}).get("period") == period}


def test_ingest_then_annual_evaluation_publishes(world, county, dagbag, monkeypatch):
    home, tokens = world
    evaluation = {orch.ANNUAL_DAG_ID, orch.QUARTERLY_DAG_ID}
    orch.serialize_dags(unpause=tuple(evaluation))  # paused DAGs queue no asset events
    consume_queue()

    server = serve(county, tokens, monkeypatch, as_of=BEFORE_REDELIVERY)
    try:
        for source in SOURCES:
            state, tasks = run(dagbag, orch.ingest_dag_id(source), {"period": str(YEAR)})
            assert state == "success", tasks
            assert tasks["announce_redelivery"] == "skipped"
            assert bool(evaluation & ready_to_trigger()) == (source == SOURCES[-1])
    finally:
        server.stop()
    events = landed_events(str(YEAR))
    assert {orch.dataset_asset(n).uri for n in DATASETS} <= set(events)
    assert events["mujun://landing/tax/payments"]["snapshot_id"] == "tax-2024-20250311T0815"
    assert evaluation <= ready_to_trigger()

    state, tasks = run(dagbag, orch.ANNUAL_DAG_ID, {"year": YEAR, "rule_pack": PACK})
    assert state == "success", tasks
    published = home / "published"
    record = json.loads((published / "run.json").read_text())
    assert record["status"] == "published" and record["period"] == str(YEAR)
    assert {g["stage"] for g in record["gates"]} == {"landing", "staging", "reconciled", "marts"}
    assert all(g["success"] for g in record["gates"])
    assert record["snapshots"]["tax.payments"] == ["tax-2024-20250311T0815"]
    con = duckdb.connect(str(published / "mujun.duckdb"), read_only=True)
    try:
        rows = con.execute("select count(*), count(grade) from marts.enterprise_evaluation "
                           "where year = ? and rule_pack = ?", [YEAR, PACK]).fetchone()
    finally:
        con.close()
    assert rows[0] > 0 and rows[1] > 0
    assert (published / "parquet" / "marts.enterprise_evaluation.parquet").exists()
    assert (published / "docs" / "gx" / "index.html").exists()
    assert (published / "docs" / "dbt" / "index.html").exists()
    summary = json.loads((published / "docs" / "run-summary.json").read_text())
    assert summary["run_id"] == record["run_id"] and summary["gates_passed"] == len(
        record["gates"])
    assert orch.lease_holder(home) is None and not (home / orch.LEASE_FILE).exists()

    # the scheduler started the evaluation; a pull of what has landed is a no-op
    consume_queue()
    server = serve(county, tokens, monkeypatch, as_of=BEFORE_REDELIVERY)
    try:
        state, tasks = run(dagbag, orch.ingest_dag_id("tax"), {"period": str(YEAR)})
    finally:
        server.stop()
    assert state == "success" and tasks["announce_redelivery"] == "skipped"
    assert not evaluation & ready_to_trigger()

    # the tax bureau re-delivers its payments: the evaluation DAGs are due again
    server = serve(county, tokens, monkeypatch)
    try:
        state, tasks = run(dagbag, orch.ingest_dag_id("tax"), {"period": str(YEAR)})
    finally:
        server.stop()
    assert state == "success" and tasks["announce_redelivery"] == "success", tasks
    assert evaluation <= ready_to_trigger()
    state, tasks = run(dagbag, orch.ANNUAL_DAG_ID, {"year": YEAR, "rule_pack": PACK})
    assert state == "success", tasks
    again = json.loads((home / "published" / "run.json").read_text())
    assert again["run_id"] != record["run_id"]
    assert again["snapshots"]["tax.payments"] == ["tax-2024-20250403T1015"]


@pytest.mark.skipif(not hasattr(pipeline, "run_quarterly"),
                    reason="the quarterly pipeline (pipeline.run_quarterly) is not there yet")
def test_quarterly_monitoring_publishes_the_monitor(world, county, dagbag, monkeypatch):
    home, tokens = world
    server = serve(county, tokens, monkeypatch)
    try:
        for period in (f"{YEAR}Q1", f"{YEAR}Q2"):  # monthly feeds: January to the quarter
            for source in SOURCES:
                state, tasks = run(dagbag, orch.ingest_dag_id(source), {"period": period})
                assert state == "success", tasks
    finally:
        server.stop()
    state, tasks = run(dagbag, orch.QUARTERLY_DAG_ID,
                       {"year": YEAR, "quarter": 2, "rule_pack": "huzhou-3.0"})
    assert state == "success", tasks
    con = duckdb.connect(str(home / "published" / "mujun.duckdb"), read_only=True)
    try:
        count = con.execute("select count(*) from marts.quarterly_monitor where quarter = ?",
                            [f"{YEAR}Q2"]).fetchone()[0]
    finally:
        con.close()
    assert count > 0
