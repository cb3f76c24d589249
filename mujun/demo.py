"""`make demo`: the demo county through Airflow, without a scheduler, then a summary.

    python -m mujun.demo [--runner dag-test|cli] [--scale 1000] [--rule-pack zhenhai-2024]
    python -m mujun.demo ui [--port 8080]        # Airflow standalone on 127.0.0.1

The demo simulates a county (seed 1, 2022-2024) under `$MUJUN_HOME/demo-county`,
copies its reference files to `$MUJUN_HOME/reference`, serves it on 127.0.0.1 with
fresh random tokens, runs the five ingest DAGs for 2023 and 2024 and the annual DAG
for 2023 then 2024, each with `dag.test()` in this process (`--runner cli`: `airflow
dags test` subprocesses, slower by the start and parse of each process). Airflow's
home is `$MUJUN_HOME/airflow` (SQLite); its output goes to `airflow/demo.log` there.
`ui` serves the same county and starts `airflow standalone` on the same home, so the
demo's runs can be watched and new ones started from the UI.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from mujun.datasets import SOURCES
from mujun.settings import REPO_ROOT, Settings

PERIODS = ("2023", "2024")
YEARS = (2023, 2024)
SIM_YEARS = (2022, 2023, 2024)
DEFAULT_PACK = "zhenhai-2024"
DAGS_FOLDER = REPO_ROOT / "dags"
VENV_BIN = Path(sys.executable).parent


def airflow_env(home: Path) -> dict[str, str]:
    """The environment every Airflow process of the demo shares (set before importing airflow)."""
    return {
        "AIRFLOW_HOME": str(home / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "MUJUN_HOME": str(home),
    }


def _configure(home: Path) -> None:
    os.environ.update(airflow_env(home))
    # Airflow starts its components as `airflow ...` subprocesses: this venv's first
    os.environ["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    (home / "airflow").mkdir(parents=True, exist_ok=True)
    if "airflow" in sys.modules:
        raise RuntimeError("airflow was imported before its environment was set")


def prepare_county(home: Path, scale: int, seed: int) -> Path:
    """Simulate the demo county and install its reference files as the warehouse's."""
    from mujun.simulate.generate import simulate

    county = home / "demo-county"
    simulate(county, seed=seed, scale=scale, years=SIM_YEARS)
    reference = home / "reference"
    if reference.exists():
        shutil.rmtree(reference)
    shutil.copytree(county / "reference", reference)
    return county


def prepare_airflow() -> float:
    """Migrate the metadata database and create the DuckDB pool; seconds taken."""
    started = time.perf_counter()
    from airflow.utils import db

    from mujun.orchestration import ensure_pool

    db.upgradedb()
    ensure_pool()
    return time.perf_counter() - started


@contextmanager
def _output_to(log_path: Path):
    """Send this process's stdout and stderr (Airflow's task logs) to `log_path`."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log_path, "ab") as log_file:
        os.dup2(log_file.fileno(), 1)
        os.dup2(log_file.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


class Runner:
    """Runs one DAG run to its end; returns (state, failed task ids, seconds)."""

    def __init__(self, kind: str, log_path: Path) -> None:
        self.kind = kind
        self.log_path = log_path
        self._bag = None

    def run(self, dag_id: str, conf: dict) -> tuple[str, list[str], float]:
        started = time.perf_counter()
        if self.kind == "cli":
            state, failed = self._cli(dag_id, conf)
        else:
            state, failed = self._in_process(dag_id, conf)
        return state, failed, time.perf_counter() - started

    def _in_process(self, dag_id: str, conf: dict) -> tuple[str, list[str]]:
        with _output_to(self.log_path):
            if self._bag is None:
                from airflow.dag_processing.dagbag import DagBag

                self._bag = DagBag(dag_folder=str(DAGS_FOLDER))
                if self._bag.import_errors:
                    raise RuntimeError(f"DAG import errors: {self._bag.import_errors}")
            run = self._bag.dags[dag_id].test(run_conf=conf)
        failed = [ti.task_id for ti in run.get_task_instances()
                  if ti.state in ("failed", "upstream_failed")]
        return str(run.state), failed

    def _cli(self, dag_id: str, conf: dict) -> tuple[str, list[str]]:
        with open(self.log_path, "ab") as log_file:
            done = subprocess.run([str(VENV_BIN / "airflow"), "dags", "test", dag_id,
                                   "-c", json.dumps(conf)], stdout=log_file,
                                  stderr=subprocess.STDOUT, env=os.environ.copy(), check=False)
        return ("success" if done.returncode == 0 else "failed"), []


def _serve(county: Path):
    """Start the simulated sources with fresh tokens; export their URL and token variables."""
    from mujun.simulate.server import FeedServer

    tokens = {s: secrets.token_urlsafe(24) for s in SOURCES}
    server = FeedServer(county, tokens).start()
    for source in SOURCES:
        os.environ[f"MUJUN_{source.upper()}_URL"] = server.url
        os.environ[f"MUJUN_{source.upper()}_TOKEN"] = tokens[source]
    return server


def _say(text: str = "") -> None:
    print(text, flush=True)


def run_demo(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    home = Settings.from_env().home
    _configure(home)
    log_path = home / "airflow" / "demo.log"
    log_path.write_text("")
    _say(f"mujun demo: warehouse {home}, Airflow home {home / 'airflow'}")

    t = time.perf_counter()
    county = prepare_county(home, args.scale, args.seed)
    _say(f"  simulated county of {args.scale} enterprises, {SIM_YEARS[0]}-{SIM_YEARS[-1]}, "
         f"into {county} ({time.perf_counter() - t:.1f} s)")
    with _output_to(log_path):
        seconds = prepare_airflow()
    _say(f"  Airflow metadata database migrated, pool mujun_duckdb (1 slot) ({seconds:.1f} s)")

    from mujun.orchestration import ANNUAL_DAG_ID, ingest_dag_id

    runner = Runner(args.runner, log_path)
    timings: list[tuple[str, str, float]] = []
    with _output_to(log_path):
        server = _serve(county)
    _say(f"  simulated sources serving on {server.url}")
    try:
        for period in PERIODS:
            for source in SOURCES:
                dag_id = ingest_dag_id(source)
                state, failed, seconds = runner.run(dag_id, {"period": period})
                timings.append((dag_id, period, seconds))
                _say(f"  {dag_id:<28} period={period}  {state:<8} {seconds:5.1f} s")
                if state != "success":
                    return _failed(dag_id, failed, log_path)
    finally:
        with _output_to(log_path):
            server.stop()
    _say("  simulated sources stopped")
    for year in YEARS:
        conf = {"year": year, "rule_pack": args.rule_pack}
        state, failed, seconds = runner.run(ANNUAL_DAG_ID, conf)
        timings.append((ANNUAL_DAG_ID, str(year), seconds))
        _say(f"  {ANNUAL_DAG_ID:<28} year={year}    {state:<8} {seconds:5.1f} s")
        if state != "success":
            return _failed(ANNUAL_DAG_ID, failed, log_path)
    summary(home, args.rule_pack, timings, args.runner, time.perf_counter() - started, log_path)
    return 0


def _failed(dag_id: str, tasks: list[str], log_path: Path) -> int:
    which = f" (task {', '.join(tasks)})" if tasks else ""
    print(f"mujun demo: error: {dag_id} failed{which}; see {log_path} and "
          f"$MUJUN_HOME/runs/*/run.json", file=sys.stderr)
    return 1


def latest_runs(home: Path, rule_pack: str) -> dict[str, dict]:
    """The latest run record of each annual period of the pack."""
    runs: dict[str, dict] = {}
    for path in sorted((home / "runs").glob("*/run.json")):
        record = json.loads(path.read_text())
        if record.get("kind") == "annual" and record.get("rule_pack") == rule_pack:
            runs[record["period"]] = record
    return runs


def grades_by_pool(publication_db: Path, rule_pack: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(publication_db), read_only=True)
    try:
        return con.execute(
            "select year, coalesce(pool, '(none)'), coalesce(grade, '-'), count(*) "
            "from marts.enterprise_evaluation where rule_pack = ? and evaluated "
            "group by all order by 1, 2, 3", [rule_pack]).fetchall()
    finally:
        con.close()


def summary(home: Path, rule_pack: str, timings: list, runner: str, seconds: float,
            log_path: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=True)
    published = home / "published"
    rows = grades_by_pool(published / "mujun.duckdb", rule_pack)
    grades = sorted({r[2] for r in rows})
    table = Table("year", "pool", *grades, "total", title=f"Grades by pool ({rule_pack})")
    cells: dict[tuple[int, str], dict[str, int]] = {}
    for year, pool, grade, count in rows:
        cells.setdefault((year, pool), {})[grade] = count
    for (year, pool), counts in cells.items():
        table.add_row(str(year), pool, *(str(counts.get(g, 0)) for g in grades),
                      str(sum(counts.values())))
    console.print(table)
    for _period, record in sorted(latest_runs(home, rule_pack).items()):
        gates = record.get("gates", [])
        passed = sum(1 for g in gates if g.get("success"))
        stages = sorted({g.get("stage") for g in gates if g.get("success")})
        console.print(f"run {record['run_id']}: {record['status']}, gates passed "
                      f"{passed}/{len(gates)} ({', '.join(stages)})")
    ingest = sum(s for d, _, s in timings if "ingest" in d)
    annual = sum(s for d, _, s in timings if "annual" in d)
    console.print(f"DAG runs ({runner}): ingest {ingest:.1f} s for {len(PERIODS) * 5} runs, "
                  f"annual {annual:.1f} s for {len(YEARS)} runs; demo wall time {seconds:.0f} s")
    target = published.resolve()
    console.print(f"published marts:  {published}/mujun.duckdb and parquet/ (-> {target})")
    console.print(f"Data Docs (GX):   {published}/docs/gx/index.html")
    console.print(f"dbt docs:         {published}/docs/dbt/index.html")
    console.print(f"run summary:      {published}/docs/run-summary.json, run.json")
    console.print(f"run report:       {published}/reports/run.html")
    console.print(f"parcel map:       {published}/reports/map.html")
    console.print(f"enterprise pages: {published}/reports/enterprises/index.html")
    console.print(f"form tables:      {published}/forms/ (CSV and XLSX)")
    console.print(f"lineage:          {published}/lineage/openlineage.jsonl")
    console.print("explain a grade:  .venv/bin/mujun explain <USCC> --year 2024")
    console.print(f"Airflow log:      {log_path}")
    console.print("watch the DAGs:   make airflow-ui   (Airflow standalone on http://127.0.0.1:8080)")


def run_ui(args: argparse.Namespace) -> int:
    """Airflow standalone on 127.0.0.1 over the demo's home, with the county served."""
    home = Settings.from_env().home
    _configure(home)
    county = home / "demo-county"
    if not (county / "simulation.json").exists():
        print("mujun demo: error: no demo county yet: run `make demo` first", file=sys.stderr)
        return 2
    os.environ.update({
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(args.port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{args.port}",
        # local demo only: the UI is bound to 127.0.0.1 and needs no login
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
    })
    with _output_to(home / "airflow" / "demo.log"):
        prepare_airflow()
    server = _serve(county)
    print(f"simulated sources on {server.url}; Airflow UI on http://127.0.0.1:{args.port} "
          "(Ctrl-C stops both)", flush=True)
    # its own process group: stopping it stops the scheduler, api-server and the rest
    standalone = subprocess.Popen([str(VENV_BIN / "airflow"), "standalone"],
                                  env=os.environ.copy(), start_new_session=True)

    def _stop(signum, frame):  # noqa: ARG001 - signal handler signature
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        standalone.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _stop_group(standalone)
        server.stop()
    return 0


def _stop_group(process: subprocess.Popen, grace_seconds: float = 60) -> None:
    """SIGTERM to the process group (Airflow's components stop on it), then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace_seconds)
            deadline = time.monotonic() + grace_seconds
            while time.monotonic() < deadline:  # the group's other members
                os.killpg(process.pid, 0)
                time.sleep(0.5)
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mujun.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", choices=("run", "ui"), default="run")
    parser.add_argument("--runner", choices=("dag-test", "cli"), default="dag-test",
                        help="dag.test() in this process (default) or `airflow dags test`")
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rule-pack", default=DEFAULT_PACK)
    parser.add_argument("--port", type=int, default=8080, help="UI port (ui)")
    args = parser.parse_args(argv)
    return run_ui(args) if args.command == "ui" else run_demo(args)


if __name__ == "__main__":
    sys.exit(main())
