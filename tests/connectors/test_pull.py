"""Connectors against the simulated sources on 127.0.0.1: faults, completeness, landing."""

from __future__ import annotations

import json
import logging
import time

import pytest

from connectors.errors import AuthRejected, IncompletePull, TransientFailure
from connectors.http import FeedClient, RetryPolicy
from connectors.landing import EXTRA, NONSTRING, RECORD_NO, period_dir, read_snapshot
from connectors.pull import pull, pull_period
from mujun.datasets import DATASETS
from mujun.periods import Period
from mujun.settings import Settings
from mujun.simulate.server import FeedServer
from tests.conftest import YEAR, write_county

FAST = RetryPolicy(attempts=5, backoff_seconds=0.01, backoff_max_seconds=0.05,
                   read_timeout=1.0)
PAYMENTS = DATASETS["tax.payments"]


def client(server, tokens, source="tax", policy=FAST):
    return FeedClient(server.url, tokens[source], policy)


def landed_dirs(root, dataset=PAYMENTS):
    folder = period_dir(root, dataset, str(YEAR))
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def pull_with(tiny_county, tokens, tmp_path, faults, limit=5):
    with FeedServer(tiny_county, tokens, faults=faults) as srv:
        return pull(client(srv, tokens), PAYMENTS, Period(YEAR), tmp_path / "landing", limit)


def test_pull_lands_every_dataset_with_a_manifest(tiny_county, tokens, tmp_path):
    env = {f"MUJUN_{s.upper()}_TOKEN": t for s, t in tokens.items()}
    env["MUJUN_HOME"] = str(tmp_path / "home")
    with FeedServer(tiny_county, tokens) as srv:
        env |= {f"MUJUN_{s.upper()}_URL": srv.url for s in tokens}
        results = pull_period(Settings.from_env(env), Period(YEAR))
    assert len(results) == 15 == len({r.dataset for r in results})
    for result in results:
        manifest = json.loads((result.path / "manifest.json").read_text())
        assert manifest["records"] == manifest["total"] == result.records
        assert manifest["dataset"] == result.dataset and manifest["period"] == str(YEAR)
        assert result.path.name == f"snapshot={manifest['snapshot_id']}"
        table = read_snapshot(result.path)
        assert table.num_rows == manifest["records"]
        dataset = DATASETS[result.dataset]
        assert table.column_names[: len(dataset.fields)] == list(dataset.fields)
        assert table[RECORD_NO].to_pylist() == list(range(table.num_rows))
        assert manifest["files"][0]["sha256"] and len(manifest["sha256"]) == 64
    assert "tok-" not in json.dumps([r.path.as_posix() for r in results])


def test_429_then_success_honours_retry_after(tiny_county, tokens, tmp_path):
    started = time.perf_counter()
    result = pull_with(tiny_county, tokens, tmp_path, "429:at=2:retry_after=1")
    assert time.perf_counter() - started >= 1.0  # the server asked for a second
    assert result.status == "landed" and result.records == 23


def test_503_burst_is_retried(tiny_county, tokens, tmp_path):
    result = pull_with(tiny_county, tokens, tmp_path, "503:at=1:count=3,502:at=4,500:at=6")
    assert result.records == 23


def test_a_burst_longer_than_the_retries_fails_landing_nothing(tiny_county, tokens, tmp_path):
    with pytest.raises(TransientFailure):
        pull_with(tiny_county, tokens, tmp_path, "503:at=2:count=50")
    assert landed_dirs(tmp_path / "landing") == []


def test_410_mid_pull_restarts_from_the_first_page(tiny_county, tokens, tmp_path):
    result = pull_with(tiny_county, tokens, tmp_path, "410:at=3")
    assert result.records == 23
    table = read_snapshot(result.path)
    assert table["voucher_id"].to_pylist() == [f"voucher_id-{i}" for i in range(23)]


def test_short_page_fails_and_lands_nothing(tiny_county, tokens, tmp_path):
    with pytest.raises(IncompletePull, match="received 22 records, the source's total is 23"):
        pull_with(tiny_county, tokens, tmp_path, "short:at=2")
    assert landed_dirs(tmp_path / "landing") == []  # no snapshot, no temporary folder


def test_dropped_connection_mid_body_is_retried(tiny_county, tokens, tmp_path):
    assert pull_with(tiny_county, tokens, tmp_path, "drop:at=2").records == 23


def test_timeout_is_retried(tiny_county, tokens, tmp_path):
    assert pull_with(tiny_county, tokens, tmp_path, "slow:at=2:seconds=2").records == 23


def test_re_pull_of_a_landed_snapshot_does_nothing(tiny_county, tokens, tmp_path):
    first = pull_with(tiny_county, tokens, tmp_path, None)
    before = {p.name: p.stat().st_mtime_ns for p in first.path.iterdir()}
    second = pull_with(tiny_county, tokens, tmp_path, None)
    assert (first.status, second.status) == ("landed", "already_landed")
    assert second.path == first.path
    assert {p.name: p.stat().st_mtime_ns for p in second.path.iterdir()} == before


def test_a_redelivery_lands_beside_the_first(tmp_path, tokens):
    root = write_county(tmp_path / "c", redeliveries={"tax.payments": 30})
    from datetime import datetime
    meta = json.loads((root / "simulation.json").read_text())
    delivered = datetime.strptime(meta["redeliveries"][0]["delivered_at"], "%Y%m%dT%H%M")
    landing = tmp_path / "landing"
    with FeedServer(root, tokens, as_of=delivered.replace(hour=9)) as srv:
        old = pull(client(srv, tokens), PAYMENTS, Period(YEAR), landing)
    with FeedServer(root, tokens) as srv:
        new = pull(client(srv, tokens), PAYMENTS, Period(YEAR), landing)
    assert new.snapshot_id > old.snapshot_id
    assert landed_dirs(landing) == [f"snapshot={old.snapshot_id}", f"snapshot={new.snapshot_id}"]
    assert (old.records, new.records) == (23, 30)


def test_records_are_landed_as_delivered(tiny_county, tokens, tmp_path):
    result = pull_with(tiny_county, tokens, tmp_path, None)
    table = read_snapshot(result.path)
    assert table[NONSTRING].null_count == table.num_rows
    assert table[EXTRA].null_count == table.num_rows


def test_non_string_values_are_kept_and_flagged(tmp_path):
    from connectors.landing import LandingWriter
    writer = LandingWriter(tmp_path, PAYMENTS, "2024")
    writer.write([{"voucher_id": "v1", "uscc": "x", "month": "2024-01", "tax_type": "VAT",
                   "amount_yuan": 12.5, "surprise": [1]}])
    landed = writer.commit(snapshot_id="tax-2024-20250101T0000", total=1, base_url="http://x")
    row = read_snapshot(landed.path).to_pylist()[0]
    assert row["amount_yuan"] == "12.5" and row[NONSTRING] == "amount_yuan"
    assert json.loads(row[EXTRA]) == {"surprise": [1]}


def test_token_never_reaches_logs_or_errors(tiny_county, tokens, tmp_path, caplog, capsys):
    from mujun.logs import configure_logging
    configure_logging(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    bad = dict(tokens, tax="wrong-token-0123456789")
    with FeedServer(tiny_county, tokens, faults="429:at=1:retry_after=0,drop:at=2") as srv:
        pull(client(srv, tokens), PAYMENTS, Period(YEAR), tmp_path / "landing", limit=5)
        with pytest.raises(AuthRejected) as rejected:
            pull(FeedClient(srv.url, bad["tax"], FAST), PAYMENTS, Period(YEAR),
                 tmp_path / "landing2")
    captured = capsys.readouterr()
    text = caplog.text + captured.out + captured.err + str(rejected.value)
    for token in [*tokens.values(), bad["tax"]]:
        assert token not in text
    assert "landed" in caplog.text
