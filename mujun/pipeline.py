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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from mujun import sources, transform
from mujun.logs import event
from mujun.runs import RunRecord, utc_now, warehouse_lock
from mujun.vocab_dbt import dbt_vocabulary

log = logging.getLogger("mujun.pipeline")

STAGES = ("staging", "intermediate", "marts")
# dbt selectors per stage: marts include the audit tables
SELECTORS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts audit"}
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

    def dbt_vars(self) -> dict:
        quarter = f"{self.year}Q{self.quarter}" if self.quarter else None
        return transform.dbt_vars(self.year, self.years, self.pack.id, quarter,
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
        if needs_prior_year(ctx.pack) and (ctx.year - 1) not in history_years:
            if not sources.landed_years(landing, ctx.year - 1):
                raise RunFailed(f"rule pack {ctx.pack.id} benchmarks on {ctx.year - 1}'s pool "
                                f"means, but nothing of {ctx.year - 1} has been evaluated or "
                                f"landed: pull --period {ctx.year - 1} first")
            ctx.years = [ctx.year - 1, ctx.year]
        ctx.chosen = sources.choose_snapshots(landing, ctx.years, ctx.quarter)
        sources.register_landing_views(con, ctx.chosen)
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


GATE_AFTER = {"staging": "staging", "intermediate": "reconciled", "marts": "marts"}


def gate(ctx: RunContext, stage: str, runner) -> None:
    """Run one gate and record it in the run record; raises GateFailed."""
    from expectations.gates import GateFailed, check

    try:
        result = check(stage, ctx.work_db, runner, ctx.chosen if stage == "landing" else None)
        ctx.record.gates.extend(result.suites)
        ctx.record.stages.append({"stage": f"gate:{stage}", "seconds": round(result.seconds, 2)})
    except GateFailed as failed:
        ctx.record.gates.append({"stage": stage, "suite": failed.failures[0]["suite"],
                                 "success": False, "failed": failed.failures})
        raise


def data_docs(ctx: RunContext, runner) -> Path | None:
    """Build the run's Data Docs once, readable offline, under runs/<id>/docs/gx."""
    from expectations.datadocs import make_offline

    try:
        site = runner.build_docs()
    except Exception as exc:  # noqa: BLE001 - docs never hide the run's own outcome
        event(log, "data docs failed", logging.WARNING, error=str(exc)[:200])
        return None
    target = ctx.record.folder(ctx.home) / "docs" / "gx"
    make_offline(site, target)
    return target


def build_stage(ctx: RunContext, stage: str) -> transform.BuildResult:
    started = utc_now()
    result = transform.build(SELECTORS[stage], ctx.work_db, ctx.dbt_dir, ctx.dbt_vars())
    ctx.record.stages.append({"stage": stage, "started_at": started,
                              "seconds": round(result.seconds, 2), "nodes": len(result.nodes)})
    return result


def run_annual(home: Path, year: int, pack, reference_dir: Path | None = None,
               lock_wait_seconds: float = 0.0,
               after_stage: Callable[[str, RunContext], None] | None = None) -> RunRecord:
    """The annual evaluation of `year` by `pack`, without Airflow.

    `after_stage(stage, ctx)` runs after each dbt stage, before its gate: the fault
    tests use it to damage the work database the way a bad feed or bug would.
    """
    record = RunRecord.new("annual", str(year), pack.id)
    return _run(RunContext(home, record, pack, year, None,
                           reference_folder(home, reference_dir)), lock_wait_seconds, after_stage)


def _run(ctx: RunContext, lock_wait_seconds: float,
         after_stage: Callable[[str, RunContext], None] | None = None) -> RunRecord:
    from expectations.gates import GateRunner
    from mujun.publish import publish

    record = ctx.record
    started = time.perf_counter()
    with warehouse_lock(ctx.home, lock_wait_seconds):
        record.save(ctx.home)
        runner = None
        try:
            prepare(ctx)
            setup = time.perf_counter()
            runner = GateRunner(record.folder(ctx.home) / "gx")
            record.stages.append({"stage": "gate:setup",
                                  "seconds": round(time.perf_counter() - setup, 2)})
            gate(ctx, "landing", runner)
            for stage in STAGES:
                build_stage(ctx, stage)
                if after_stage is not None:
                    after_stage(stage, ctx)
                gate(ctx, GATE_AFTER[stage], runner)
            docs = data_docs(ctx, runner)
            runner = None
            quarter = f"{ctx.year}Q{ctx.quarter}" if ctx.quarter else None
            publish(ctx.home, ctx.work_db, record, record.kind, ctx.year, quarter,
                    extras={"docs/gx": docs} if docs else None)
        except Exception as exc:
            if runner is not None:
                data_docs(ctx, runner)
            record.status = "failed"
            record.error = str(exc)
            raise
        finally:
            record.ended_at = utc_now()
            record.save(ctx.home)
            event(log, "run ended", run_id=record.run_id, status=record.status,
                  seconds=f"{time.perf_counter() - started:.1f}")
    return record
