"""Run records: `runs/<run_id>/run.json` for every run that passed its argument checks.

A run record says what was read (every snapshot, Y−1's included), which gates ran
and how they ended, and whether the run published (marts.md).
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mujun.settings import REPO_ROOT


class RunLocked(RuntimeError):
    """Another run holds the warehouse."""


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def code_version() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=5, check=False)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


@dataclass
class RunRecord:
    run_id: str
    kind: str  # annual | quarterly
    period: str
    rule_pack: str
    started_at: str = field(default_factory=utc_now)
    ended_at: str | None = None
    status: str = "running"  # running | published | failed
    snapshots: dict[str, list[str]] = field(default_factory=dict)
    gates: list[dict] = field(default_factory=list)
    stages: list[dict] = field(default_factory=list)
    error: str | None = None
    code_version: str = field(default_factory=code_version)
    publication: str | None = None
    params: dict = field(default_factory=dict)
    inputs: list[dict] = field(default_factory=list)

    @classmethod
    def new(cls, kind: str, period: str, rule_pack: str) -> RunRecord:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        return cls(f"{stamp}-{kind}-{period}-{rule_pack}-{uuid.uuid4().hex[:6]}", kind,
                   period, rule_pack)

    @classmethod
    def load(cls, home: Path, run_id: str) -> RunRecord:
        path = home / "runs" / run_id / "run.json"
        if not path.exists():
            raise FileNotFoundError(f"no run {run_id!r} under {home / 'runs'}")
        return cls(**json.loads(path.read_text()))

    def folder(self, home: Path) -> Path:
        return home / "runs" / self.run_id

    def save(self, home: Path) -> Path:
        folder = self.folder(home)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "run.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2, default=str))
        os.replace(tmp, path)
        return path


def close_abandoned(home: Path, found_by: str) -> list[str]:
    """Mark failed every run record still `running`: call under the warehouse lock with no
    lease held, when no run can be running, so each such record is of a run that was
    killed before it could say how it ended. Returns their run ids."""
    closed = []
    for path in sorted((home / "runs").glob("*/run.json")):
        data = json.loads(path.read_text())
        if data.get("status") != "running":
            continue
        record = RunRecord(**data)
        record.status = "failed"
        record.ended_at = record.ended_at or utc_now()
        record.error = (f"abandoned: the run stopped before it ended (its process was "
                        f"killed?); found by run {found_by}")
        record.save(home)
        closed.append(record.run_id)
    return closed


@contextmanager
def warehouse_lock(home: Path, wait_seconds: float = 0.0):
    """One run at a time per warehouse: a second one waits up to `wait_seconds`, then refuses."""
    home.mkdir(parents=True, exist_ok=True)
    handle = open(home / "run.lock", "a+")  # noqa: SIM115 - held for the with-block
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RunLocked(f"another run holds {home / 'run.lock'}; "
                                    "try again when it has finished") from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


LEASE_FILE = "airflow-run.lease"

# The warehouse lease: which evaluation run owns the work database between its tasks.
# The lock of mujun.runs is held by one process for one step; the lease spans a run's
# tasks. It is free when absent, released, or its run is no longer running (published
# or failed).


def lease_holder(where: Path) -> str | None:
    path = where / LEASE_FILE
    if not path.exists():
        return None
    run_id = json.loads(path.read_text()).get("run_id")
    run_json = where / "runs" / str(run_id) / "run.json"
    if not run_json.exists():
        return None
    status = json.loads(run_json.read_text()).get("status")
    return run_id if status == "running" else None


def claim_lease(where: Path, run_id: str) -> None:
    """Hold the lease for `run_id` (call under the warehouse lock), or raise WarehouseBusy."""
    holder = lease_holder(where)
    if holder is not None and holder != run_id:
        raise RunLocked(f"run {holder} has taken the work database since run {run_id} "
                            "started: start a new run")
    if holder is None:
        _write_lease(where, run_id)


def _write_lease(where: Path, run_id: str) -> None:
    path = where / LEASE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"run_id": run_id,
                               "claimed_at": datetime.now(UTC).isoformat(timespec="seconds")}))
    os.replace(tmp, path)


def release_lease(where: Path, run_id: str) -> None:
    path = where / LEASE_FILE
    if path.exists() and json.loads(path.read_text()).get("run_id") == run_id:
        path.unlink(missing_ok=True)
