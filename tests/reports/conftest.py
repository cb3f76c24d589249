"""One small simulated county, evaluated for 2023 and then 2024, with a reader holding the
2023 publication open while the 2024 run publishes; the reports are written into a copy of
the 2024 publication, as publish() would write them into its staging folder.

About 45 s: two pipeline runs (the first in a process pays the GX and dbt imports).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from connectors.pull import pull_period
from mujun import pipeline
from mujun.periods import Period
from mujun.publish import current_publication
from mujun.reports import write_forms, write_reports
from mujun.rulepack import load_pack
from mujun.settings import Settings
from mujun.simulate.generate import simulate
from mujun.simulate.server import FeedServer
from tests.conftest import TOKENS

PACK = "zhenhai-2024"
YEARS = (2023, 2024)

# A BI tool in its own process: holds the current publication open read-only, reads it in
# a loop, and between reads opens whatever `published` names now, until told to stop.
READER = r"""
import duckdb, json, os, sys, time
link, stop, out = sys.argv[1:4]
held = duckdb.connect(os.path.join(link, "mujun.duckdb"), read_only=True)
query = ("select count(*), sum(score_total), min(year), max(year), count(distinct grade) "
         "from marts.enterprise_evaluation")
first = held.execute(query).fetchall()
print("ready", flush=True)
reads, changed, fresh, errors = 0, [], [], []

def open_fresh():
    target = os.path.realpath(link)
    con = duckdb.connect(os.path.join(target, "mujun.duckdb"), read_only=True)
    try:
        return [target, con.execute("select max(year) from marts.enterprise_evaluation").fetchone()[0]]
    finally:
        con.close()

while not os.path.exists(stop):
    got = held.execute(query).fetchall()
    reads += 1
    if got != first:
        changed.append(repr(got))
    try:
        fresh.append(open_fresh())
    except Exception as exc:
        errors.append(repr(exc))
    time.sleep(0.02)
last = open_fresh()
after = held.execute(query).fetchall()
json.dump({"first": repr(first), "after": repr(after), "reads": reads, "changed": changed,
           "fresh": fresh, "last": last, "errors": errors}, open(out, "w"))
"""


@dataclass
class Evaluated:
    home: Path
    records: dict  # year -> RunRecord
    reader: dict  # what the reader process saw while 2024 published
    publication: Path  # a copy of the 2024 publication with reports/ and forms/ written
    written: list[Path]
    seconds: float


@pytest.fixture(scope="package")
def evaluated(tmp_path_factory) -> Evaluated:
    root = tmp_path_factory.mktemp("reports")
    county = root / "county"
    simulate(county, seed=5, scale=60, years=YEARS)
    home = root / "home"
    env = {f"MUJUN_{s.upper()}_TOKEN": t for s, t in TOKENS.items()} | {"MUJUN_HOME": str(home)}
    with FeedServer(county, TOKENS) as server:
        env |= {f"MUJUN_{s.upper()}_URL": server.url for s in TOKENS}
        for year in YEARS:
            pull_period(Settings.from_env(env), Period(year))
    pack = load_pack(PACK)
    records = {2023: pipeline.run_annual(home, 2023, pack, county / "reference")}
    assert records[2023].status == "published"

    stop, out = root / "reader.stop", root / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(home / "published"), str(stop),
                               str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "ready"
        records[2024] = pipeline.run_annual(home, 2024, pack, county / "reference")
        time.sleep(0.2)  # let the reader open the new publication at least once more
    finally:
        stop.touch()
        reader.wait(timeout=60)
    seen = json.loads(out.read_text())
    assert records[2024].status == "published"

    publication = root / "publication"
    shutil.copytree(current_publication(home), publication)
    started = time.perf_counter()
    written = write_reports(publication / "mujun.duckdb", publication, 2024, PACK)
    written += write_forms(publication / "mujun.duckdb", publication, 2024, PACK)
    seconds = time.perf_counter() - started
    return Evaluated(home, records, seen, publication, written, seconds)
