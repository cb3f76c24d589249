"""The evaluation run, step by step: the same functions serve `mujun run` and the DAGs.

    prepare   choose snapshots, load the pack, reference data and history
    staging   dbt build of the typed staging layer
    intermediate
    marts     marts and audit tables
"""

from __future__ import annotations

import logging
import time
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


def build_stage(ctx: RunContext, stage: str) -> transform.BuildResult:
    started = utc_now()
    result = transform.build(SELECTORS[stage], ctx.work_db, ctx.dbt_dir, ctx.dbt_vars())
    ctx.record.stages.append({"stage": stage, "started_at": started,
                              "seconds": round(result.seconds, 2), "nodes": len(result.nodes)})
    return result


def run_annual(home: Path, year: int, pack, reference_dir: Path | None = None,
               lock_wait_seconds: float = 0.0) -> RunRecord:
    """The annual evaluation of `year` by `pack`, without Airflow."""
    record = RunRecord.new("annual", str(year), pack.id)
    return _run(RunContext(home, record, pack, year, None,
                           reference_folder(home, reference_dir)), lock_wait_seconds)


def _run(ctx: RunContext, lock_wait_seconds: float) -> RunRecord:
    record = ctx.record
    started = time.perf_counter()
    with warehouse_lock(ctx.home, lock_wait_seconds):
        record.save(ctx.home)
        try:
            prepare(ctx)
            for stage in STAGES:
                build_stage(ctx, stage)
            record.status = "built"
        except Exception as exc:
            record.status = "failed"
            record.error = str(exc)
            raise
        finally:
            record.ended_at = utc_now()
            record.save(ctx.home)
            event(log, "run ended", run_id=record.run_id, status=record.status,
                  seconds=f"{time.perf_counter() - started:.1f}")
    return record
