"""Airflow 3 wiring for mujun: DAG builders and the task callables they wire.

The files in `dags/` hold one DAG each and only call a builder here
(`dag = ingest_dag("tax")`). Every task is one call into the functions `mujun`
itself uses (`connectors.pull.pull_period`, `mujun.pipeline.start_run`,
`load_run`, `run_step`, `run_annual`); this module adds only what Airflow needs
around them: assets and their events, params, pools, the resolution of a source's
Airflow connection, and a lease that keeps two evaluation runs from interleaving
their steps on the one work database.

    mujun_ingest_<source>      pull one period of a source, one task per dataset;
                               each landed dataset is an asset event (period and
                               snapshot id in its extra); a re-delivery is one more
    mujun_annual_evaluation    on (all 15 datasets) | (any re-delivery): check the
                               year has landed, then one task per pipeline step
    mujun_quarterly_monitoring the same steps for a quarter (marts.quarterly_monitor)
    mujun_annual_backfill      evaluate several years in order (multi-year rules)

DuckDB takes one writer at a time: every task that opens it runs in the one-slot
pool `mujun_duckdb`, holds the warehouse lock of `mujun.runs` for its duration, and
checks that its run holds the warehouse lease, so steps of two runs never interleave.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, Asset, AssetAll, AssetAny, Param, chain, task
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from mujun.datasets import DATASETS, SOURCES, datasets_of
from mujun.logs import event
from mujun.runs import (
    LEASE_FILE,
    RunLocked,
    _write_lease,
    claim_lease,
    lease_holder,
    release_lease,
)

log = logging.getLogger("mujun.orchestration")

POOL = "mujun_duckdb"
POOL_DESCRIPTION = "DuckDB takes one writer at a time: every task that opens a mujun database"
DEFAULT_PACK = os.environ.get("MUJUN_RULE_PACK", "zhenhai-2024")
REFERENCE_VARIABLE = "mujun_reference_dir"
LOCK_WAIT_SECONDS = 900.0
PERIOD_PATTERN = r"^[0-9]{4}(Q[1-4])?$"
START_DATE = datetime(2024, 1, 1, tzinfo=UTC)
INGEST_RETRIES = 3
TAGS = ["mujun"]

ANNUAL_DAG_ID = "mujun_annual_evaluation"
QUARTERLY_DAG_ID = "mujun_quarterly_monitoring"
BACKFILL_DAG_ID = "mujun_annual_backfill"
PUBLICATION = Asset(uri="mujun://published/warehouse", name="mujun.published", group="mujun")


def ingest_dag_id(source: str) -> str:
    return f"mujun_ingest_{source}"


# ---------------------------------------------------------------------------------------------
# Assets: one per landed dataset, one per source for re-deliveries.


def dataset_asset(full_name: str) -> Asset:
    """`mujun://landing/<source>/<name>`; each event's extra names the period and snapshot."""
    dataset = DATASETS[full_name]
    return Asset(uri=f"mujun://landing/{dataset.source}/{dataset.name}", name=full_name,
                 group="landing")


def redelivery_asset(source: str) -> Asset:
    """An event when a pull lands a snapshot beside an earlier one of the same period."""
    return Asset(uri=f"mujun://redelivery/{source}", name=f"{source}.redelivery", group="landing")


def ingest_outlets(source: str | None = None) -> list[Asset]:
    """What the ingest DAGs emit: every dataset of the source(s), then the re-delivery asset."""
    sources = [source] if source else list(SOURCES)
    return ([dataset_asset(d.full_name) for s in sources for d in datasets_of(s)]
            + [redelivery_asset(s) for s in sources])


def evaluation_schedule():
    """Every dataset has landed (AND of the 15), or any source re-delivered a dataset.

    An AND alone would not run again for one re-delivered dataset (STACK-NOTES): the
    re-delivery assets are the OR branch. Which period the events are for is read
    from their extra by the first task (`check_landing`).
    """
    return (AssetAll(*(dataset_asset(name) for name in DATASETS))
            | AssetAny(*(redelivery_asset(s) for s in SOURCES)))


# ---------------------------------------------------------------------------------------------
# Settings, connections and the pool.


def home() -> Path:
    from mujun.settings import Settings

    return Settings.from_env().home


def connection_settings(source: str, conn_id: str | None = None):
    """Settings with `source`'s endpoint from the Airflow connection `mujun_<source>` if defined.

    host is the base URL (or a host name, with `schema` as the scheme and `port`),
    password the token. Without the connection, MUJUN_<SRC>_URL/TOKEN as for the CLI.
    The token is registered with mujun's log redactor and never logged.
    """
    from mujun.logs import register_secrets
    from mujun.settings import Settings, SourceEndpoint

    settings = Settings.from_env()
    conn = _connection(conn_id or f"mujun_{source}")
    if conn is None:
        return settings
    token = conn.password or None
    register_secrets([token])
    endpoints = dict(settings.endpoints)
    endpoints[source] = SourceEndpoint(source, connection_base_url(conn), token)
    return Settings(home=settings.home, endpoints=endpoints)


def connection_base_url(conn) -> str | None:
    """The base URL of a connection: its host when that is a URL, else scheme://host[:port]."""
    host = (conn.host or "").strip()
    if not host:
        return None
    if "://" in host:
        return host.rstrip("/")
    scheme = conn.schema if conn.schema in ("http", "https") else "https"
    port = f":{conn.port}" if conn.port else ""
    return f"{scheme}://{host}{port}"


def _connection(conn_id: str):
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None


def ensure_pool(slots: int = 1) -> None:
    """Create or update the one-slot pool (demo and test setup; production: `airflow pools set`)."""
    from airflow.models.pool import Pool

    Pool.create_or_update_pool(POOL, slots=slots, description=POOL_DESCRIPTION,
                               include_deferred=False)


def serialize_dags(unpause: tuple[str, ...] = ()) -> None:
    """What `airflow dags reserialize` does (assets are inactive until their DAG is
    serialised), then unpause the given DAGs so asset events queue runs for them."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import BundleDagBag, sync_bag_to_db
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session

    manager = DagBundlesManager()
    manager.sync_bundles_to_db()
    for bundle in manager.get_all_dag_bundles():
        bundle.initialize()
        bag = BundleDagBag(dag_folder=bundle.path, bundle_path=bundle.path,
                           bundle_name=bundle.name)
        if bag.import_errors:
            raise RuntimeError(f"DAG import errors: {bag.import_errors}")
        sync_bag_to_db(bag, bundle.name, bundle.get_current_version())
    if unpause:
        with create_session() as session:
            session.query(DagModel).filter(DagModel.dag_id.in_(unpause)).update(
                {DagModel.is_paused: False}, synchronize_session=False)


# ---------------------------------------------------------------------------------------------
# Task callables: ingest.


def pull_dataset(full_name: str, period: str, settings=None) -> dict:
    """Pull and land one dataset for one period; a snapshot already landed is a no-op."""
    from connectors.pull import pull_period
    from mujun.periods import Period

    dataset = DATASETS[full_name]
    settings = settings or connection_settings(dataset.source)
    [result] = pull_period(settings, Period.parse(period), source=dataset.source,
                           dataset=full_name)
    earlier = earlier_snapshots(settings.landing, full_name, result.period, result.snapshot_id)
    return {"dataset": result.dataset, "period": result.period,
            "snapshot_id": result.snapshot_id, "status": result.status,
            "records": result.records, "total": result.total,
            "redelivery": result.status == "landed" and bool(earlier),
            "replaces": earlier[-1] if earlier else None}


def earlier_snapshots(landing: Path, full_name: str, period: str, snapshot_id: str) -> list[str]:
    """Complete snapshots of the same dataset and period landed before `snapshot_id`."""
    dataset = DATASETS[full_name]
    folder = landing / dataset.source / dataset.name / f"period={period}"
    found = []
    for path in folder.glob("snapshot=*/manifest.json"):
        manifest = json.loads(path.read_text())
        if manifest.get("records") == manifest.get("total") \
                and manifest["snapshot_id"] < snapshot_id:
            found.append(manifest["snapshot_id"])
    return sorted(found)


def redeliveries(results: list[dict]) -> list[dict]:
    """The pulls that landed a new snapshot over an earlier one; skip the task when none did."""
    redelivered = [r for r in results if r.get("redelivery")]
    if not redelivered:
        raise AirflowSkipException("no dataset was re-delivered")
    return redelivered


# ---------------------------------------------------------------------------------------------
# Task callables: evaluation runs.


# Another evaluation run holds the work database (the lease lives in mujun.runs, so
# `mujun run` by hand refuses too while an Airflow run is between its tasks).
WarehouseBusy = RunLocked


def _periods_of(events: Any, kind: str) -> list[str]:
    """The periods of the given kind named in the triggering asset events' extra, unique."""
    periods: set[str] = set()
    for asset_events in (events or {}).values():
        for item in asset_events:
            extra = getattr(item, "extra", None) or {}
            period = extra.get("period")
            if isinstance(period, str) and ("Q" in period) == (kind == "quarterly"):
                periods.add(period)
    return sorted(periods)


def _split(period: str) -> tuple[int, int | None]:
    from mujun.periods import Period

    parsed = Period.parse(period)
    return parsed.year, parsed.quarter


def check_pack(rule_pack: str):
    """The validated pack, or a failed task (no retry) naming every problem."""
    from mujun.rulepack import RulePackError, load_pack

    try:
        return load_pack(rule_pack)
    except RulePackError as exc:
        raise AirflowFailException(str(exc)) from None


def resolve_run(kind: str, params: dict, events: Any = None) -> dict:
    """Which period this run evaluates, checked complete on disk; the first task of a run.

    A `year` (and `quarter`) param names it and a missing feed fails the task. With no
    year, the run was started by asset events: the latest period of this run's kind
    among the events whose every dataset has landed; none such skips the run.
    """
    from mujun import sources

    pack = check_pack(params.get("rule_pack") or DEFAULT_PACK)
    landing = home() / "landing"
    if params.get("year") is not None:
        year = int(params["year"])
        quarter = params.get("quarter") if kind == "quarterly" else None
        if kind == "quarterly" and quarter is None:
            raise AirflowFailException("a quarterly run with a year param needs a quarter (1-4)")
        try:
            sources.choose_snapshots(landing, [year], quarter)
        except sources.MissingFeed as exc:
            raise AirflowFailException(f"{exc}") from None
    else:
        candidates = _periods_of(events, kind)
        if not candidates:
            raise AirflowSkipException(f"no {kind} period among the triggering asset events")
        complete, missing = None, []
        for period in reversed(candidates):
            year, quarter = _split(period)
            try:
                sources.choose_snapshots(landing, [year], quarter)
            except sources.MissingFeed as exc:
                missing.append(f"{period}: {exc}")
                continue
            complete = period
            break
        if complete is None:
            raise AirflowSkipException("nothing to evaluate yet; " + "; ".join(missing))
        year, quarter = _split(complete)
        others = [p for p in candidates if p != complete]
        if others:
            event(log, "events also named other periods", logging.WARNING, evaluating=complete,
                  others=",".join(others), hint=f"trigger {BACKFILL_DAG_ID} for earlier years")
    reference = params.get("reference_dir") or _reference_variable()
    if reference and not Path(reference).is_dir():
        raise AirflowFailException(f"reference_dir {reference} is not a folder")
    plan = {"kind": kind, "year": year, "quarter": quarter, "rule_pack": pack.id,
            "pack_ref": params.get("rule_pack") or DEFAULT_PACK, "reference_dir": reference}
    event(log, "run planned", **{k: v for k, v in plan.items() if v is not None})
    return plan


def _reference_variable() -> str | None:
    from airflow.sdk import Variable

    return Variable.get(REFERENCE_VARIABLE, default=None)


def begin_run(plan: dict) -> str:
    """`pipeline.start_run` for the planned period, under the warehouse lease; the run id."""
    from mujun.pipeline import start_run
    from mujun.runs import warehouse_lock

    where = home()
    pack = check_pack(plan["pack_ref"])
    reference = Path(plan["reference_dir"]) if plan.get("reference_dir") else None
    with warehouse_lock(where, LOCK_WAIT_SECONDS):
        holder = lease_holder(where)
        if holder is not None:
            raise WarehouseBusy(f"run {holder} holds {where / LEASE_FILE}; this run retries")
        ctx = start_run(where, plan["kind"], plan["year"], plan["quarter"], pack, reference)
        _write_lease(where, ctx.record.run_id)
    return ctx.record.run_id


def run_pipeline_step(run_id: str, step: str) -> dict:
    """`pipeline.run_step(load_run(home, run_id), step)`, safe to run again (cleared tasks)."""
    from mujun.pipeline import GATES, load_run, run_step
    from mujun.runs import warehouse_lock

    where = home()
    with warehouse_lock(where, LOCK_WAIT_SECONDS):
        claim_lease(where, run_id)
        ctx = load_run(where, run_id)
        record = ctx.record
        if step == "publish" and record.status == "published":
            event(log, "already published", run_id=run_id, publication=record.publication)
        else:
            # A cleared task runs again: forget what its earlier try recorded.
            if step in GATES:
                record.gates = [g for g in record.gates if g.get("stage") != GATES[step]]
            if record.status == "failed":
                record.status, record.error, record.ended_at = "running", None, None
            run_step(ctx, step)
        if step == "publish":
            release_lease(where, run_id)  # published: the work database is free again
    return {"run_id": run_id, "step": step, "status": record.status,
            "period": record.period, "rule_pack": record.rule_pack,
            "publication": record.publication}


def finish_run(run_id: str) -> dict:
    """A run summary beside the publication; the warehouse lease is given back."""
    from mujun.pipeline import load_run

    where = home()
    try:
        ctx = load_run(where, run_id)
        if ctx.record.status != "published" or not ctx.record.publication:
            raise AirflowFailException(f"run {run_id} is {ctx.record.status}, not published")
        publication = Path(ctx.record.publication)
        summary = write_run_summary(ctx, publication, published_lineage(publication))
    finally:
        release_lease(where, run_id)
    return {"run_id": run_id, "summary": str(summary)}


def published_lineage(publication: Path) -> Path | None:
    """The run's OpenLineage events, published with it by `pipeline.publish_step`.

    Sending them to a lineage backend (Marquez, DataHub) from Airflow is the place
    to add that: the Airflow OpenLineage provider is not installed.
    """
    path = publication / "lineage" / "openlineage.jsonl"
    return path if path.exists() else None


def write_run_summary(ctx, publication: Path, lineage: Path | None) -> Path:
    """A small JSON beside the publication: what ran, its gates and where its docs are."""
    record = ctx.record
    gates = [{"stage": g.get("stage"), "suite": g.get("suite"), "success": g.get("success")}
             for g in record.gates]
    summary = {
        "run_id": record.run_id, "kind": record.kind, "period": record.period,
        "rule_pack": record.rule_pack, "status": record.status,
        "started_at": record.started_at, "ended_at": record.ended_at,
        "gates_passed": sum(1 for g in gates if g["success"]), "gates": gates,
        "stages": record.stages,
        "paths": {"publication": str(publication),
                  "duckdb": str(publication / "mujun.duckdb"),
                  "parquet": str(publication / "parquet"),
                  "data_docs": _existing(publication / "docs" / "gx" / "index.html"),
                  "dbt_docs": _existing(publication / "docs" / "dbt" / "index.html"),
                  "lineage": str(lineage) if lineage else None},
    }
    path = publication / "docs" / "run-summary.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    os.replace(tmp, path)
    return path


def _existing(path: Path) -> str | None:
    return str(path) if path.exists() else None


def evaluate_years(years: list[int], rule_pack: str, reference_dir: str | None) -> list[dict]:
    """`pipeline.run_annual` for each year in ascending order, stopping at the first failure."""
    from mujun.pipeline import run_annual
    from mujun.runs import warehouse_lock

    where = home()
    pack = check_pack(rule_pack)
    reference = Path(reference_dir) if reference_dir else None
    done = []
    for year in sorted(set(years)):
        with warehouse_lock(where, LOCK_WAIT_SECONDS):
            holder = lease_holder(where)
        if holder is not None:
            raise WarehouseBusy(f"run {holder} holds {where / LEASE_FILE}")
        record = run_annual(where, year, pack, reference, LOCK_WAIT_SECONDS)
        done.append({"year": year, "run_id": record.run_id, "status": record.status})
    return done


# ---------------------------------------------------------------------------------------------
# ---------------------------------------------------------------------------------------------
# DAG builders.


def _caller_file() -> str:
    """The dags/ file that called the builder: Airflow names the DAG's file after it."""
    return sys._getframe(2).f_code.co_filename


def ingest_dag(source: str) -> DAG:
    """`mujun_ingest_<source>`: pull one period of a source, one task per dataset."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    doc = f"""### Pull `{source}` for one period and land it

Param `period`: `YYYY` (annual feeds) or `YYYYQn` (quarterly monitoring). One task per
dataset calls `connectors.pull.pull_period` (as `mujun pull --source {source}` does): it
walks the cursors, checks the count against `total`, and lands Parquet with a manifest
under `$MUJUN_HOME/landing/{source}/<dataset>/period=<P>/snapshot=<id>/`. A snapshot
already landed is not pulled again. Tasks retry {INGEST_RETRIES} times.

Endpoint: the Airflow connection `mujun_{source}` (host = base URL, password = token),
else `MUJUN_{source.upper()}_URL` / `MUJUN_{source.upper()}_TOKEN`.

Assets: each dataset's `mujun://landing/{source}/<dataset>`, extra `period`,
`snapshot_id`, `status`, `records`; `mujun://redelivery/{source}` when a pull landed a
snapshot beside an earlier one of the same period (the evaluation DAGs then run again).
"""
    with DAG(
        dag_id=ingest_dag_id(source),
        description=f"Pull the {source} feed for one period and land it",
        doc_md=doc,
        schedule=None,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=4,
        tags=[*TAGS, "ingest", source],
        default_args={"retries": INGEST_RETRIES, "retry_delay": timedelta(seconds=30),
                      "retry_exponential_backoff": 2.0,
                      "max_retry_delay": timedelta(minutes=10)},
        params={"period": Param(type="string", pattern=PERIOD_PATTERN,
                                title="Period",
                                description="YYYY for a year, YYYYQn for a quarter")},
    ) as dag:
        pulls = [_pull_task(ds.full_name)() for ds in datasets_of(source)]
        redelivered = redelivery_asset(source)

        @task(task_id="announce_redelivery", outlets=[redelivered], multiple_outputs=False,
              doc_md="Emit the re-delivery asset when a pull replaced an earlier snapshot; "
                     "skipped otherwise.")
        def announce(results: list[dict], params=None, outlet_events=None) -> list[dict]:
            found = redeliveries(results)
            outlet_events[redelivered].extra = {"period": params["period"],
                                               "datasets": [r["dataset"] for r in found],
                                               "snapshots": [r["snapshot_id"] for r in found]}
            return found

        announce(pulls)
    dag.fileloc = _caller_file()
    return dag


def _pull_task(full_name: str):
    asset = dataset_asset(full_name)

    @task(task_id=f"pull_{DATASETS[full_name].name}", outlets=[asset], multiple_outputs=False,
          doc_md=f"Pull `{full_name}` for the period and land it (`pull_period`).")
    def pull_task(params=None, outlet_events=None) -> dict:
        result = pull_dataset(full_name, params["period"])
        outlet_events[asset].extra = result
        return result

    return pull_task


def _evaluation_params(kind: str) -> dict:
    from mujun.rulepack import shipped_packs

    params = {
        "year": Param(None, type=["null", "integer"], minimum=1990, maximum=2100, title="Year",
                      description="Evaluation year. Empty: the latest complete period named "
                                  "by the triggering asset events."),
        "rule_pack": Param(DEFAULT_PACK, type="string", enum=shipped_packs(), title="Rule pack",
                           description="A shipped rule pack id (validated with load_pack)."),
        "reference_dir": Param(None, type=["null", "string"], title="Reference folder",
                               description=f"Local reference data. Empty: the Variable "
                                           f"{REFERENCE_VARIABLE}, else $MUJUN_HOME/reference."),
    }
    if kind == "quarterly":
        params["quarter"] = Param(None, type=["null", "integer"], minimum=1, maximum=4,
                                  title="Quarter", description="1-4, with a year.")
    return params


def _evaluation_dag(kind: str, dag_id: str, doc: str) -> DAG:
    from mujun.pipeline import STEPS

    with DAG(
        dag_id=dag_id,
        description=doc.splitlines()[0].lstrip("# "),
        doc_md=doc,
        schedule=evaluation_schedule(),
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        tags=[*TAGS, "evaluation", kind],
        default_args={"retries": 0},
        params=_evaluation_params(kind),
    ) as dag:

        @task(task_id="check_landing", multiple_outputs=False,
              doc_md="Resolve the period (param or triggering events), check every dataset "
                     "has landed for it and validate the rule pack.")
        def check_landing(params=None, triggering_asset_events=None) -> dict:
            return resolve_run(kind, dict(params), triggering_asset_events)

        @task(task_id="start", retries=6, retry_delay=timedelta(minutes=5),
              doc_md="`pipeline.start_run` under the warehouse lease; returns the run id.")
        def start(plan: dict) -> str:
            return begin_run(plan)

        run = start(check_landing())
        steps = []
        for step in STEPS:
            outlets = [PUBLICATION] if step == "publish" else []

            @task(task_id=step, pool=POOL, outlets=outlets, multiple_outputs=False,
                  doc_md=f"`pipeline.run_step(load_run(home, run_id), {step!r})`.")
            def step_task(run: str, step: str, outlet_events=None) -> dict:
                result = run_pipeline_step(run, step)
                if step == "publish":
                    outlet_events[PUBLICATION].extra = result
                return result

            steps.append(step_task(run, step))

        @task(task_id="docs_and_lineage", multiple_outputs=False,
              doc_md="A run summary beside the publication, naming its Data Docs, dbt docs "
                     "and OpenLineage events (published with it).")
        def docs_and_lineage(run: str) -> dict:
            return finish_run(run)

        chain(*steps, docs_and_lineage(run))
    return dag


def annual_dag() -> DAG:
    """`mujun_annual_evaluation`: one task per pipeline step for a year."""
    doc = """### Annual evaluation: landing gate, dbt stages and gates, publish

Runs when every one of the 15 datasets has had an asset event since the last run, or
when a source re-delivers a dataset; or by hand with params `year` and `rule_pack`.
`check_landing` resolves the year (param, else the latest complete year named by the
events' `period`) and fails naming any dataset not landed for it (an asset-started run
with nothing complete is skipped). Then `start` (`mujun.pipeline.start_run`), one task
per step of `mujun.pipeline.STEPS` (`run_step(load_run(home, run_id), step)`: prepare,
gate_landing, staging, gate_staging, intermediate, gate_reconciled, marts, gate_marts,
publish) and `docs_and_lineage`. dbt runs as one in-process build per stage.

Every step runs in the one-slot pool `mujun_duckdb` and holds the warehouse lease from
`start` to `publish`. Years whose rules need earlier years: `mujun_annual_backfill`.
"""
    dag = _evaluation_dag("annual", ANNUAL_DAG_ID, doc)
    dag.fileloc = _caller_file()
    return dag


def quarterly_dag() -> DAG:
    """`mujun_quarterly_monitoring`: the same steps for a quarter."""
    doc = """### Quarterly monitoring: quarterly feeds to marts.quarterly_monitor

Same schedule as the annual DAG, acting on `YYYYQn` periods of the asset events, or by
hand with params `year`, `quarter` and `rule_pack`. Tasks as in the annual DAG with
`start_run(home, "quarterly", year, quarter, pack, reference)`: the run fills
`marts.quarterly_monitor` with the pack's colour lists and its audit rows, and keeps
every other table of the publication as it was.
"""
    dag = _evaluation_dag("quarterly", QUARTERLY_DAG_ID, doc)
    dag.fileloc = _caller_file()
    return dag


def backfill_dag() -> DAG:
    """`mujun_annual_backfill`: evaluate earlier years first, in order."""
    from mujun.rulepack import shipped_packs

    doc = """### Evaluate several years in order

Multi-year rules (prior-year benchmarks, consecutive D years) read the earlier years'
published evaluations. Param `years` (a list, evaluated in ascending order) and
`rule_pack`; `check_years` fails naming any dataset not landed for a year, then
`evaluate_years` calls `mujun.pipeline.run_annual` once per year, stopping at the first
failure (what `mujun run --year Y` does, year after year).
"""
    with DAG(
        dag_id=BACKFILL_DAG_ID,
        description="Evaluate several years in order (multi-year rules need them)",
        doc_md=doc,
        schedule=None,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        tags=[*TAGS, "evaluation", "backfill"],
        default_args={"retries": 0},
        params={
            "years": Param([], type="array", items={"type": "integer", "minimum": 1990,
                                                    "maximum": 2100},
                           minItems=1, title="Years", description="Years to evaluate"),
            "rule_pack": Param(DEFAULT_PACK, type="string", enum=shipped_packs(),
                               title="Rule pack"),
            "reference_dir": Param(None, type=["null", "string"], title="Reference folder"),
        },
    ) as dag:

        @task(task_id="check_years", multiple_outputs=False)
        def check_years(params=None) -> dict:
            years = sorted(set(params["years"]))
            for year in years:
                resolve_run("annual", {**params, "year": year})
            return {"years": years, "rule_pack": params["rule_pack"],
                    "reference_dir": params.get("reference_dir") or _reference_variable()}

        @task(task_id="evaluate_years", pool=POOL)
        def evaluate(plan: dict) -> list[dict]:
            return evaluate_years(plan["years"], plan["rule_pack"], plan["reference_dir"])

        evaluate(check_years())
    dag.fileloc = _caller_file()
    return dag
