"""The evaluation run, step by step: the same functions serve `mujun run` and the DAGs.

    prepare         choose snapshots, load the pack, reference data and history
    landing gate
    staging         dbt build of the typed staging layer, then its gate
    intermediate    dbt build of reconcile/restore/energy/score/grade, then the
                    reconciled gate
    marts           marts and audit tables, then the marts gate
    publish         write-audit-publish (mujun.publish), with Data Docs
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from mujun import sources, transform
from mujun.logs import event
from mujun.runs import RunRecord, close_abandoned, utc_now, warehouse_lock
from mujun.vocab_dbt import dbt_vocabulary

log = logging.getLogger("mujun.pipeline")

STAGES = ("staging", "intermediate", "marts")
# dbt selectors per stage and kind of run: annual marts include the audit tables;
# a quarterly run fills only marts.quarterly_monitor and its audit rows (marts.md)
SELECTORS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts audit"}
# a quarterly run builds only what its tables rest on: no scores, grades or trace
QUARTERLY_MARTS = ("quarterly_monitor", "quarantine", "reconciliation")
QUARTERLY_SELECTORS = SELECTORS | {
    "intermediate": " ".join(f"+{model},intermediate" for model in QUARTERLY_MARTS),
    "marts": " ".join(QUARTERLY_MARTS)}
HISTORY_YEARS = 5


class RunFailed(RuntimeError):
    """The run stopped; its run.json says where."""


@dataclass
class RunContext:
    home: Path
    record: RunRecord
    pack: object  # mujun.rulepack.RulePack
    year: int
    quarter: int | None
    reference_dir: Path | None
    years: list[int] = field(default_factory=list)
    chosen: list[sources.ChosenSnapshot] = field(default_factory=list)

    @property
    def work_db(self) -> Path:
        return self.home / "work.duckdb"

    @property
    def dbt_dir(self) -> Path:
        return self.home / "dbt"

    @property
    def publication_db(self) -> Path:
        return self.home / "published" / "mujun.duckdb"

    def write_run_params(self) -> None:
        """What dbt reads as mujun_meta.run_params / run_years, written before each stage."""
        quarter = f"{self.year}Q{self.quarter}" if self.quarter else None
        transform.write_run_params(self.work_db, self.year, self.years, self.pack.id, quarter,
                                   self.record.kind)


def reference_folder(home: Path, given: Path | None) -> Path | None:
    """`--reference DIR`, else `$MUJUN_HOME/reference/` when present, else none (cli.md)."""
    if given is not None:
        return given
    default = home / "reference"
    return default if default.is_dir() else None


def needs_prior_year(pack) -> bool:
    from mujun.rulepack import pack_tables

    table = pack_tables(pack)["rp_indicators"]
    return "prior_year" in table.column("mean_of").to_pylist()


def prepare(ctx: RunContext) -> None:
    """Everything dbt reads, in the work database; fails naming a missing feed or year."""
    from mujun.rulepack import pack_tables

    landing = ctx.home / "landing"
    ctx.years = [ctx.year]
    con = duckdb.connect(str(ctx.work_db))
    try:
        history_years = load_history(con, ctx)
        if ctx.record.kind == "annual" and needs_prior_year(ctx.pack) \
                and (ctx.year - 1) not in history_years:
            if not sources.landed_years(landing, ctx.year - 1):
                raise RunFailed(f"rule pack {ctx.pack.id} benchmarks on {ctx.year - 1}'s pool "
                                f"means, but nothing of {ctx.year - 1} has been evaluated or "
                                f"landed: pull --period {ctx.year - 1} first")
            ctx.years = [ctx.year - 1, ctx.year]
        ctx.chosen = sources.choose_snapshots(landing, ctx.years, ctx.quarter)
        sources.register_landing_views(con, ctx.chosen)
        superseded = sources.forget_superseded(con, ctx.chosen)
        if superseded:
            event(log, "superseded snapshots forgotten", rows=superseded)
        con.execute("create schema if not exists rule_pack")
        for name, table in pack_tables(ctx.pack).items():
            con.register("_pack_table", table)
            con.execute(f"create or replace table rule_pack.{name} as select * from _pack_table")
            con.unregister("_pack_table")
        sources.load_reference(con, ctx.reference_dir)
    finally:
        con.close()
    snapshots: dict[str, list[str]] = {}
    for snapshot in ctx.chosen:
        snapshots.setdefault(snapshot.dataset, []).append(snapshot.snapshot_id)
    ctx.record.snapshots = snapshots


def load_history(con: duckdb.DuckDBPyConnection, ctx: RunContext) -> set[int]:
    """Earlier published years of this pack into history.enterprise_years; returns them."""
    metrics, indicators = dbt_vocabulary()
    columns = {"uscc": "VARCHAR", "year": "INTEGER", "rule_pack": "VARCHAR", "pool": "VARCHAR",
               "evaluated": "BOOLEAN", "grade": "VARCHAR", "above_scale": "BOOLEAN",
               "high_tech": "BOOLEAN", "land_class": "VARCHAR", "industry_group": "VARCHAR",
               "industry_code": "VARCHAR"}
    columns |= {m: "DOUBLE" for m in metrics} | {i: "DOUBLE" for i in indicators}
    con.execute("create schema if not exists history")
    con.execute("create or replace table history.enterprise_years ("
                + ", ".join(f"{k} {v}" for k, v in columns.items()) + ")")
    if not ctx.publication_db.exists():
        return set()
    con.execute(f"attach '{ctx.publication_db}' as publication (read_only)")
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_catalog = "
            "'publication' and table_schema = 'marts' and table_name = 'enterprise_evaluation'"
        ).fetchone()[0]
        if exists:
            con.execute(
                f"insert into history.enterprise_years select {', '.join(columns)} "
                "from publication.marts.enterprise_evaluation "
                "where rule_pack = ? and year between ? and ?",
                [ctx.pack.id, ctx.year - HISTORY_YEARS, ctx.year - 1])
    finally:
        con.execute("detach publication")
    rows = con.execute("select distinct year from history.enterprise_years").fetchall()
    return {r[0] for r in rows}


STEPS = ("prepare", "gate_landing", "staging", "gate_staging", "intermediate",
         "gate_reconciled", "marts", "gate_marts", "publish")
GATES = {"gate_landing": "landing", "gate_staging": "staging",
         "gate_reconciled": "reconciled", "gate_marts": "marts"}
_runners: dict[Path, object] = {}


def gate_runner(ctx: RunContext):
    """The run's GX context, one per process (GX costs ~3 s to import, once)."""
    folder = ctx.record.folder(ctx.home) / "gx"
    if folder not in _runners:
        from expectations.gates import GateRunner

        started = time.perf_counter()
        _runners[folder] = GateRunner(folder)
        ctx.record.stages.append({"stage": "gate:setup",
                                  "seconds": round(time.perf_counter() - started, 2)})
    return _runners[folder]


def gate(ctx: RunContext, stage: str) -> None:
    """Run one gate and record it in the run record; raises GateFailed."""
    from expectations.gates import GateFailed, check

    runner = gate_runner(ctx)
    try:
        result = check(stage, ctx.work_db, runner, ctx.chosen if stage == "landing" else None,
                       kind=ctx.record.kind)
        ctx.record.gates.extend(result.suites)
        ctx.record.stages.append({"stage": f"gate:{stage}", "seconds": round(result.seconds, 2)})
    except GateFailed as failed:
        ctx.record.gates.append({"stage": stage, "suite": failed.failures[0]["suite"],
                                 "success": False, "failed": failed.failures})
        raise


def data_docs(ctx: RunContext) -> Path | None:
    """Build the run's Data Docs once, readable offline, under runs/<id>/docs/gx."""
    from expectations.datadocs import make_offline

    try:
        site = gate_runner(ctx).build_docs()
    except Exception as exc:  # noqa: BLE001 - docs never hide the run's own outcome
        event(log, "data docs failed", logging.WARNING, error=str(exc)[:200])
        return None
    target = ctx.record.folder(ctx.home) / "docs" / "gx"
    make_offline(site, target)
    return target


def staging_code_digest() -> str:
    """What typed the staged snapshots: the staging models, the macros, the project and
    the landing views, and the engine's versions. When it changes, staging is rebuilt."""
    project = transform.DBT_PROJECT
    return transform.code_digest([
        project / "dbt_project.yml", Path(sources.__file__),
        *sorted((project / "macros").rglob("*.sql")),
        *sorted((project / "models" / "staging").rglob("*"))])


def _staged_by(work_db: Path) -> str | None:
    with duckdb.connect(str(work_db)) as con:
        con.execute("create schema if not exists mujun_meta")
        con.execute("create table if not exists mujun_meta.staging_code (digest varchar)")
        row = con.execute("select max(digest) from mujun_meta.staging_code").fetchone()
    return row[0] if row else None


def _record_staged_by(work_db: Path, digest: str) -> None:
    with duckdb.connect(str(work_db)) as con:
        con.execute("delete from mujun_meta.staging_code")
        con.execute("insert into mujun_meta.staging_code values (?)", [digest])


def build_stage(ctx: RunContext, stage: str) -> transform.BuildResult:
    started = utc_now()
    selectors = SELECTORS if ctx.record.kind == "annual" else QUARTERLY_SELECTORS
    full_refresh, digest = False, None
    if stage == "staging":
        # staging is incremental by snapshot; new staging code retypes every snapshot
        digest = staging_code_digest()
        full_refresh = _staged_by(ctx.work_db) != digest
    ctx.write_run_params()
    result = transform.build(selectors[stage], ctx.work_db, ctx.dbt_dir,
                             full_refresh=full_refresh)
    if digest is not None:
        _record_staged_by(ctx.work_db, digest)
    if stage == "marts" and ctx.record.kind != "annual":
        _ensure_every_mart(ctx)
    ctx.record.stages.append({"stage": stage, "started_at": started,
                              "seconds": round(result.seconds, 2), "nodes": len(result.nodes)})
    return result


def dbt_docs(ctx: RunContext) -> Path | None:
    """dbt's docs (lineage graph, every model, column and its code) as one static page.

    The page shows the project as written (`--no-compile`: no run's variables in it), so
    it changes only with the project: it is generated once per version of the code and
    reused by every run until the code changes.
    """
    started = time.perf_counter()
    cache = ctx.dbt_dir / "docs-cache"
    page = cache / f"{transform.code_digest(transform.project_files())[:24]}.html"
    if not page.exists():
        result = transform.invoke(["docs", "generate", "--static", "--no-compile"],
                                  ctx.work_db, ctx.dbt_dir)
        generated = ctx.dbt_dir / "target" / "static_index.html"
        if not result.success or not generated.exists():
            event(log, "dbt docs failed", logging.WARNING)
            return None
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True)
        shutil.copy(generated, page.with_suffix(".tmp"))
        page.with_suffix(".tmp").rename(page)
    target = ctx.record.folder(ctx.home) / "docs" / "dbt"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(page, target / "index.html")
    ctx.record.stages.append({"stage": "docs:dbt",
                              "seconds": round(time.perf_counter() - started, 2)})
    return target


def _ensure_every_mart(ctx: RunContext) -> None:
    """Every publication holds every table (marts.md): a quarterly run that finds no
    annual mart in the work database builds it empty (`dbt run --empty`), with its
    schema, so the first publication of a warehouse can be a quarterly one."""
    from mujun.publish import TABLES

    with duckdb.connect(str(ctx.work_db), read_only=True) as con:
        present = {(s, t) for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
    missing = [t for s, t, *_ in TABLES if (s, t) not in present]
    if missing:
        # with the models they rest on that no run has built yet (a quarterly run
        # skips scoring and grading), never replacing a table this run built
        built = sorted({t for s, t in present if s in ("staging", "intermediate")})
        result = transform.invoke(["run", "--empty", "--select", *(f"+{m}" for m in missing),
                                   "--exclude", "staging", *built], ctx.work_db, ctx.dbt_dir)
        if not result.success:
            raise transform.TransformFailed(f"dbt run --empty {' '.join(missing)} failed")


def lineage_file(ctx: RunContext) -> Path:
    return ctx.record.folder(ctx.home) / "lineage" / "openlineage.jsonl"


def publish_step(ctx: RunContext) -> None:
    from openlineage.client.event_v2 import RunState

    from mujun.lineage import emit_run
    from mujun.publish import publish

    extras = {"docs/gx": data_docs(ctx), "docs/dbt": dbt_docs(ctx)}
    emit_run(ctx.record, lineage_file(ctx), RunState.COMPLETE,
             ctx.dbt_dir / "target" / "manifest.json")
    extras["lineage"] = lineage_file(ctx).parent
    quarter = f"{ctx.year}Q{ctx.quarter}" if ctx.quarter else None
    publish(ctx.home, ctx.work_db, ctx.record, ctx.record.kind, ctx.year, quarter,
            extras={name: path for name, path in extras.items() if path})


def start_run(home: Path, kind: str, year: int, quarter: int | None, pack,
              reference_dir: Path | None = None) -> RunContext:
    """A new run record (status running) for a validated pack; nothing is read yet.

    Called under the warehouse lock with no lease held: no other run can be running, so a
    record still `running` is of a killed run, and is closed as failed (marts.md allows
    only published or failed for a run that is over).
    """
    period = f"{year}Q{quarter}" if quarter else str(year)
    record = RunRecord.new(kind, period, pack.id)
    for abandoned in close_abandoned(home, record.run_id):
        event(log, "abandoned run closed", logging.WARNING, run_id=abandoned)
    reference = reference_folder(home, reference_dir)
    record.params = {"year": year, "quarter": quarter,
                     "pack_source": str(getattr(pack, "source", "") or pack.id),
                     "pack_sha256": getattr(pack, "sha256", None),
                     "reference_dir": str(reference) if reference else None}
    record.save(home)
    return RunContext(home, record, pack, year, quarter, reference)


def load_run(home: Path, run_id: str) -> RunContext:
    """The context of a run started earlier, maybe in another process (an Airflow task)."""
    from mujun.rulepack import load_pack

    record = RunRecord.load(home, run_id)
    params = record.params
    reference = Path(params["reference_dir"]) if params.get("reference_dir") else None
    ctx = RunContext(home, record, load_pack(params["pack_source"]), params["year"],
                     params["quarter"], reference)
    ctx.years = params.get("years") or [ctx.year]
    ctx.chosen = [sources.ChosenSnapshot(s["dataset"], s["period"], s["snapshot_id"],
                                         s["records"], Path(s["path"]), tuple(s["files"]))
                  for s in record.inputs]
    return ctx


def run_step(ctx: RunContext, step: str,
             after_stage: Callable[[str, RunContext], None] | None = None) -> None:
    """One step of the run; on failure the record says which, and Data Docs are built."""
    started = time.perf_counter()
    # a step run again (an Airflow task cleared) replaces what it recorded the first time
    record = ctx.record
    record.status, record.error, record.ended_at = "running", None, None
    if step in GATES:
        record.gates = [g for g in record.gates if g.get("stage") != GATES[step]]
    names = {f"gate:{GATES[step]}"} if step in GATES else {step, f"docs:{step}"}
    record.stages = [s for s in record.stages if s.get("stage") not in names]
    try:
        if step == "prepare":
            from openlineage.client.event_v2 import RunState

            from mujun.lineage import emit_run

            emit_run(ctx.record, lineage_file(ctx), RunState.START)
            prepare(ctx)
            ctx.record.params["years"] = ctx.years
            ctx.record.inputs = [
                {"dataset": s.dataset, "period": s.period, "snapshot_id": s.snapshot_id,
                 "records": s.records, "path": str(s.path), "files": list(s.files)}
                for s in ctx.chosen]
        elif step in GATES:
            gate(ctx, GATES[step])
        elif step in SELECTORS:
            build_stage(ctx, step)
            if after_stage is not None:
                after_stage(step, ctx)
        elif step == "publish":
            publish_step(ctx)
        else:
            raise ValueError(f"unknown step {step!r}; expected one of {', '.join(STEPS)}")
    except Exception as exc:
        ctx.record.status = "failed"
        ctx.record.error = f"{step}: {exc}"
        ctx.record.ended_at = utc_now()
        if step != "prepare" and step != "publish":
            data_docs(ctx)
        from openlineage.client.event_v2 import RunState

        from mujun.lineage import emit_run

        emit_run(ctx.record, lineage_file(ctx), RunState.FAIL)
        raise
    finally:
        ctx.record.save(ctx.home)
        event(log, "step", run_id=ctx.record.run_id, step=step,
              seconds=f"{time.perf_counter() - started:.1f}", status=ctx.record.status)


def _refuse_while_leased(home: Path) -> None:
    """An Airflow run owns the work database between its tasks: a run by hand waits its turn."""
    from mujun.runs import RunLocked, lease_holder

    holder = lease_holder(home)
    if holder is not None:
        raise RunLocked(f"Airflow run {holder} holds the warehouse between its tasks; "
                        "try again when it has published or failed")


def run_quarterly(home: Path, year: int, quarter: int, pack, reference_dir: Path | None = None,
                  lock_wait_seconds: float = 0.0) -> RunRecord:
    """The quarterly monitoring run for `year`Q`quarter`, every step."""
    with warehouse_lock(home, lock_wait_seconds):
        _refuse_while_leased(home)
        ctx = start_run(home, "quarterly", year, quarter, pack, reference_dir)
        for step in STEPS:
            run_step(ctx, step)
    return ctx.record


def run_annual(home: Path, year: int, pack, reference_dir: Path | None = None,
               lock_wait_seconds: float = 0.0,
               after_stage: Callable[[str, RunContext], None] | None = None) -> RunRecord:
    """The annual evaluation of `year` by `pack`, every step, holding the warehouse.

    `after_stage(stage, ctx)` runs after each dbt stage, before its gate: the fault
    tests use it to damage the work database the way a bad feed or bug would.
    """
    with warehouse_lock(home, lock_wait_seconds):
        _refuse_while_leased(home)
        ctx = start_run(home, "annual", year, None, pack, reference_dir)
        for step in STEPS:
            run_step(ctx, step, after_stage)
        event(log, "run ended", run_id=ctx.record.run_id, status=ctx.record.status)
    return ctx.record
