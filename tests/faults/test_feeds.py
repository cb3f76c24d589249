"""Feed faults: what the sources do wrong, and what lands.

tests/connectors/test_pull.py checks each fault on 23 records in pages of 5. Here every
fault hits a real-sized simulated dataset (3,000 payments, CJK text, cosmetic codes) in
pages of 500, and what lands must equal, record by record, what a clean pull lands;
then all transient faults at once through `mujun serve` and `mujun pull` with the
product's own retry policy; then redeliveries through a whole evaluation; then two
things a source outside the project could send.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from connectors.errors import FeedError, IncompletePull
from connectors.http import FeedClient, RetryPolicy
from connectors.landing import read_manifest, read_snapshot
from connectors.pull import pull, pull_period
from mujun.datasets import DATASETS
from mujun.periods import Period
from mujun.settings import Settings
from mujun.simulate.faults import FaultPlan
from mujun.simulate.server import FeedServer
from tests.faults import harness as H
from tests.faults.conftest import YEAR

pytestmark = pytest.mark.faults

PAYMENTS = DATASETS["tax.payments"]
LIMIT = 500
FAST = RetryPolicy(attempts=6, backoff_seconds=0.01, backoff_max_seconds=0.05,
                   connect_timeout=2.0, read_timeout=1.0)


def pull_under(county: Path, tokens: dict, landing: Path, spec: str | None):
    """Pull tax.payments for 2024 from a server injecting `spec`; (result or error, plan, s)."""
    plan = FaultPlan.parse(spec)
    started = time.perf_counter()
    with FeedServer(county, tokens, faults=plan) as server:
        client = FeedClient(server.url, tokens["tax"], FAST)
        try:
            outcome = pull(client, PAYMENTS, Period(YEAR), landing, limit=LIMIT)
        except FeedError as exc:
            outcome = exc
        finally:
            client.close()
    return outcome, plan, time.perf_counter() - started


@pytest.fixture(scope="module")
def clean(county, tokens, tmp_path_factory):
    """What a pull without faults lands: the snapshot's records in delivery order."""
    result, _, _ = pull_under(county, tokens, tmp_path_factory.mktemp("clean") / "landing", None)
    assert result.status == "landed" and result.records > 5 * LIMIT
    return result, read_snapshot(result.path).to_pylist()


def rows_lost(landed: list[dict], expected: list[dict]) -> int:
    """Records of the clean pull missing from (or altered in) what landed."""
    got = {json.dumps(r, sort_keys=True, ensure_ascii=False) for r in landed}
    return sum(json.dumps(r, sort_keys=True, ensure_ascii=False) not in got for r in expected)


def assert_lands_as_clean(result, landing: Path, clean_rows: list[dict]) -> int:
    landed = read_snapshot(result.path).to_pylist()
    manifest = read_manifest(result.path)
    lost = rows_lost(landed, clean_rows)
    assert lost == 0 and landed == clean_rows
    assert manifest["records"] == manifest["total"] == len(clean_rows)
    assert H.hidden_leftovers(landing) == []
    assert [p.name for p in H.visible_entries(landing)] == [result.path.name]
    return lost


RECOVERED = [
    ("feed: 429 with Retry-After", "429:every=4:retry_after=1"),
    ("feed: 500/502/503 bursts", "503:at=2:count=3,502:at=7:count=2,500:at=11:count=4"),
    ("feed: a timeout (answer later than the read timeout)", "slow:at=3:seconds=3"),
    ("feed: 410 mid-pull (the cursor's snapshot expired)", "410:at=4"),
    ("feed: a connection dropped mid-body", "drop:at=3"),
]


@pytest.mark.parametrize(("name", "spec"), RECOVERED, ids=[s for _, s in RECOVERED])
def test_a_transient_fault_lands_what_a_clean_pull_lands(name, spec, county, tokens, tmp_path,
                                                         clean, fault):
    entry = fault(name)
    result, plan, seconds = pull_under(county, tokens, tmp_path / "landing", spec)
    assert not isinstance(result, Exception), f"{spec}: {result!r}"
    assert all(f.fired >= 1 for f in plan.faults), f"{spec} never fired"
    assert result.snapshot_id == clean[0].snapshot_id
    entry.rows_lost = assert_lands_as_clean(result, tmp_path / "landing", clean[1])
    if spec.startswith("429"):
        limited = plan.faults[0].fired
        assert seconds >= limited * 1.0, f"{limited} Retry-After: 1 honoured in {seconds:.2f} s"


def test_a_short_page_lands_nothing_and_a_re_pull_lands_it_whole(county, tokens, tmp_path,
                                                                 clean, fault):
    entry = fault("feed: a short page (one record missing)")
    landing = tmp_path / "landing"
    failed, plan, _ = pull_under(county, tokens, landing, "short:at=3")
    assert plan.faults[0].fired == 1
    assert isinstance(failed, IncompletePull), repr(failed)
    assert H.visible_entries(landing) == [] and H.hidden_leftovers(landing) == []
    again, _, _ = pull_under(county, tokens, landing, None)
    entry.rows_lost = assert_lands_as_clean(again, landing, clean[1])


def test_every_transient_fault_at_once_through_mujun_pull(county, tokens, tmp_path, fault):
    """`mujun pull` with the product's own retry policy, every dataset, every fault at once."""
    entry = fault("feed: 429, 5xx bursts and a dropped body at once (mujun pull)")
    with FeedServer(county, tokens) as server:  # the clean landing to compare with
        pull_period(Settings.from_env(H.env_for(tmp_path / "clean", tokens, server.url)),
                    Period(YEAR))
    expected = H.landing_manifests(tmp_path / "clean" / "landing")
    home = tmp_path / "home"
    plan = FaultPlan.parse("429:every=9:retry_after=1,503:at=2:count=2,502:at=6,500:at=11,"
                           "drop:at=13")
    with FeedServer(county, tokens, faults=plan) as server:
        proc = H.run(["pull", "--period", str(YEAR)], H.env_for(home, tokens, server.url),
                     tmp_path / "logs", "pull")
    assert proc.popen.returncode == 0, proc.describe()
    assert all(f.fired >= 1 for f in plan.faults), [(f.kind, f.fired) for f in plan.faults]
    got = H.landing_manifests(home / "landing")
    assert set(got) == set(expected)
    entry.rows_lost = sum(expected[k]["records"] - got[k]["records"] for k in expected)
    assert entry.rows_lost == 0
    assert {k: m["sha256"] for k, m in got.items()} == {k: m["sha256"] for k, m in expected.items()}
    assert H.hidden_leftovers(home / "landing") == []


# --- redeliveries, through whole evaluations --------------------------------------------------

def payments_folder(served) -> Path:
    return served.landing / "tax" / "payments" / f"period={YEAR}"


def hashed(home: Path, value: str) -> str:
    """The published keyed hash of a voucher id (mujun.publish.keyed_hash_sql)."""
    key = (home / "secrets" / "publish.key").read_text().strip()
    return "h:" + hashlib.sha256((key + value).encode()).hexdigest()[:16]


def traced_payments(publication: Path) -> dict[str, float]:
    con = duckdb.connect(str(publication / "mujun.duckdb"), read_only=True)
    try:
        rows = con.execute("select record_key, sum(amount) from audit.evaluation_trace "
                           "where dataset = 'tax.payments' and figure = 'tax_paid_wan' "
                           "group by record_key").fetchall()
    finally:
        con.close()
    return dict(rows)


def test_a_corrected_redelivery_counts_and_the_old_snapshot_stays(served, fault):
    entry = fault("feed: a snapshot re-delivered with corrections")
    folders = sorted(payments_folder(served).glob("snapshot=*"))
    assert len(folders) == 2, folders
    old, new = (f.name.removeprefix("snapshot=") for f in folders)
    assert new > old
    # the old one stays on disk, untouched
    assert {folders[0].name: H.fingerprint(folders[0])} == served.old_payments
    first, second = (H.read_record(served.home, served.run_ids[k])
                     for k in ("run-first", "run-second"))
    assert first["snapshots"]["tax.payments"] == [old]
    assert second["snapshots"]["tax.payments"] == [new]
    assert second["status"] == "published"
    # ... and in lineage: the first run's events name it, the second run's name the new one
    for run_id, present, absent in [(first["run_id"], old, new), (second["run_id"], new, old)]:
        events = (served.home / "runs" / run_id / "lineage" / "openlineage.jsonl").read_text()
        assert f"tax.payments/period={YEAR}/snapshot={present}" in events
        assert f"tax.payments/period={YEAR}/snapshot={absent}" not in events
    kept = served.home / "publications" / first["run_id"] / "lineage" / "openlineage.jsonl"
    assert f"tax.payments/period={YEAR}/snapshot={old}" in kept.read_text()

    # the new one counts: reconciliation, and every corrected, added, withdrawn voucher
    con = duckdb.connect(str(served.home / "published" / "mujun.duckdb"), read_only=True)
    (snapshot, landed, staged, quarantined), = con.execute(
        "select snapshot_id, landed, staged, quarantined from audit.reconciliation "
        "where item = 'records' and dataset = 'tax.payments'").fetchall()
    con.close()
    new_rows = read_snapshot(folders[1]).to_pylist()
    assert snapshot == new and landed == len(new_rows)
    entry.rows_lost = landed - staged - quarantined
    assert entry.rows_lost == 0

    def by_voucher(rows):
        found: dict[str, dict] = {}
        for r in rows:
            found.setdefault(r["voucher_id"], r)
        return found

    before, after = by_voucher(read_snapshot(folders[0]).to_pylist()), by_voucher(new_rows)
    corrected = [v for v in before.keys() & after.keys()
                 if before[v]["amount_yuan"] != after[v]["amount_yuan"]]
    added, withdrawn = after.keys() - before.keys(), before.keys() - after.keys()
    assert corrected and added and withdrawn, "the simulator's redelivery changed nothing"
    now = traced_payments(served.home / "published")
    then = traced_payments(served.home / "publications" / first["run_id"])
    for voucher in corrected:
        if hashed(served.home, voucher) in then:  # a valid record, so it is traced
            assert now[hashed(served.home, voucher)] == pytest.approx(
                float(after[voucher]["amount_yuan"]) / 10000, abs=1e-6)
            assert then[hashed(served.home, voucher)] == pytest.approx(
                float(before[voucher]["amount_yuan"]) / 10000, abs=1e-6)
    assert all(hashed(served.home, v) not in now for v in withdrawn)
    assert any(hashed(served.home, v) in now for v in added)


def test_the_same_snapshot_delivered_twice_lands_once(served, fault):
    entry = fault("feed: the same snapshot delivered twice")
    assert served.procs["pull-again"].err().count("already landed") == len(DATASETS)
    assert served.landing_after_again == served.landing_before_again  # nothing written again
    manifests = H.landing_manifests(served.landing)
    assert len(manifests) == len(DATASETS) + 1  # + the redelivered payments
    con = duckdb.connect(str(served.home / "published" / "mujun.duckdb"), read_only=True)
    rows = con.execute("select dataset, snapshot_id, landed, staged, quarantined "
                       "from audit.reconciliation where item = 'records'").fetchall()
    con.close()
    assert len({r[0] for r in rows}) == len(rows)  # one snapshot per dataset, read once
    entry.rows_lost = sum(manifests[(d, s)]["records"] - landed for d, s, landed, _, _ in rows) \
        + sum(landed - staged - quarantined for _, _, landed, staged, quarantined in rows)
    assert entry.rows_lost == 0


# --- what a source outside the project could send ---------------------------------------------

class CannedSource:
    """A source that answers every request with one fixed page."""

    def __init__(self) -> None:
        self.page: dict = {}
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                payload = json.dumps(canned.page).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def answer(self, snapshot_id: str, records: list) -> None:
        self.page = {"dataset": "tax.payments", "period": str(YEAR), "schema_version": 1,
                     "snapshot_id": snapshot_id, "total": len(records), "records": records,
                     "next_cursor": None}

    def pull(self, landing: Path):
        client = FeedClient(self.url, "canned-token", FAST)
        try:
            return pull(client, PAYMENTS, Period(YEAR), landing)
        finally:
            client.close()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def canned():
    source = CannedSource()
    yield source
    source.close()


def test_a_record_that_is_not_an_object_fails_the_pull_as_a_feed_error(canned, tmp_path,
                                                                        fault):
    fault("feed: a record that is not a JSON object")
    canned.answer(f"tax-{YEAR}-20250101T0000", [{"voucher_id": "V1"}, ["V2"], 3])
    with pytest.raises(FeedError):
        canned.pull(tmp_path / "landing")
    assert H.visible_entries(tmp_path / "landing") == []


def test_a_snapshot_id_that_is_a_path_lands_nothing_outside_landing(canned, tmp_path, fault):
    fault("feed: a snapshot id that climbs out of landing/")
    landing = tmp_path / "home" / "landing"
    legit = f"tax-{YEAR}-20250101T0000"
    canned.answer(legit, [{"voucher_id": "V1"}])
    canned.pull(landing)
    canned.answer(legit + "/../../../../../../escaped", [{"voucher_id": "V2"}])
    with contextlib.suppress(FeedError):  # refusing it is the right answer
        canned.pull(landing)
    outside = [p for p in tmp_path.rglob("*") if landing not in p.parents and p != landing
               and p not in landing.parents]
    assert outside == [], f"written outside the landing area: {outside}"
