"""Helpers of the fault suite: `mujun` as a subprocess, waiting on a run's stage, comparing
publications row by row, fingerprints of what readers see.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from mujun.datasets import SOURCES

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MUJUN = BIN / "mujun"
PACKS = REPO / "tests" / "fixtures" / "packs"
POLL = 0.02  # seconds between looks at a running run


def env_for(home: Path, tokens: dict[str, str], url: str | None = None) -> dict:
    """A clean environment for one `mujun` process: no MUJUN_* of the caller's, the tokens."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUJUN_")}
    env["MUJUN_HOME"] = str(home)
    for source, token in tokens.items():
        env[f"MUJUN_{source.upper()}_TOKEN"] = token
        if url:
            env[f"MUJUN_{source.upper()}_URL"] = url
    return env


STARTED: list[Proc] = []  # every process the suite started, ended at the session's end


@dataclass
class Proc:
    """A `mujun` process whose stdout and stderr go to files (kept for the secrets grep)."""

    popen: subprocess.Popen
    stdout: Path
    stderr: Path
    started: float

    def wait(self, timeout: float = 300) -> int:
        return self.popen.wait(timeout=timeout)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL, the way an OOM killer or a pulled plug ends a process."""
        os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def out(self) -> str:
        return self.stdout.read_text(errors="replace")

    def err(self) -> str:
        return self.stderr.read_text(errors="replace")

    def describe(self) -> str:
        return f"exit {self.popen.returncode}\n--- stdout\n{self.out()[-3000:]}\n" \
               f"--- stderr\n{self.err()[-3000:]}"


def start(args: list[str], env: dict, logs: Path, name: str, pause: str | None = None,
          marker: Path | None = None) -> Proc:
    """Start `mujun ARGS`; with `pause`, through tests/faults/pause.py (a deterministic stop)."""
    logs.mkdir(parents=True, exist_ok=True)
    stdout, stderr = logs / f"{name}.out", logs / f"{name}.err"
    if pause:
        command = [sys.executable, "-m", "tests.faults.pause", *args]
        env = dict(env, MUJUN_FAULT_PAUSE=pause, MUJUN_FAULT_MARKER=str(marker))
    else:
        command = [str(MUJUN), *args]
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        popen = subprocess.Popen(command, env=env, cwd=REPO, stdout=out, stderr=err,
                                 stdin=subprocess.DEVNULL)
    proc = Proc(popen, stdout, stderr, time.monotonic())
    STARTED.append(proc)
    return proc


def end_started() -> None:
    """SIGKILL, by pid, whatever the suite started that still runs (a failed test's)."""
    for proc in STARTED:
        if proc.alive():
            proc.kill()


def run(args: list[str], env: dict, logs: Path, name: str, timeout: float = 300) -> Proc:
    proc = start(args, env, logs, name)
    proc.wait(timeout)
    return proc


def wait_until(predicate: Callable[[], object], timeout: float, what: str,
               proc: Proc | None = None) -> object:
    """Poll every 20 ms until `predicate()` is truthy; fail early if `proc` ended meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if proc is not None and not proc.alive():
            raise AssertionError(f"the process ended before {what}: {proc.describe()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(POLL)


def run_ids(home: Path) -> set[str]:
    folder = home / "runs"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def read_record(home: Path, run_id: str) -> dict | None:
    try:
        return json.loads((home / "runs" / run_id / "run.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def new_record(home: Path, before: set[str]) -> tuple[str, dict] | None:
    """The run record of the one run started since `before` was taken, once it exists."""
    fresh = run_ids(home) - before
    if not fresh:
        return None
    run_id = sorted(fresh)[-1]
    record = read_record(home, run_id)
    return (run_id, record) if record else None


def stages(record: dict | None) -> list[str]:
    return [s["stage"] for s in (record or {}).get("stages", [])]


class Server:
    """`mujun serve` as a subprocess on a free port."""

    def __init__(self, county: Path, env: dict, logs: Path, name: str,
                 as_of: datetime | None = None) -> None:
        args = ["serve", "--data", str(county), "--port", "0"]
        if as_of is not None:
            args += ["--as-of", f"{as_of:%Y%m%dT%H%M}"]
        self.proc = start(args, env, logs, name)
        found = wait_until(lambda: re.search(r"at (http://127\.0\.0\.1:\d+)", self.proc.err()),
                           30, "mujun serve to listen", self.proc)
        self.url = found[1]

    def stop(self) -> None:
        if self.proc.alive():
            self.proc.popen.send_signal(signal.SIGTERM)
            try:
                self.proc.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def landing_files(landing: Path) -> dict[str, str]:
    """Every landed file with its size and modification time (a rewrite changes them)."""
    return {str(p.relative_to(landing)): f"{p.stat().st_size}:{p.stat().st_mtime_ns}"
            for p in sorted(landing.rglob("*")) if p.is_file()}


# --- what readers see -------------------------------------------------------------------

def published_target(home: Path) -> Path | None:
    link = home / "published"
    return link.resolve() if link.exists() else None


def fingerprint(folder: Path | None) -> dict[str, str]:
    """sha256 of every file of a publication (the link followed)."""
    if folder is None:
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def visible_publications(home: Path) -> set[str]:
    """Publication folders a reader can list (hidden temporaries excluded)."""
    root = home / "publications"
    if not root.exists():
        return set()
    return {p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")}


def _plain(value, digits: int | None = None):
    """A hashable value that equals itself (NaN included); floats to `digits` if given."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return float(f"{value:.{digits}g}") if digits else value
    if isinstance(value, list | tuple):
        return tuple(_plain(v, digits) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _plain(v, digits)) for k, v in value.items()))
    return value


def _same(a, b) -> bool:
    """Equal, but for the last bits of a DOUBLE: DuckDB sums doubles in parallel, in no fixed
    order, so a sum may differ from run to run by an ulp or two."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def publication_tables(db: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table of a published database: its columns and its rows, ordered by every column."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "order by table_schema, table_name").fetchall()]
        tables = {}
        for name in names:
            cursor = con.execute(f"select * from {name} order by all")
            columns = [d[0] for d in cursor.description]
            tables[name] = (columns, [_plain(r) for r in cursor.fetchall()])
        return tables
    finally:
        con.close()


def compare_publications(got: Path, expected: Path) -> tuple[list[str], int]:
    """Differences between two published databases, table by table and row by row (in the
    order of all their columns), and how many expected rows `got` lacks."""
    left, right = publication_tables(got), publication_tables(expected)
    problems = []
    lost = 0
    if set(left) != set(right):
        problems.append(f"tables differ: only in got {sorted(set(left) - set(right))}, "
                        f"only in expected {sorted(set(right) - set(left))}")
    for name in sorted(set(left) & set(right)):
        (got_cols, got_rows), (exp_cols, exp_rows) = left[name], right[name]
        if got_cols != exp_cols:
            problems.append(f"{name}: columns {got_cols} != {exp_cols}")
            continue
        missing = Counter(_plain(r, 10) for r in exp_rows) - Counter(_plain(r, 10)
                                                                       for r in got_rows)
        lost += sum(missing.values())
        differing = [i for i, (a, b) in enumerate(zip(got_rows, exp_rows, strict=False))
                     if not _same(a, b)]
        if differing or len(got_rows) != len(exp_rows):
            problems.append(f"{name}: {len(got_rows)} rows, expected {len(exp_rows)}; "
                            f"{len(differing)} differ, the first at row "
                            f"{differing[0] if differing else min(len(got_rows), len(exp_rows))}")
    return problems, lost


def landing_manifests(landing: Path) -> dict[tuple[str, str], dict]:
    """Every complete landed snapshot: (dataset, snapshot id) → its manifest."""
    found = {}
    for path in landing.glob("*/*/period=*/snapshot=*/manifest.json"):
        manifest = json.loads(path.read_text())
        found[(manifest["dataset"], manifest["snapshot_id"])] = manifest
    return found


def hidden_leftovers(landing: Path) -> list[Path]:
    return sorted(landing.glob("*/*/period=*/.tmp-*"))


def visible_entries(landing: Path) -> list[Path]:
    """What a reader lists in the landing area's period folders (hidden temporaries aside)."""
    return sorted(p for p in landing.glob("*/*/period=*/*") if not p.name.startswith("."))


def tokens_in(paths: list[Path], tokens: dict[str, str]) -> list[str]:
    """'<file>: <source> token' for every file (text or binary) holding a token."""
    hits = []
    needles = {source: token.encode() for source, token in tokens.items()}
    for path in paths:
        if not path.is_file():
            continue
        data = path.read_bytes()
        hits += [f"{path}: {source} token" for source, needle in needles.items()
                 if needle in data]
    return hits


def every_file(*roots: Path) -> list[Path]:
    files = []
    for root in roots:
        files += [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else [root]
    return files


def session_tokens(stamp: str) -> dict[str, str]:
    """Recognisable tokens, one per source, new each session."""
    return {s: f"FAULT-{s}-secret-{stamp}-{s[::-1]}" for s in SOURCES}
