"""The fault suite's ledger and shared scenarios.

Every test names the fault(s) it tries with the `fault` fixture; the outcome of the
test decides whether the warehouse survived it (an xfail is a known product bug, so:
no). At the end of the session the ledger is printed as a table and written to
tests/artefacts/faults.md.

Shared scenarios (session-scoped, built once, used by several test files):

- `county`: a simulated county of 60 enterprises, 2024 only, with one redelivery.
- `served`: that county served by `mujun serve`, pulled by `mujun pull`, evaluated by
  `mujun run` (all subprocesses with recognisable tokens); then the same snapshots
  delivered again, then the redelivery pulled and evaluated again. `pristine` is a copy
  of the warehouse right after the first run: the clean run the kill tests compare with.
- `hostile_runs`: hand-built counties full of malformed records, each evaluated by
  `mujun run` (the runs in parallel).

The two slow ones start in the background before the first test when the session
needs them, side by side; every process the suite starts is SIGKILLed (by pid) at the
session's end if it still runs.
"""

from __future__ import annotations

import json
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.faults import harness as H
from tests.faults import hostile

ARTEFACT = H.REPO / "tests" / "artefacts" / "faults.md"
YEAR = 2024
SERVED_PACK = str(H.PACKS / "truth-method.yml")
HOSTILE_PACK = str(H.PACKS / "golden-ratio.yml")


# --- the ledger ---------------------------------------------------------------------------

@dataclass
class Entry:
    fault: str
    rows_lost: int | None = None
    outcome: str | None = None  # passed, failed, xfailed, xpassed, skipped


LEDGER: list[Entry] = []
_ENTRIES = pytest.StashKey[list]()


class FaultRecorder:
    def __init__(self, entries: list[Entry]) -> None:
        self._entries = entries

    def __call__(self, name: str, rows_lost: int | None = None) -> Entry:
        entry = Entry(name, rows_lost)
        self._entries.append(entry)
        LEDGER.append(entry)
        return entry


@pytest.fixture
def fault(request) -> FaultRecorder:
    """`fault("name")` records a fault this test tries; set `.rows_lost` once counted."""
    entries: list[Entry] = []
    request.node.stash[_ENTRIES] = entries
    return FaultRecorder(entries)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    entries = item.stash.get(_ENTRIES, [])
    if not entries and report.when == "setup" and report.failed:
        # the test never got to name its fault: the table still shows it, by test id
        entries = [FaultRecorder(item.stash.setdefault(_ENTRIES, []))(
            f"{item.name} (setup failed)")]
    if not entries or not (report.when == "call" or report.failed or report.skipped):
        return
    if hasattr(report, "wasxfail"):
        state = "xpassed" if report.passed else "xfailed"
    else:
        state = report.outcome
    for entry in entries:
        if entry.outcome in (None, "passed"):
            entry.outcome = state


SURVIVED = {"passed": "yes", "failed": "NO", "xfailed": "no (known bug, xfail)",
            "xpassed": "yes (xfail fixed?)", "skipped": "skipped"}


def ledger_table() -> list[str]:
    tried = [e for e in LEDGER if e.outcome]
    width = max([len(e.fault) for e in tried] + [5])
    lines = [f"| {'fault'.ljust(width)} | survived               | rows lost |",
             f"|{'-' * (width + 2)}|------------------------|-----------|"]
    for e in tried:
        lost = "—" if e.rows_lost is None else str(e.rows_lost)
        lines.append(f"| {e.fault.ljust(width)} | {SURVIVED[e.outcome].ljust(22)} | "
                     f"{lost.rjust(9)} |")
    survived = sum(e.outcome == "passed" for e in tried)
    lost_total = sum(e.rows_lost or 0 for e in tried)
    lines += ["", f"faults tried: {len(tried)}, survived: {survived}, "
                  f"known bugs (xfail): {sum(e.outcome == 'xfailed' for e in tried)}, "
                  f"failed: {sum(e.outcome == 'failed' for e in tried)}, "
                  f"rows lost: {lost_total}"]
    return lines


def pytest_terminal_summary(terminalreporter):
    if not any(e.outcome for e in LEDGER):
        return
    lines = ledger_table()
    terminalreporter.write_sep("=", "fault injection")
    for line in lines:
        terminalreporter.write_line(line)
    ARTEFACT.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    ARTEFACT.write_text(f"# Fault injection ({stamp})\n\n`pytest -m faults`\n\n"
                        + "\n".join(lines) + "\n")


# --- shared scenarios -----------------------------------------------------------------------

@pytest.fixture(scope="session")
def tokens() -> dict[str, str]:
    return H.session_tokens(secrets.token_hex(6))


@pytest.fixture(scope="session")
def county(tmp_path_factory) -> Path:
    from mujun.simulate.generate import simulate

    root = tmp_path_factory.mktemp("county") / "county"
    simulate(root, seed=1, scale=60, years=(YEAR,))
    return root


def redelivery_time(county: Path) -> datetime:
    meta = json.loads((county / "simulation.json").read_text())
    times = [datetime.strptime(r["delivered_at"], "%Y%m%dT%H%M")
             for r in meta.get("redeliveries", []) if r["dataset"] == "tax.payments"]
    assert times, "the simulated county has no redelivery of tax.payments"
    return min(times)


@dataclass
class Served:
    county: Path
    home: Path
    pristine: Path
    logs: Path
    tokens: dict[str, str]
    procs: dict[str, H.Proc] = field(default_factory=dict)
    run_ids: dict[str, str] = field(default_factory=dict)
    landing_before_again: dict[str, str] = field(default_factory=dict)
    landing_after_again: dict[str, str] = field(default_factory=dict)
    old_payments: dict[str, dict] = field(default_factory=dict)  # folder → file hashes

    @property
    def landing(self) -> Path:
        return self.home / "landing"


def build_served(county: Path, tokens: dict[str, str], root: Path) -> Served:
    """Serve, pull, run; pull the same again; pull the redelivery, run again."""
    s = Served(county, root / "home", root / "pristine", root / "logs", tokens)
    shutil.copytree(county / "reference", s.home / "reference")
    redelivered_at = redelivery_time(county)

    def mujun(name: str, args: list[str], url: str | None) -> H.Proc:
        proc = H.run(args, H.env_for(s.home, tokens, url), s.logs, name)
        s.procs[name] = proc
        assert proc.popen.returncode == 0, f"{name}: {proc.describe()}"
        return proc

    def evaluate(name: str) -> None:
        before = H.run_ids(s.home)
        mujun(name, ["run", "--year", str(YEAR), "--rule-pack", SERVED_PACK], None)
        (s.run_ids[name],) = H.run_ids(s.home) - before

    # deliveries as they stood the minute before the redelivery
    server = H.Server(county, H.env_for(s.home, tokens), s.logs, "serve-before",
                      as_of=redelivered_at - timedelta(minutes=1))
    try:
        mujun("pull-first", ["pull", "--period", str(YEAR)], server.url)
        evaluate("run-first")
        shutil.copytree(s.home, s.pristine, symlinks=True)
        # the same snapshots delivered a second time
        s.landing_before_again = H.landing_files(s.landing)
        mujun("pull-again", ["pull", "--period", str(YEAR)], server.url)
        s.landing_after_again = H.landing_files(s.landing)
        # failures whose messages must not carry a token either
        wrong = H.env_for(s.home, dict(tokens, tax=tokens["tax"] + "-not-it"), server.url)
        for name, args in [("pull-401", ["pull", "--period", str(YEAR), "--source", "tax"]),
                           ("pull-401-debug", ["--debug", "pull", "--period", str(YEAR),
                                               "--source", "tax"])]:
            s.procs[name] = H.run(args, wrong, s.logs, name)
    finally:
        server.stop()
    (old,) = (s.landing / "tax" / "payments" / f"period={YEAR}").glob("snapshot=*")
    s.old_payments = {old.name: H.fingerprint(old)}

    # now with the corrected redelivery of tax.payments
    server = H.Server(county, H.env_for(s.home, tokens), s.logs, "serve-after")
    try:
        mujun("pull-redelivered", ["pull", "--period", str(YEAR)], server.url)
    finally:
        server.stop()
    evaluate("run-second")
    return s


@dataclass
class HostileRun:
    hostile: hostile.Hostile
    home: Path
    proc: H.Proc
    seconds: float


HOSTILE = {"hostile": hostile.hostile_county, "negative": hostile.negative_areas,
           "dates": hostile.impossible_dates, "unit": hostile.missing_unit,
           "geometry": hostile.broken_geometry}


def start_hostile(root: Path) -> dict[str, HostileRun]:
    """Land each hostile county and start its `mujun run`, all at once (not waited for)."""
    started = {}
    for name, build in HOSTILE.items():
        h = build()
        home = root / name
        h.county.land_all(home / "landing")
        if h.county.reference:
            h.county.write_reference(home / "reference")
        proc = H.start(["run", "--year", str(YEAR), "--rule-pack", HOSTILE_PACK],
                       H.env_for(home, {}), root / "logs", name)
        started[name] = HostileRun(h, home, proc, 0.0)
    return started


def finish_hostile(started: dict[str, HostileRun]) -> dict[str, HostileRun]:
    for run in started.values():
        run.proc.wait(timeout=500)
        run.seconds = time.monotonic() - run.proc.started
    return started


class Background(threading.Thread):
    """A scenario built in a thread (its work is in subprocesses): `result()` joins it."""

    def __init__(self, target, *args) -> None:
        super().__init__(daemon=True, name=f"faults-{target.__name__}")
        self._call = (target, args)
        self._value = self._error = None
        self.start()

    def run(self) -> None:
        target, args = self._call
        try:
            self._value = target(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised in result()
            self._error = exc

    def result(self):
        self.join()
        if self._error is not None:
            raise self._error
        return self._value


_EARLY: dict[str, object] = {}


@pytest.fixture(scope="session", autouse=True)
def _start_slow_scenarios_early(request, tmp_path_factory):
    """The served scenario (two runs in a row) and the hostile runs take most of the suite's
    time and do not depend on each other: when the session will need them, both start
    before the first test, side by side, and the tests that need them wait."""
    needed = set().union(*(item.fixturenames for item in request.session.items))
    if "hostile_runs" in needed:
        _EARLY["hostile"] = start_hostile(tmp_path_factory.mktemp("hostile"))
    if "served" in needed:
        _EARLY["served"] = Background(build_served, request.getfixturevalue("county"),
                                      request.getfixturevalue("tokens"),
                                      tmp_path_factory.mktemp("served"))
    yield
    H.end_started()


@pytest.fixture(scope="session")
def served(county, tokens, tmp_path_factory) -> Served:
    job = _EARLY.get("served") or Background(build_served, county, tokens,
                                             tmp_path_factory.mktemp("served"))
    return job.result()


@pytest.fixture(scope="session")
def hostile_runs(tmp_path_factory) -> dict[str, HostileRun]:
    """Each hostile county landed and evaluated by `mujun run` (the runs in parallel)."""
    started = _EARLY.get("hostile") or start_hostile(tmp_path_factory.mktemp("hostile"))
    return finish_hostile(started)
