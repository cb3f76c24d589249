"""SIGKILL in every stage, then run again; two runs at once.

A pull killed while it lands a snapshot leaves no partial snapshot in sight, and a re-pull
lands it. For runs, one warehouse (a copy of the served county's right after its clean
first run, so its publication is the clean one) goes through, in order:

1. a run killed while dbt builds the staging models (found by polling run.json),
2. a run killed in the staging gate (polling run.json every 20 ms: the gate takes ~1 s),
3. a run frozen in publish once the new database is built in its hidden folder, then
   killed; while it holds the warehouse two more runs are started: one refuses at once,
   one waits (`--wait 2`) and then refuses,
4. a run frozen in publish after its folder is renamed in, before the `published` link is
   swapped, then killed,
5. two runs started at the same moment: one refuses, the other publishes.

Each run after a kill is the "run again" of the kill before it: it has to get past the
stage its predecessor died in. After every kill a reader sees exactly the clean
publication; at the end, the new publication equals the clean run's, table by table and
row by row. Publish lasts well under a second, so stages 3 and 4 are hit by a
deterministic stop (tests/faults/pause.py wraps one function in the killed process only).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from connectors.pull import pull_period
from mujun import sources
from mujun.datasets import DATASETS
from mujun.periods import Period
from mujun.settings import Settings
from mujun.simulate.server import FeedServer
from tests.faults import harness as H
from tests.faults.conftest import SERVED_PACK, YEAR

pytestmark = pytest.mark.faults

RUN = ["run", "--year", str(YEAR), "--rule-pack", SERVED_PACK]


def test_kill_during_pull_leaves_no_partial_snapshot_and_a_re_pull_lands_it(
        county, tokens, tmp_path, fault):
    entry = fault("run: SIGKILL during pull (a snapshot half committed)")
    home, logs = tmp_path / "home", tmp_path / "logs"
    landing = home / "landing"
    with FeedServer(county, tokens) as server:
        pull_period(Settings.from_env(H.env_for(tmp_path / "clean", tokens, server.url)),
                    Period(YEAR))
        env = H.env_for(home, tokens, server.url)
        marker = tmp_path / "frozen"
        # _fsync_dir runs twice per snapshot (its hidden folder, then the period folder):
        # the 5th call is the third dataset's, with its Parquet and manifest written
        proc = H.start(["pull", "--period", str(YEAR)], env, logs, "pull-killed",
                       pause="connectors.landing:_fsync_dir:before:5", marker=marker)
        H.wait_until(marker.exists, 120, "the pull to reach its third commit", proc)
        proc.kill()
        partial = H.hidden_leftovers(landing)
        assert len(partial) == 1 and (partial[0] / "manifest.json").exists()
        assert partial[0].parent.parent.name == "reliefs"
        for snapshot in H.visible_entries(landing):  # only whole snapshots are in sight
            manifest = json.loads((snapshot / "manifest.json").read_text())
            assert snapshot.name == f"snapshot={manifest['snapshot_id']}"
            assert manifest["records"] == manifest["total"]
        assert {d for d, _ in H.landing_manifests(landing)} == {"tax.taxpayers", "tax.payments"}
        with pytest.raises(sources.MissingFeed, match="tax.reliefs 2024"):
            sources.choose_snapshots(landing, [YEAR], None)
        again = H.run(["pull", "--period", str(YEAR)], env, logs, "pull-again")
    assert again.popen.returncode == 0, again.describe()
    assert again.err().count("already landed") == 2
    expected = H.landing_manifests(tmp_path / "clean" / "landing")
    got = H.landing_manifests(landing)
    assert set(got) == set(expected)
    entry.rows_lost = sum(expected[k]["records"] - got[k]["records"] for k in expected)
    assert entry.rows_lost == 0
    assert {k: m["sha256"] for k, m in got.items()} == {k: m["sha256"] for k, m in expected.items()}
    assert len(sources.choose_snapshots(landing, [YEAR], None)) == len(DATASETS)


# --- the run chain ---------------------------------------------------------------------------

@dataclass
class Chain:
    home: Path
    env: dict
    logs: Path
    clean: Path                 # the clean run's publication database
    baseline: Path              # what `published` names before any kill
    baseline_files: dict[str, str]
    killed: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def chain(served, tmp_path_factory) -> Chain:
    root = tmp_path_factory.mktemp("kills")
    home = root / "home"
    shutil.copytree(served.pristine, home, symlinks=True)
    baseline = H.published_target(home)
    assert baseline is not None and baseline.parent == home / "publications"
    return Chain(home, H.env_for(home, served.tokens), root / "logs",
                 served.pristine / "published" / "mujun.duckdb", baseline,
                 H.fingerprint(baseline))


def wait_for_stage(chain: Chain, before: set[str], proc: H.Proc,
                   reached: Callable[[list[str]], bool], what: str) -> str:
    def look() -> str | None:
        found = H.new_record(chain.home, before)
        return found[0] if found and reached(H.stages(found[1])) else None

    return H.wait_until(look, 240, what, proc)


def reader_view_is_clean(chain: Chain, run_id: str) -> int:
    """After a kill: readers see the very publication they saw before; rows they lost."""
    assert H.published_target(chain.home) == chain.baseline
    assert H.fingerprint(chain.baseline) == chain.baseline_files
    problems, lost = H.compare_publications(chain.home / "published" / "mujun.duckdb",
                                            chain.clean)
    assert problems == []
    assert H.read_record(chain.home, run_id)["status"] == "running"  # it never finished
    return lost


def test_kill_during_dbt(chain, fault):
    entry = fault("run: SIGKILL during dbt (staging models)")
    before = H.run_ids(chain.home)
    proc = H.start(RUN, chain.env, chain.logs, "kill-dbt")
    run_id = wait_for_stage(chain, before, proc, lambda s: "gate:landing" in s,
                            "dbt staging to start")
    time.sleep(1.5)  # dbt staging builds for several seconds: kill it mid-way
    proc.kill()
    chain.killed.append(run_id)
    assert "staging" not in H.stages(H.read_record(chain.home, run_id)), "dbt had finished"
    entry.rows_lost = reader_view_is_clean(chain, run_id)
    assert run_id not in H.visible_publications(chain.home)


def test_kill_during_gates(chain, fault):
    entry = fault("run: SIGKILL during a gate (staging gate)")
    before = H.run_ids(chain.home)
    proc = H.start(RUN, chain.env, chain.logs, "kill-gate")
    run_id = wait_for_stage(chain, before, proc, lambda s: "staging" in s,
                            "dbt staging to end (the staging gate starts)")
    proc.kill()
    chain.killed.append(run_id)
    record = H.read_record(chain.home, run_id)
    assert "staging" in H.stages(record) and "gate:staging" not in H.stages(record), \
        "the kill missed the staging gate"
    entry.rows_lost = reader_view_is_clean(chain, run_id)
    assert run_id not in H.visible_publications(chain.home)


def frozen_run(chain: Chain, point: str, name: str) -> tuple[H.Proc, str]:
    before = H.run_ids(chain.home)
    marker = chain.logs / f"{name}.frozen"
    proc = H.start(RUN, chain.env, chain.logs, name, pause=point, marker=marker)
    H.wait_until(marker.exists, 240, f"the run to reach {point}", proc)
    (run_id,) = H.run_ids(chain.home) - before
    return proc, run_id


def test_kill_during_publish_with_the_new_database_built(chain, fault):
    entry = fault("run: SIGKILL during publish (new database built, not renamed in)")
    refused = fault("run: a second run while one holds the warehouse (refuses)")
    waited = fault("run: a second run with --wait while one holds it (waits, then refuses)")
    proc, run_id = frozen_run(chain, "mujun.publish:_build_database:after", "kill-publish-built")
    assert (chain.home / "publications" / f".tmp-{run_id}" / "mujun.duckdb").exists()

    # two more runs for the same year while this one holds the warehouse
    before = H.run_ids(chain.home)
    now = H.start(RUN, chain.env, chain.logs, "second-run")
    later = H.start([*RUN, "--wait", "2"], chain.env, chain.logs, "second-run-wait")
    assert now.wait(120) == 1 and "another run holds" in now.err(), now.describe()
    assert later.wait(120) == 1 and "another run holds" in later.err(), later.describe()
    assert time.monotonic() - later.started >= 2.0
    assert H.run_ids(chain.home) == before  # neither touched the warehouse
    refused.rows_lost = waited.rows_lost = 0

    proc.kill()
    chain.killed.append(run_id)
    entry.rows_lost = reader_view_is_clean(chain, run_id)
    assert run_id not in H.visible_publications(chain.home)


def test_kill_during_publish_before_the_link_is_swapped(chain, fault):
    entry = fault("run: SIGKILL during publish (renamed in, link not yet swapped)")
    proc, run_id = frozen_run(chain, "mujun.publish:_swap_link:before", "kill-publish-renamed")
    assert (chain.home / "publications" / run_id / "mujun.duckdb").exists()
    proc.kill()
    chain.killed.append(run_id)
    entry.rows_lost = reader_view_is_clean(chain, run_id)


def test_two_runs_at_once_then_the_publication_equals_a_clean_runs(chain, fault):
    entry = fault("run: rerun after the kills equals a clean run, row by row")
    both = fault("run: two runs started at once (one refuses, one publishes)")
    before = H.run_ids(chain.home)
    first = H.start(RUN, chain.env, chain.logs, "at-once-1")
    second = H.start(RUN, chain.env, chain.logs, "at-once-2")
    codes = sorted([first.wait(400), second.wait(400)])
    assert codes == [0, 1], f"{first.describe()}\n{second.describe()}"
    loser = first if first.popen.returncode == 1 else second
    assert "another run holds" in loser.err()
    (run_id,) = H.run_ids(chain.home) - before
    assert H.read_record(chain.home, run_id)["status"] == "published"

    target = H.published_target(chain.home)
    assert target == chain.home / "publications" / run_id
    published = target / "mujun.duckdb"
    problems, entry.rows_lost = H.compare_publications(published, chain.clean)
    both.rows_lost = entry.rows_lost
    assert problems == []
    for parquet in (target / "parquet").glob("*.parquet"):
        table = parquet.stem
        assert pq.read_metadata(parquet).num_rows == len(
            H.publication_tables(published)[table][1]), table
    assert not list((chain.home / "publications").glob(".tmp-*"))


def test_publications_lists_only_runs_that_published(chain, fault):
    fault("run: killed publish leaves no publication folder behind")
    if len(chain.killed) < 4:
        pytest.skip("reads the warehouse the kill chain above leaves")
    for name in H.visible_publications(chain.home):
        record = H.read_record(chain.home, name)
        assert record and record["status"] == "published", f"publications/{name}: {record and record['status']}"
    # the next run closed each killed run's record: a run that is over published or failed
    for run_id in chain.killed:
        record = H.read_record(chain.home, run_id)
        assert record["status"] == "failed" and record["error"].startswith("abandoned"), run_id
