"""Secrets: the five feed tokens appear in no artefact of a run.

The served scenario (conftest.served) ran `mujun serve`, three `mujun pull`s, two
`mujun run`s and two pulls that failed on a wrong token (one with --debug, so with a
traceback), every process with all five recognisable tokens in its environment. Every
byte they wrote is searched: their stdout and stderr, and every file under both
warehouses (landing manifests, run records, publications with their Parquet, docs and
lineage events, dbt's logs and target, GX's folders, the work database).
"""

from __future__ import annotations

import pytest

from tests.faults import harness as H

pytestmark = pytest.mark.faults


def test_no_token_in_any_artefact_of_a_run(served, fault):
    entry = fault("secrets: tokens in logs, run records, publications, lineage, errors")
    home = served.home
    covered = {
        "process logs": list(served.logs.glob("*.err")),
        "landing manifests": list(home.glob("landing/*/*/period=*/snapshot=*/manifest.json")),
        "run records": list(home.glob("runs/*/run.json")),
        "publications": list(home.glob("publications/*/mujun.duckdb")),
        "published Parquet": list(home.glob("publications/*/parquet/*.parquet")),
        "lineage events": list(home.glob("runs/*/lineage/*.jsonl"))
        + list(home.glob("publications/*/lineage/*.jsonl")),
        "dbt logs": list(home.glob("dbt/logs/*")),
        "GX folders": [p for p in home.glob("runs/*/gx/**/*") if p.is_file()],
        "Data Docs": [p for p in home.glob("publications/*/docs/**/*") if p.is_file()],
    }
    assert all(covered.values()), [k for k, v in covered.items() if not v]
    files = H.every_file(served.home, served.pristine, served.logs)
    hits = H.tokens_in(files, served.tokens)
    assert hits == []
    entry.rows_lost = 0


def test_a_rejected_token_fails_with_one_line_and_no_token(served, fault):
    fault("secrets: a wrong token (401) with and without --debug")
    plain, debug = served.procs["pull-401"], served.procs["pull-401-debug"]
    assert plain.popen.returncode == 1 and debug.popen.returncode == 1
    errors = [line for line in plain.err().splitlines() if line.startswith("mujun: error:")]
    assert len(errors) == 1 and "401" in errors[0]
    assert "Traceback" in debug.err() or "AuthRejected" in debug.err()
    wrong = served.tokens["tax"] + "-not-it"
    for proc in (plain, debug):
        text = proc.out() + proc.err()
        assert wrong not in text
        assert not [s for s, t in served.tokens.items() if t in text]
