"""DAG integrity: imports, tags, docs, retries, pools, task graphs, schedules and params."""

from __future__ import annotations

import copy

import pytest

from mujun import orchestration as orch
from mujun.datasets import DATASETS, SOURCES, datasets_of
from mujun.pipeline import STEPS
from tests.dags.conftest import DAGS_FOLDER

INGEST_IDS = {f"mujun_ingest_{s}" for s in SOURCES}
EVALUATION_IDS = {orch.ANNUAL_DAG_ID, orch.QUARTERLY_DAG_ID}
ALL_IDS = INGEST_IDS | EVALUATION_IDS | {orch.BACKFILL_DAG_ID}
# tasks that open a DuckDB file, and so share the one-slot pool
DUCKDB_TASKS = set(STEPS)


def _uris(condition) -> set[str]:
    """Every asset URI an asset condition names, however nested."""
    if hasattr(condition, "objects"):
        return set().union(*(_uris(o) for o in condition.objects))
    return {condition.uri}


def assert_runs_in_order(dag, order: list[str]) -> None:
    """The DAG has exactly these tasks, each after the one before it (so one at a time)."""
    assert sorted(dag.task_ids) == sorted(order)
    for i, task_id in enumerate(order):
        upstream = dag.get_task(task_id).upstream_task_ids
        assert upstream <= set(order[:i]), task_id
        if i:
            assert order[i - 1] in upstream, task_id


def test_dagbag_imports_every_dag_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dags) == ALL_IDS


def test_every_dag_has_tags_docs_and_its_own_file(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert "mujun" in dag.tags, dag_id
        assert dag.doc_md and len(dag.doc_md) > 80, dag_id
        assert dag.fileloc.startswith(str(DAGS_FOLDER)), (dag_id, dag.fileloc)
        assert not dag.catchup, dag_id


@pytest.mark.parametrize("source", SOURCES)
def test_ingest_dag_pulls_each_dataset_as_an_asset_with_retries(dagbag, source):
    dag = dagbag.dags[f"mujun_ingest_{source}"]
    pulls = {f"pull_{d.name}": d for d in datasets_of(source)}
    assert set(dag.task_ids) == set(pulls) | {"announce_redelivery"}
    assert dag.timetable.__class__.__name__ == "NullTimetable"  # started per period
    assert "period" in dag.params
    for task_id, dataset in pulls.items():
        task = dag.get_task(task_id)
        assert [a.uri for a in task.outlets] == [f"mujun://landing/{source}/{dataset.name}"]
        assert task.retries == orch.INGEST_RETRIES
        assert task.upstream_task_ids == set()
    announce = dag.get_task("announce_redelivery")
    assert announce.upstream_task_ids == set(pulls)
    assert [a.uri for a in announce.outlets] == [f"mujun://redelivery/{source}"]


@pytest.mark.parametrize("dag_id", sorted(EVALUATION_IDS))
def test_evaluation_dag_runs_the_pipeline_steps_in_order_in_the_pool(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert_runs_in_order(dag, ["check_landing", "start", *STEPS, "docs_and_lineage"])
    for task in dag.tasks:
        expected = orch.POOL if task.task_id in DUCKDB_TASKS else "default_pool"
        assert task.pool == expected, task.task_id
    assert dag.max_active_runs == 1
    assert [a.uri for a in dag.get_task("publish").outlets] == ["mujun://published/warehouse"]
    assert {"year", "rule_pack", "reference_dir"} <= set(dag.params)
    assert ("quarter" in dag.params) == (dag_id == orch.QUARTERLY_DAG_ID)


def test_backfill_dag_checks_then_evaluates_the_years_in_the_pool(dagbag):
    dag = dagbag.dags[orch.BACKFILL_DAG_ID]
    assert_runs_in_order(dag, ["check_years", "evaluate_years"])
    assert dag.get_task("evaluate_years").pool == orch.POOL
    assert dag.timetable.__class__.__name__ == "NullTimetable"


@pytest.mark.parametrize("dag_id", sorted(EVALUATION_IDS))
def test_evaluation_schedule_names_exactly_the_ingest_outlets(dagbag, dag_id):
    outlets = {a.uri for d in INGEST_IDS for t in dagbag.dags[d].tasks for a in t.outlets}
    condition = dagbag.dags[dag_id].timetable.asset_condition
    assert _uris(condition) == outlets == {a.uri for a in orch.ingest_outlets()}
    assert len(outlets) == len(DATASETS) + len(SOURCES)
    # all fifteen datasets, or any re-delivery
    every, redelivered = condition.objects
    assert type(every).__name__ == "AssetAll"
    assert _uris(every) == {orch.dataset_asset(n).uri for n in DATASETS}
    assert type(redelivered).__name__ == "AssetAny"
    assert _uris(redelivered) == {orch.redelivery_asset(s).uri for s in SOURCES}


def _validated(params, conf: dict) -> dict:
    merged = copy.deepcopy(params)
    merged.update(conf)
    return merged.validate()


def test_params_refuse_an_unknown_pack_and_a_bad_year(dagbag):
    from airflow.sdk.exceptions import ParamValidationError

    params = dagbag.dags[orch.ANNUAL_DAG_ID].params
    good = _validated(params, {"year": 2024, "rule_pack": "zhenhai-2024"})
    assert good["year"] == 2024 and good["reference_dir"] is None
    assert _validated(params, {})["year"] is None  # asset-triggered: the events say
    for bad in ({"rule_pack": "no-such-pack"}, {"year": "2024x"}, {"year": 1800}):
        with pytest.raises(ParamValidationError):
            _validated(params, bad)
    period = dagbag.dags["mujun_ingest_tax"].params
    assert _validated(period, {"period": "2024Q3"})["period"] == "2024Q3"
    for bad in ({"period": "2024-Q3"}, {}):
        with pytest.raises(ParamValidationError):
            _validated(period, bad)
    years = dagbag.dags[orch.BACKFILL_DAG_ID].params
    assert _validated(years, {"years": [2023, 2022]})["years"] == [2023, 2022]
    with pytest.raises(ParamValidationError):
        _validated(years, {"years": []})
