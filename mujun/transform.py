"""dbt, in-process: one `dbt build` per stage, raising unless it succeeded.

`dbtRunner().invoke()` does not raise when a model or test fails (STACK-NOTES):
the result's `success` is checked here and the failing nodes named.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mujun.logs import event
from mujun.settings import REPO_ROOT

log = logging.getLogger("mujun.transform")

DBT_PROJECT = REPO_ROOT / "dbt_project"


class TransformFailed(RuntimeError):
    """A dbt model or test failed."""


@dataclass
class BuildResult:
    select: str
    seconds: float
    nodes: dict[str, str] = field(default_factory=dict)  # unique_id → status


def code_digest(files: Iterable[Path]) -> str:
    """A digest of these files (path and bytes) and of the engine's versions: what was
    built from them is still good while it is unchanged."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(DBT_PROJECT.parent)).encode())
            digest.update(path.read_bytes())
    for package in ("duckdb", "dbt-core", "dbt-duckdb"):
        digest.update(f"{package}=={version(package)}".encode())
    return digest.hexdigest()


def project_files() -> list[Path]:
    """Every file of the dbt project that dbt reads (not its target or logs)."""
    folders = [DBT_PROJECT / name for name in ("models", "macros", "seeds", "tests")]
    return [DBT_PROJECT / "dbt_project.yml",
            *sorted(path for folder in folders for path in folder.rglob("*"))]


def write_run_params(work_db: Path, year: int, years: list[int], rule_pack: str,
                     quarter: str | None, run_kind: str) -> None:
    """The run's parameters, as the dbt source mujun_meta.run_params / run_years reads them."""
    import duckdb

    with duckdb.connect(str(work_db)) as con:
        con.execute("create schema if not exists mujun_meta")
        con.execute("create or replace table mujun_meta.run_params (year integer, "
                    "rule_pack varchar, quarter varchar, run_kind varchar)")
        con.execute("insert into mujun_meta.run_params values (?, ?, ?, ?)",
                    [year, rule_pack, quarter, run_kind])
        con.execute("create or replace table mujun_meta.run_years (year integer)")
        con.executemany("insert into mujun_meta.run_years values (?)", [[y] for y in years])


def invoke(args: list[str], work_db: Path, dbt_dir: Path) -> object:
    """Run one dbt command against the work database; returns dbt's result."""
    from dbt.cli.main import dbtRunner  # imported here: ~1.3 s, only for commands that need it

    os.environ["MUJUN_WORK_DB"] = str(work_db)
    # nothing on stdout: dbt's lines go to dbt_dir/logs/dbt.log, and a failure reaches the
    # user as TransformFailed, one line on stderr (cli.md)
    full = [*args, "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
            "--target-path", str(dbt_dir / "target"), "--log-path", str(dbt_dir / "logs"),
            "--log-level", "none", "--log-level-file", "debug"]
    try:
        return dbtRunner().invoke(full)
    finally:
        close_dbt_database()


def close_dbt_database() -> None:
    """Close the database dbt-duckdb keeps open in this process (`keep_open: true`).

    Keeping it open for the whole command saves reopening it, cold, whenever both
    threads are idle between nodes; left open after the command, it would refuse the
    pipeline's read-only connections ("different configuration") and lock out other
    processes. dbt-duckdb has no public call for this; its connection manager's
    environment is closed as its own atexit hook does.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            environment.close()
            DuckDBConnectionManager._ENV = None


def build(select: str, work_db: Path, dbt_dir: Path, exclude: str | None = None,
          full_refresh: bool = False) -> BuildResult:
    """`dbt build --select SELECT`; raises TransformFailed naming what failed."""
    started = time.perf_counter()
    args = ["build", "--select", select]
    if exclude:
        args += ["--exclude", exclude]
    if full_refresh:
        args.append("--full-refresh")
    result = invoke(args, work_db, dbt_dir)
    nodes: dict[str, str] = {}
    failures: list[str] = []
    for item in getattr(result.result, "results", None) or []:
        status = str(item.status)
        nodes[item.node.unique_id] = status
        if status in ("error", "fail", "runtime error"):
            message = " ".join((item.message or status).split())  # one line (cli.md)
            failures.append(f"{item.node.unique_id}: {message[:300]}")
    seconds = time.perf_counter() - started
    event(log, "dbt build", select=select, nodes=len(nodes), seconds=f"{seconds:.1f}",
          full_refresh=full_refresh, success=result.success)
    if not result.success:
        detail = "; ".join(failures) or repr(result.exception)
        raise TransformFailed(f"dbt build --select {select} failed: {detail}")
    return BuildResult(select, seconds, nodes)
