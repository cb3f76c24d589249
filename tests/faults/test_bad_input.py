"""Bad input: every kind of malformed record the contract lets a source send ends in
quarantine with its reason or passes through as data; never an exception, never a lost
row (landed = staged + quarantined for every dataset).

The counties are in tests/faults/hostile.py; each is landed directly (as GoldenCounty
does) and evaluated by `mujun run` in a subprocess (conftest.hostile_runs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

import duckdb
import pytest

from tests.faults import hostile
from tests.faults.conftest import HostileRun

pytestmark = pytest.mark.faults


@dataclass
class Evaluated:
    run: HostileRun

    @cached_property
    def quarantine(self) -> dict[tuple[str, int], str]:
        with duckdb.connect(str(self.run.home / "published" / "mujun.duckdb"),
                            read_only=True) as con:
            rows = con.execute("select dataset, record_no, reason from audit.quarantine"
                               ).fetchall()
        found: dict[tuple[str, int], str] = {}
        for dataset, record_no, reason in rows:
            assert (dataset, record_no) not in found, f"quarantined twice: {dataset} {record_no}"
            found[(dataset, record_no)] = reason
        return found

    @cached_property
    def reconciliation(self) -> dict[str, tuple[int, int, int]]:
        with duckdb.connect(str(self.run.home / "published" / "mujun.duckdb"),
                            read_only=True) as con:
            rows = con.execute("select dataset, landed, staged, quarantined "
                               "from audit.reconciliation where item = 'records'").fetchall()
        assert len({r[0] for r in rows}) == len(rows)
        return {r[0]: r[1:] for r in rows}

    def staged(self, dataset: str) -> set[int]:
        table = "staging.stg_" + dataset.replace(".", "__")
        with duckdb.connect(str(self.run.home / "work.duckdb"), read_only=True) as con:
            return {r[0] for r in con.execute(f"select _record_no from {table}").fetchall()}

    def fate(self, case: hostile.Case) -> str:
        """The case's quarantine reason, DATA when staged, 'lost' when neither."""
        reason = self.quarantine.get((case.dataset, case.record_no))
        if reason is not None:
            return reason
        return hostile.DATA if case.record_no in self.staged(case.dataset) else "lost"

    def rows_lost(self, datasets: set[str] | None = None) -> int:
        """Records landed but neither staged nor quarantined (or counted wrong)."""
        lost = 0
        for dataset, count in self.run.hostile.landed().items():
            if datasets is not None and dataset not in datasets:
                continue
            landed, staged, quarantined = self.reconciliation.get(dataset, (0, 0, 0))
            lost += abs(count - landed) + abs(landed - staged - quarantined)
        return lost

    def published(self, sql: str, *params) -> list[tuple]:
        with duckdb.connect(str(self.run.home / "published" / "mujun.duckdb"),
                            read_only=True) as con:
            return con.execute(sql, list(params)).fetchall()


def ended_cleanly(run: HostileRun) -> None:
    """`mujun run` published: exit 0, no traceback, no error line."""
    assert run.proc.popen.returncode == 0, run.proc.describe()
    assert "Traceback" not in run.proc.err() and "mujun: error" not in run.proc.err()


@pytest.fixture(scope="module")
def evaluated(hostile_runs) -> Evaluated:
    run = hostile_runs["hostile"]
    ended_cleanly(run)
    return Evaluated(run)


KINDS = ["bad codes", "non-numeric numbers", "unknown units", "dates out of range",
         "duplicate keys", "10 MB strings", "control characters", "SQL metacharacters"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_malformed_record_is_quarantined_with_its_reason_or_passes_as_data(
        kind, evaluated, fault):
    entry = fault(f"input: {kind}")
    cases = [c for c in evaluated.run.hostile.cases if c.kind == kind]
    assert cases
    fates = {c.what: evaluated.fate(c) for c in cases}
    entry.rows_lost = sum(f == "lost" for f in fates.values()) \
        + evaluated.rows_lost({c.dataset for c in cases})
    assert fates == {c.what: c.expect for c in cases}
    assert entry.rows_lost == 0


def test_landed_equals_staged_plus_quarantined_for_every_dataset(evaluated, fault):
    entry = fault("input: all kinds in one county (landed = staged + quarantined)")
    landed = evaluated.run.hostile.landed()
    assert set(landed) <= set(evaluated.reconciliation)
    entry.rows_lost = evaluated.rows_lost()
    assert {d: evaluated.reconciliation[d][0] for d in landed} == landed
    assert all(row[0] == row[1] + row[2] for row in evaluated.reconciliation.values())
    assert entry.rows_lost == 0


def test_every_snapshot_read_has_its_reconciliation_row(evaluated, fault):
    entry = fault("input: an empty snapshot is reconciled too (a row per snapshot read)")
    record = json.loads((evaluated.run.home / "published" / "run.json").read_text())
    read = {(d, s) for d, ids in record["snapshots"].items() for s in ids}
    rows = set(evaluated.published("select dataset, snapshot_id from audit.reconciliation "
                                   "where item = 'records'"))
    entry.rows_lost = 0
    assert rows == read, f"no row for {sorted(read - rows)}"


def test_data_with_hostile_text_arrives_unchanged(evaluated):
    names = dict(evaluated.published(
        "select uscc, enterprise_name from marts.enterprise_evaluation"))
    assert names[hostile.uscc(406)] == hostile.CONTROL
    assert names[hostile.uscc(407)] == hostile.SQL_NAME
    assert names[hostile.uscc(405)] == hostile.BIG_TEXT
    areas = {r[0] for r in evaluated.published("select area_code from marts.region_indicators")}
    assert {"all", "330211001"} <= areas
    tables = {r[0] for r in evaluated.published(
        "select table_schema || '.' || table_name from information_schema.tables")}
    assert {"marts.enterprise_evaluation", "audit.quarantine"} <= tables  # nothing dropped
    assert not list(evaluated.run.home.rglob("pwned.csv"))  # nothing executed


def run_stopping(name: str, hostile_runs, fault) -> None:
    """A county whose malformed records stopped the run (see the xfail reasons)."""
    run = hostile_runs[name]
    kind = run.hostile.cases[0].kind
    entry = fault(f"input: {kind}")
    ended_cleanly(run)
    evaluated = Evaluated(run)
    fates = {c.what: evaluated.fate(c) for c in run.hostile.cases}
    entry.rows_lost = sum(f == "lost" for f in fates.values()) + evaluated.rows_lost()
    for case in run.hostile.cases:
        if case.expect == "?":  # quarantined for some reason, or staged: anything but lost
            assert fates[case.what] != "lost", case.what
        else:
            assert fates[case.what] == case.expect, case.what
    assert entry.rows_lost == 0


def test_negative_areas_are_quarantined_or_pass(hostile_runs, fault):
    run_stopping("negative", hostile_runs, fault)


def test_impossible_calendar_dates_are_quarantined(hostile_runs, fault):
    run_stopping("dates", hostile_runs, fault)


def test_a_record_without_a_unit_is_quarantined_as_unknown_unit(hostile_runs, fault):
    run_stopping("unit", hostile_runs, fault)


def test_a_geometry_that_is_not_geojson_is_quarantined_or_passes(hostile_runs, fault):
    run_stopping("geometry", hostile_runs, fault)
