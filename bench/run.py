"""`make bench`: the whole chain on one machine, in one process tree and one go.

    python -m bench.run --scale 30000 [--repeat 3] [--seed 1] [--skip-airflow] [--clean]

1. simulate a county (2023-2024) and land it through the simulated HTTP sources:
   2023, 2024 and 2024Q1-Q3, records per second per dataset;
2. the floor: DuckDB reading every column of every landed Parquet file the annual run
   reads, once (and of every file landed, for reference);
3. the annual run of 2024 by zhenhai-2024 (`mujun.pipeline.run_annual`): dbt per stage,
   gates, publish, total, peak RSS, the slowest dbt models. Staging is incremental by
   snapshot, so each measured annual run first forgets what is staged of 2023 and 2024:
   it is timed as the first run to read its year;
4. the quarterly run 2024Q3 by huzhou-3.0, against the annual run of 2024 by the same
   pack (like with like). Q1 and Q2 are run first, as a bureau runs them before Q3, so
   their snapshots are staged; Q3's are forgotten before each measured run;
5. the Airflow end-to-end (ingest DAGs of 2024, then the annual DAG, `dag.test()` in
   this process) against the bare pull + run of the same year;
6. the pandas baseline (bench/baseline_pandas.py) on the same landed files: its grades
   must equal the published ones; then its time.

A figure whose first run is shorter than --short seconds is the median of --repeat
runs; a longer one is measured once. Results: bench/results/<date>-<scale>.md and
.json. Work folders: bench/runs/<stamp>-<scale>/ (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import statistics
import sys
import threading
import time
import traceback
from contextlib import contextmanager, suppress
from datetime import datetime
from importlib import metadata
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
RUNS = REPO / "bench" / "runs"
SIM_YEARS = (2023, 2024)
YEAR = 2024
QUARTER = 3
PULL_PERIODS = ("2023", "2024", "2024Q1", "2024Q2", "2024Q3")
ANNUAL_PACK = "zhenhai-2024"
# an annual run is measured as the first to read its year: nothing of it staged yet
ANNUAL_PERIODS = tuple(str(y) for y in SIM_YEARS)
QUARTERLY_PACK = "huzhou-3.0"
BIG_DATASETS = ("tax.payments", "tax.social_insurance", "grid.consumption", "stats.quarterly")
VERSIONS = ("duckdb", "dbt-core", "dbt-duckdb", "great-expectations", "apache-airflow",
            "astronomer-cosmos", "pandas", "pyarrow", "numpy")
# ratio name → (numerator, denominator, comparison, target)
TARGETS = {
    "run_over_floor": ("annual run", "floor (annual inputs)", "<=", 3.0),
    "baseline_over_run": ("pandas baseline", "annual run", ">=", 10.0),
    "gates_over_dbt": ("gates", "dbt (3 stages)", "<=", 0.3),
    "airflow_over_bare": ("Airflow pull + annual DAG", "bare pull + run_annual", "<=", 1.3),
    "quarterly_over_annual": ("quarterly run (huzhou-3.0)", "annual run (huzhou-3.0)", "<=",
                              0.25),
}


def _simulate_counts(county: Path, seed: int, scale: int) -> dict[str, int]:
    from mujun.simulate.generate import simulate

    return dict(simulate(county, seed=seed, scale=scale, years=SIM_YEARS).counts)


def say(text: str = "") -> None:
    print(text, flush=True)


# ---------------------------------------------------------------------------------------
# Peak RSS of the process tree, sampled in a thread and kept per phase.


class RssSampler:
    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.phase = "outside phases"
        self.peaks: dict[str, int] = {}
        self.starts: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="bench-rss")
        self._process = psutil.Process()

    def tree_rss(self) -> int:
        total = 0
        for proc in [self._process, *self._process.children(recursive=True)]:
            with suppress(psutil.Error):
                total += proc.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = self.tree_rss()
            phase = self.phase
            self.peaks[phase] = max(self.peaks.get(phase, 0), rss)
            self._stop.wait(self.interval)

    def start(self) -> RssSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    @contextmanager
    def during(self, phase: str):
        previous, self.phase = self.phase, phase
        self.starts.setdefault(phase, self.tree_rss())
        self.peaks[phase] = max(self.peaks.get(phase, 0), self.starts[phase])
        try:
            yield
        finally:
            self.peaks[phase] = max(self.peaks.get(phase, 0), self.tree_rss())
            self.phase = previous

    def peak_mb(self, phase: str) -> float | None:
        return round(self.peaks[phase] / 2**20, 1) if phase in self.peaks else None

    def start_mb(self, phase: str) -> float | None:
        return round(self.starts[phase] / 2**20, 1) if phase in self.starts else None


# ---------------------------------------------------------------------------------------
# Repetition: short figures are medians.


def repeated(label: str, fn, repeat: int, short: float) -> list:
    """Run `fn()` (returns a dict with 'seconds'); again up to `repeat` times if it was short."""
    runs = [fn()]
    say(f"  {label}: {runs[0]['seconds']:.2f} s")
    if runs[0]["seconds"] < short:
        for _ in range(repeat - 1):
            runs.append(fn())
            say(f"  {label}: {runs[-1]['seconds']:.2f} s")
    return runs


def cpu_seconds() -> float:
    """CPU time of this process and its waited-for children (less noisy than wall time on a
    shared machine: it does not grow while other people's work holds the cores)."""
    t = psutil.Process().cpu_times()
    return t.user + t.system + t.children_user + t.children_system


def median_of(runs: list[dict], key: str = "seconds") -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return round(statistics.median(values), 3) if values else None


# ---------------------------------------------------------------------------------------
# 1. Simulate and land.


def tokens() -> dict[str, str]:
    from mujun.datasets import SOURCES

    return {s: secrets.token_urlsafe(24) for s in SOURCES}


def source_env(url: str, source_tokens: dict[str, str], home: Path) -> dict[str, str]:
    env = {"MUJUN_HOME": str(home)}
    for source, token in source_tokens.items():
        env[f"MUJUN_{source.upper()}_URL"] = url
        env[f"MUJUN_{source.upper()}_TOKEN"] = token
    return env


class Sources:
    """The simulated source systems, served once for the whole bench: every pull (bare or
    through Airflow) meets the same, already warm server.

    In this process by default; in its own (`mujun serve`) with `own_process`, so that
    the tables it holds in memory can be given back after landing at the large scales."""

    def __init__(self, county: Path, own_process: bool = False) -> None:
        self.tokens = tokens()
        self.server = self.process = None
        if not own_process:
            from mujun.simulate.server import FeedServer

            self.server = FeedServer(county, self.tokens).start()
            self.url = self.server.url
            return
        import socket
        import subprocess

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = os.environ | {f"MUJUN_{s.upper()}_TOKEN": t for s, t in self.tokens.items()}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mujun.cli", "serve", "--data", str(county), "--port",
             str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mujun serve did not start (exit {self.process.poll()})")
            time.sleep(0.2)

    def env(self, home: Path) -> dict[str, str]:
        return source_env(self.url, self.tokens, home)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


def pull_all(sources: Sources, home: Path, periods) -> dict:
    from connectors.pull import pull_period
    from mujun.periods import Period
    from mujun.settings import Settings

    settings = Settings.from_env(sources.env(home))
    started = time.perf_counter()
    results = {}
    for period in periods:
        t = time.perf_counter()
        items = pull_period(settings, Period.parse(period))
        results[period] = {
            "seconds": round(time.perf_counter() - t, 3),
            "datasets": {r.dataset: {"records": r.records, "seconds": round(r.seconds, 3),
                                     "records_per_second": round(r.records_per_second)}
                         for r in items},
        }
    return {"seconds": round(time.perf_counter() - started, 3), "periods": results}


def land(sources: Sources, home: Path, scratch: Path, repeat: int, short: float) -> dict:
    first = pull_all(sources, home, PULL_PERIODS)
    say(f"  pull {', '.join(PULL_PERIODS)}: {first['seconds']:.1f} s (the server's first "
        "answers read its files)")
    year_runs = [first["periods"][str(YEAR)]]
    say(f"  pull {YEAR}: {year_runs[0]['seconds']:.2f} s")
    if year_runs[0]["seconds"] < short:
        for i in range(repeat - 1):
            target = scratch / f"pull-{i}"
            again = pull_all(sources, target, [str(YEAR)])
            year_runs.append(again["periods"][str(YEAR)])
            shutil.rmtree(target, ignore_errors=True)
            say(f"  pull {YEAR}: {year_runs[-1]['seconds']:.2f} s")
    per_dataset = {}
    for name in year_runs[0]["datasets"]:
        rates = [r["datasets"][name]["records_per_second"] for r in year_runs]
        per_dataset[name] = {"records": year_runs[0]["datasets"][name]["records"],
                             "records_per_second": round(statistics.median(rates))}
    return {"all_periods_seconds": first["seconds"],
            "all_periods": first["periods"],
            "year_seconds": median_of(year_runs), "year_runs": len(year_runs),
            "year_records": sum(d["records"] for d in per_dataset.values()),
            "year_datasets": per_dataset}


# ---------------------------------------------------------------------------------------
# 2. The floor: every column of every landed file read once.


def landed_files(home: Path, years: list[int] | None, quarter: int | None) -> dict[str, list]:
    """Dataset → its Parquet files: the snapshots a run reads, or (years None) every file."""
    from mujun import sources

    landing = home / "landing"
    if years is None:
        found: dict[str, list] = {}
        for path in sorted(landing.glob("*/*/period=*/snapshot=*/*.parquet")):
            dataset = f"{path.parents[3].name}.{path.parents[2].name}"
            found.setdefault(dataset, []).append(str(path))
        return found
    chosen: dict[str, list] = {}
    for snapshot in sources.choose_snapshots(landing, years, quarter):
        chosen.setdefault(snapshot.dataset, []).extend(snapshot.files)
    return chosen


def floor_once(files: dict[str, list]) -> dict:
    """One aggregate per column (length of strings, sum of numbers) over every row."""
    import duckdb

    con = duckdb.connect()
    try:
        started, cpu = time.perf_counter(), cpu_seconds()
        rows = 0
        for paths in files.values():
            listing = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
            relation = f"read_parquet([{listing}])"
            columns = con.execute(f"describe select * from {relation}").fetchall()
            aggregates = ["count(*)"] + [
                f'sum(length("{name}"))' if kind == "VARCHAR" else f'sum("{name}")'
                for name, kind, *_ in columns]
            rows += con.execute(f"select {', '.join(aggregates)} from {relation}").fetchone()[0]
        return {"seconds": round(time.perf_counter() - started, 4), "rows": rows,
                "cpu_seconds": round(cpu_seconds() - cpu, 3)}
    finally:
        con.close()


def floor(home: Path, repeat: int) -> dict:
    out = {}
    for name, years, quarter in (("annual_inputs", [YEAR], None),
                                 ("quarterly_inputs", [YEAR], QUARTER),
                                 ("all_landed", None, None)):
        files = landed_files(home, years, quarter)
        runs = [floor_once(files) for _ in range(max(repeat, 3))]
        size = sum(Path(p).stat().st_size for paths in files.values() for p in paths)
        out[name] = {"seconds": median_of(runs), "cpu_seconds": median_of(runs, "cpu_seconds"),
                     "runs": len(runs), "rows": runs[0]["rows"],
                     "files": sum(len(p) for p in files.values()), "datasets": len(files),
                     "parquet_mb": round(size / 2**20, 1)}
        say(f"  floor {name}: {out[name]['seconds']:.3f} s over {out[name]['rows']:,} rows, "
            f"{out[name]['parquet_mb']} MB")
    return out


# ---------------------------------------------------------------------------------------
# 3-4. Pipeline runs, instrumented from outside (the product's code is not changed).


class Instrument:
    """Wraps a few pipeline functions to time them and keep dbt's per-model timings."""

    def __init__(self) -> None:
        from mujun import pipeline, transform

        self.current: dict = {}
        self._patch(pipeline, "prepare", "prepare")
        self._patch(pipeline, "publish_step", "publish_step")
        self._patch(pipeline, "data_docs", "docs:gx")
        import mujun.publish

        self._patch(mujun.publish, "publish", "publish")
        original_build = transform.build

        def build(select, work_db, dbt_dir, *args, **kwargs):
            try:
                return original_build(select, work_db, dbt_dir, *args, **kwargs)
            finally:
                self._keep_run_results(select, Path(dbt_dir) / "target" / "run_results.json")

        transform.build = build

    def _patch(self, module, name: str, label: str) -> None:
        original = getattr(module, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.current[label] = self.current.get(label, 0.0) \
                    + time.perf_counter() - started

        setattr(module, name, timed)

    def _keep_run_results(self, select: str, path: Path) -> None:
        if not path.exists():
            return
        data = json.loads(path.read_text())
        nodes = self.current.setdefault("models", [])
        for item in data.get("results", []):
            nodes.append({"node": item["unique_id"], "select": select,
                          "seconds": round(item.get("execution_time") or 0.0, 3),
                          "status": item.get("status")})

    def reset(self) -> None:
        self.current = {}


def forget_staged(home: Path, periods: tuple[str, ...]) -> None:
    """Staging is incremental by snapshot: drop these periods' staged rows so that the
    next run types them again, as the first run to read them does (not timed)."""
    import duckdb

    work_db = home / "work.duckdb"
    if not work_db.exists():
        return
    listed = ", ".join(f"'{p}'" for p in periods)
    with duckdb.connect(str(work_db)) as con:
        tables = [t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'staging' "
            "and table_type = 'BASE TABLE' and starts_with(table_name, 'base_')").fetchall()]
        for table in tables:
            con.execute(f"delete from staging.{table} where _period in ({listed})")
        con.execute("checkpoint")


def run_pipeline(kind: str, home: Path, reference: Path, pack_id: str,
                 instrument: Instrument, quarter: int = QUARTER,
                 forget: tuple[str, ...] = ()) -> dict:
    from mujun import pipeline
    from mujun.rulepack import load_pack

    pack = load_pack(pack_id)
    forget_staged(home, forget)
    instrument.reset()
    started, cpu = time.perf_counter(), cpu_seconds()
    error = None
    try:
        if kind == "annual":
            record = pipeline.run_annual(home, YEAR, pack, reference)
        else:
            record = pipeline.run_quarterly(home, YEAR, quarter, pack, reference)
    except Exception as exc:  # noqa: BLE001 - the bench records the failure and goes on
        error = f"{type(exc).__name__}: {str(exc)[:600]}"
        record = None
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    timings = dict(instrument.current)
    models = timings.pop("models", [])
    result = {"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 2),
              "status": record.status if record else "failed",
              "error": error, "run_id": record.run_id if record else None}
    stages = {}
    if record is None:
        runs = sorted((home / "runs").glob("*/run.json"))
        if runs:
            last = json.loads(runs[-1].read_text())
            result["run_id"], result["error_recorded"] = last["run_id"], last.get("error")
            stages = {s["stage"]: s["seconds"] for s in last.get("stages", [])}
    else:
        stages = {s["stage"]: s["seconds"] for s in record.stages}
    dbt = sum(stages.get(s, 0.0) for s in ("staging", "intermediate", "marts"))
    gates = {k: v for k, v in stages.items() if k.startswith("gate:")}
    result.update({
        "stages": stages,
        "prepare": round(timings.get("prepare", 0.0), 3),
        "dbt": round(dbt, 3),
        "gates": round(sum(gates.values()), 3),
        "gates_without_setup": round(sum(v for k, v in gates.items() if k != "gate:setup"), 3),
        "publish_step": round(timings.get("publish_step", 0.0), 3),
        "publish": round(timings.get("publish", 0.0), 3),
        "docs_gx": round(timings.get("docs:gx", 0.0), 3),
        "docs_dbt": stages.get("docs:dbt", 0.0),
        "models": sorted(models, key=lambda m: -m["seconds"]),
    })
    accounted = result["prepare"] + dbt + result["gates"] + result["publish_step"]
    result["other"] = round(seconds - accounted, 3)
    return result


def pipeline_phase(label: str, kind: str, home: Path, reference: Path, pack_id: str,
                   instrument: Instrument, repeat: int, short: float) -> dict:
    runs = repeated(label, lambda: run_pipeline(kind, home, reference, pack_id, instrument,
                                                forget=ANNUAL_PERIODS), repeat, short)
    return summarise(label, runs)


def summarise(label: str, runs: list[dict]) -> dict:
    failed = [r for r in runs if r["status"] != "published"]
    if failed:
        say(f"  {label} FAILED: {failed[0].get('error_recorded') or failed[0]['error']}")
    ok = [r for r in runs if r["status"] == "published"] or runs
    summary = {"runs": len(runs), "status": runs[-1]["status"],
               "error": failed[0]["error"] if failed else None}
    for key in ("seconds", "cpu_seconds", "prepare", "dbt", "gates", "gates_without_setup",
                "publish_step", "publish", "docs_gx", "docs_dbt", "other"):
        summary[key] = median_of(ok, key)
    summary["stages"] = {s: round(statistics.median(r["stages"].get(s, 0.0) for r in ok), 3)
                         for s in ok[0]["stages"]}
    middle = sorted(ok, key=lambda r: r["seconds"])[len(ok) // 2]  # the median run's models
    summary["slowest_models"] = middle["models"][:15]
    summary["model_seconds_total"] = round(sum(m["seconds"] for m in middle["models"]), 2)
    summary["each"] = [{k: r[k] for k in ("seconds", "cpu_seconds", "status", "run_id")}
                       for r in runs]
    return summary


def quarterly_vs_annual(home: Path, reference: Path, instrument: Instrument, rss: RssSampler,
                        repeat: int, short: float) -> tuple[dict, dict]:
    """The annual and the quarterly run of the same pack, taken in turns so that both meet
    the same load on a shared machine; pairs are repeated while both runs are short."""
    # a bureau runs Q1 and Q2 before Q3: their snapshots are staged by then, Q3's are new
    for earlier in range(1, QUARTER):
        run = run_pipeline("quarterly", home, reference, QUARTERLY_PACK, instrument,
                           quarter=earlier)
        say(f"  quarterly {YEAR}Q{earlier} (before): {run['seconds']:.2f} s, {run['status']}")
    annual, quarterly = [], []
    while True:
        with rss.during("annual_quarterly_pack"):
            annual.append(run_pipeline("annual", home, reference, QUARTERLY_PACK, instrument,
                                       forget=ANNUAL_PERIODS))
        with rss.during("quarterly"):
            quarterly.append(run_pipeline("quarterly", home, reference, QUARTERLY_PACK,
                                          instrument, forget=(f"{YEAR}Q{QUARTER}",)))
        say(f"  annual {YEAR} {QUARTERLY_PACK}: {annual[-1]['seconds']:.2f} s, "
            f"quarterly {YEAR}Q{QUARTER}: {quarterly[-1]['seconds']:.2f} s")
        if len(annual) >= repeat or max(annual[-1]["seconds"],
                                         quarterly[-1]["seconds"]) >= short:
            break
    return (summarise(f"annual {YEAR} {QUARTERLY_PACK}", annual),
            summarise(f"quarterly {YEAR}Q{QUARTER} {QUARTERLY_PACK}", quarterly))


# ---------------------------------------------------------------------------------------
# 5. Airflow end-to-end (ingest DAGs + annual DAG, dag.test() in this process).


def output_to(log_path: Path):
    """This process's stdout and stderr (Airflow's task logs) into a file (as make demo does)."""
    from mujun.demo import _output_to

    return _output_to(log_path)


def airflow_unavailable() -> str | None:
    import importlib.util

    for module in ("airflow", "mujun.orchestration", "mujun.demo"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not importable"
    if "airflow" in sys.modules:
        return "airflow was imported before its environment could be set"
    return None


def bare_e2e(sources: Sources, home: Path, reference: Path, instrument: Instrument) -> dict:
    """Pull the year into a fresh warehouse and evaluate it, without Airflow."""
    started, cpu = time.perf_counter(), cpu_seconds()
    pulled = pull_all(sources, home, [str(YEAR)])
    run = run_pipeline("annual", home, reference, ANNUAL_PACK, instrument)
    if run["status"] != "published":
        raise RuntimeError(f"bare annual run failed: {run['error']}")
    return {"seconds": round(time.perf_counter() - started, 2),
            "cpu_seconds": round(cpu_seconds() - cpu, 2),
            "pull_seconds": pulled["seconds"], "run_seconds": run["seconds"]}


class AirflowRunner:
    """HOOK for the Airflow end to end: mujun.demo's environment and metadata setup, the
    DAGs of mujun.orchestration (parsed once), each run with `dag.test()` in this process,
    as `make demo` does."""

    def __init__(self, root: Path) -> None:
        from mujun.demo import DAGS_FOLDER, airflow_env, prepare_airflow

        self.root = root
        os.environ.update(airflow_env(root))  # AIRFLOW_HOME=root/airflow; MUJUN_HOME per run
        self.log_path = root / "airflow" / "bench.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with output_to(self.log_path):
            self.setup_seconds = round(prepare_airflow(), 2)  # db migrate + pool: not counted
            from airflow.dag_processing.dagbag import DagBag

            started = time.perf_counter()
            self.bag = DagBag(dag_folder=str(DAGS_FOLDER))
            self.dagbag_seconds = round(time.perf_counter() - started, 2)
        if self.bag.import_errors:
            raise RuntimeError(f"DAG import errors: {self.bag.import_errors}")

    def run_dag(self, dag_id: str, conf: dict) -> dict:
        started = time.perf_counter()
        with output_to(self.log_path):
            dag_run = self.bag.dags[dag_id].test(run_conf=conf)
        instances = dag_run.get_task_instances()
        tasks = {ti.task_id: round((ti.end_date - ti.start_date).total_seconds(), 2)
                 for ti in instances if ti.start_date and ti.end_date}
        failed = [ti.task_id for ti in instances if ti.state in ("failed", "upstream_failed")]
        item = {"dag_id": dag_id, "conf": conf, "state": str(dag_run.state),
                "seconds": round(time.perf_counter() - started, 2), "tasks": tasks,
                "failed": failed}
        if item["state"] != "success":
            raise RuntimeError(f"{dag_id} ended {dag_run.state} (failed tasks: {failed}); "
                               f"see {self.log_path}")
        return item

    def e2e(self, sources: Sources, home: Path, reference: Path) -> dict:
        """The five ingest DAGs for the year, then the annual DAG, on a fresh warehouse."""
        from mujun.datasets import SOURCES
        from mujun.orchestration import ANNUAL_DAG_ID, ingest_dag_id

        os.environ.update(sources.env(home))
        started, cpu = time.perf_counter(), cpu_seconds()
        runs = [self.run_dag(ingest_dag_id(source), {"period": str(YEAR)})
                for source in SOURCES]
        ingest = time.perf_counter() - started
        runs.append(self.run_dag(ANNUAL_DAG_ID, {"year": YEAR, "rule_pack": ANNUAL_PACK,
                                                 "reference_dir": str(reference)}))
        return {"seconds": round(time.perf_counter() - started, 2),
                "cpu_seconds": round(cpu_seconds() - cpu, 2),
                "ingest_seconds": round(ingest, 2), "annual_seconds": runs[-1]["seconds"],
                "dag_runs": runs}


def airflow_vs_bare(sources: Sources, root: Path, reference: Path, instrument: Instrument,
                    repeat: int, short: float) -> dict:
    """Bare and Airflow end to end in turns, each on a fresh warehouse, the same server."""
    runner = AirflowRunner(root / "airflow-home")
    bare, airflow = [], []
    while True:
        n = len(bare)
        with output_to(runner.log_path):  # Airflow's logging now prints mujun's events too
            bare.append(bare_e2e(sources, root / f"bare-{n}", reference, instrument))
        airflow.append(runner.e2e(sources, root / "airflow-home" / f"warehouse-{n}", reference))
        say(f"  bare pull + run_annual: {bare[-1]['seconds']:.1f} s (pull "
            f"{bare[-1]['pull_seconds']:.1f}, run {bare[-1]['run_seconds']:.1f}); Airflow: "
            f"{airflow[-1]['seconds']:.1f} s (ingest DAGs {airflow[-1]['ingest_seconds']:.1f}, "
            f"annual DAG {airflow[-1]['annual_seconds']:.1f})")
        if n > 0:  # keep the last pair's warehouses for inspection
            shutil.rmtree(root / f"bare-{n - 1}", ignore_errors=True)
            shutil.rmtree(root / "airflow-home" / f"warehouse-{n - 1}", ignore_errors=True)
        if len(bare) >= repeat or max(bare[-1]["seconds"], airflow[-1]["seconds"]) >= short:
            break
    return {"seconds": median_of(airflow), "cpu_seconds": median_of(airflow, "cpu_seconds"),
            "ingest_seconds": median_of(airflow, "ingest_seconds"),
            "annual_seconds": median_of(airflow, "annual_seconds"),
            "bare_seconds": median_of(bare), "bare_cpu_seconds": median_of(bare, "cpu_seconds"),
            "bare_pull_seconds": median_of(bare, "pull_seconds"),
            "bare_run_seconds": median_of(bare, "run_seconds"),
            "pairs": len(bare), "setup_seconds": runner.setup_seconds,
            "dagbag_seconds": runner.dagbag_seconds, "log": str(runner.log_path),
            "dag_runs": airflow[len(airflow) // 2]["dag_runs"],
            "each": [{"bare": b["seconds"], "airflow": a["seconds"]}
                     for b, a in zip(bare, airflow, strict=True)]}


# ---------------------------------------------------------------------------------------
# 6. The pandas baseline, checked against the publication.


def published_grades(home: Path):
    import duckdb

    con = duckdb.connect(str(home / "published" / "mujun.duckdb"), read_only=True)
    try:
        return con.execute(
            "select uscc, evaluated, grade from marts.enterprise_evaluation "
            "where year = ? and rule_pack = ?", [YEAR, ANNUAL_PACK]).df()
    finally:
        con.close()


def baseline(home: Path, reference: Path, repeat: int, short: float) -> dict:
    from bench.baseline_pandas import evaluate

    def once() -> dict:
        started, cpu = time.perf_counter(), cpu_seconds()
        frame = evaluate(home, reference, year=YEAR)
        return {"seconds": round(time.perf_counter() - started, 3),
                "cpu_seconds": round(cpu_seconds() - cpu, 2), "frame": frame}

    runs = repeated("pandas baseline", once, repeat, short)
    ours = runs[0]["frame"]
    theirs = published_grades(home)
    merged = theirs.merge(ours[["uscc", "evaluated", "grade"]], on="uscc", how="outer",
                          suffixes=("_published", "_baseline"), indicator=True)
    both = merged[merged["grade_published"].notna() & merged["grade_baseline"].notna()]
    mismatches = both[both["grade_published"] != both["grade_baseline"]]
    only_published = merged[merged["grade_published"].notna() & merged["grade_baseline"].isna()]
    only_baseline = merged[merged["grade_published"].isna() & merged["grade_baseline"].notna()]
    check = {"graded_by_both": len(both), "mismatches": len(mismatches),
             "agreement": round(1 - len(mismatches) / len(both), 6) if len(both) else None,
             "graded_only_by_publication": len(only_published),
             "graded_only_by_baseline": len(only_baseline),
             "enterprises_published": int(merged["_merge"].isin(["both", "left_only"]).sum()),
             "enterprises_baseline": int(merged["_merge"].isin(["both", "right_only"]).sum()),
             "sample": mismatches.head(20).astype(str).to_dict("records")}
    if len(mismatches) or len(only_published) or len(only_baseline):
        say("  BASELINE DISAGREES with the publication:")
        say(mismatches.head(20).to_string())
        say(only_published.head(10).to_string())
        say(only_baseline.head(10).to_string())
    else:
        say(f"  baseline grades agree with the publication on all {len(both):,} graded "
            "enterprises")
    return {"seconds": median_of(runs), "cpu_seconds": median_of(runs, "cpu_seconds"),
            "runs": len(runs), "check": check}


# ---------------------------------------------------------------------------------------
# Results.


def versions() -> dict:
    found = {"python": platform.python_version()}
    for name in VERSIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def machine() -> dict:
    memory = psutil.virtual_memory()
    return {"cores_logical": psutil.cpu_count(), "cores_physical": psutil.cpu_count(False),
            "memory_gb": round(memory.total / 2**30, 1),
            "memory_available_gb": round(memory.available / 2**30, 1),
            "platform": platform.platform(), "processor": platform.machine()}


def code_version() -> dict:
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                              check=False)
        return done.stdout.rstrip()

    import hashlib

    changed = [line[3:] for line in git("status", "--porcelain").splitlines()
               if line.strip() and not line[3:].startswith("bench/")]
    return {"commit": git("rev-parse", "--short", "HEAD").strip(), "dirty": bool(changed),
            "changed_files": changed,
            "diff_sha256": hashlib.sha256(git("diff", "HEAD").encode()).hexdigest()[:12]}


def ratio(numerator, denominator) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 3)


def ratios(results: dict) -> dict:
    annual = results.get("annual") or {}
    quarterly = results.get("quarterly") or {}
    annual_same_pack = results.get("annual_quarterly_pack") or {}
    airflow = results.get("airflow") or {}
    floor_inputs = (results.get("floor") or {}).get("annual_inputs", {}).get("seconds")
    bare = airflow.get("bare_seconds")
    values = {
        "run_over_floor": ratio(annual.get("seconds"), floor_inputs),
        "baseline_over_run": ratio((results.get("baseline") or {}).get("seconds"),
                                   annual.get("seconds")),
        "gates_over_dbt": ratio(annual.get("gates"), annual.get("dbt")),
        "airflow_over_bare": ratio(airflow.get("seconds"), bare),
        "quarterly_over_annual": ratio(quarterly.get("seconds"), annual_same_pack.get("seconds")),
    }
    out = {}
    for name, value in values.items():
        num, den, op, target = TARGETS[name]
        verdict = None if value is None else (
            "PASS" if (value <= target if op == "<=" else value >= target) else "MISS")
        out[name] = {"value": value, "target": f"{op} {target}", "verdict": verdict,
                     "numerator": num, "denominator": den}
    # context, not targets
    out["_context"] = {
        "dbt_over_floor": ratio(annual.get("dbt"), floor_inputs),
        "gates_without_setup_over_dbt": ratio(annual.get("gates_without_setup"),
                                              annual.get("dbt")),
        "quarterly_over_annual_zhenhai": ratio(quarterly.get("seconds"), annual.get("seconds")),
        "cpu: run_over_floor": ratio(annual.get("cpu_seconds"),
                                     (results.get("floor") or {}).get("annual_inputs", {})
                                     .get("cpu_seconds")),
        "cpu: baseline_over_run": ratio((results.get("baseline") or {}).get("cpu_seconds"),
                                        annual.get("cpu_seconds")),
        "cpu: airflow_over_bare": ratio(airflow.get("cpu_seconds"),
                                        airflow.get("bare_cpu_seconds")),
        "cpu: quarterly_over_annual": ratio(quarterly.get("cpu_seconds"),
                                            annual_same_pack.get("cpu_seconds")),
        "quarterly_dbt_over_annual_dbt_same_pack": ratio(quarterly.get("dbt"),
                                                         annual_same_pack.get("dbt")),
    }
    return out


def fmt(value, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown(results: dict) -> str:
    r = results
    lines = [f"# Benchmark {r['date']}, scale {r['scale']:,} enterprises", ""]
    lines += [f"`python -m bench.run --scale {r['scale']} --repeat {r['repeat']} "
              f"--seed {r['seed']}{' --skip-airflow' if r['skip_airflow'] else ''}`; "
              f"commit {r['code']['commit']}{' (with uncommitted changes)' if r['code']['dirty'] else ''}; "  # noqa: E501
              f"wall time {fmt(r['wall_seconds'], 0)} s. Figures are seconds; a figure whose "
              f"first run took under {r['short_seconds']:.0f} s is the median of {r['repeat']} "
              "runs, a longer one a single run.", ""]
    m = r["machine"]
    lines += [f"Machine: {m['cores_logical']} logical cores ({m['cores_physical']} physical), "
              f"{m['memory_gb']} GB memory ({m['memory_available_gb']} GB available at start), "
              f"{m['platform']}. Load average at start {r['load_start']}, at end "
              f"{r['load_end']}: the machine is shared, so timings are noisy.", ""]
    lines += ["Versions: " + ", ".join(f"{k} {v or 'not installed'}"
                                       for k, v in r["versions"].items()), ""]
    lines += ["## Ratios", "", "| ratio | value | target | verdict | numerator ÷ denominator |",
              "|---|---|---|---|---|"]
    for name, item in r["ratios"].items():
        if name.startswith("_"):
            continue
        lines.append(f"| {name} | {fmt(item['value'], 3)} | {item['target']} | "
                     f"{item['verdict'] or 'not measured'} | {item['numerator']} ÷ "
                     f"{item['denominator']} |")
    ctx = r["ratios"]["_context"]
    lines += ["", "Context: " + ", ".join(f"{k} {fmt(v, 3)}" for k, v in ctx.items()), ""]
    if r.get("notes"):
        lines += ["## Notes", ""] + [f"- {n}" for n in r["notes"]] + [""]

    lines += ["## Figures", "", "Seconds are wall time; CPU seconds (this process and its "
              "children, all threads) are in the JSON and in the context ratios above: they do "
              "not grow while other people's work holds the cores.", "",
              "Peak RSS is of the whole process tree (this process and its "
              "children, sampled every 0.1 s) during the phase; it includes what earlier phases "
              "left allocated (RSS at each phase's start is in the JSON).", "",
              "| figure | seconds | peak RSS (MB) | detail |",
              "|---|---|---|---|"]
    sim = r.get("simulate") or {}
    lines.append(f"| simulate {sim.get('years')} | {fmt(sim.get('seconds'))} | "
                 f"{fmt(r['rss_mb'].get('simulate'), 0)} | {fmt(sim.get('records'))} records |")
    landing = r.get("landing") or {}
    lines.append(f"| pull all periods ({', '.join(PULL_PERIODS)}) | "
                 f"{fmt(landing.get('all_periods_seconds'))} | {fmt(r['rss_mb'].get('land'), 0)}"
                 f" | one run |")
    lines.append(f"| pull {YEAR} (15 datasets) | {fmt(landing.get('year_seconds'))} | | "
                 f"{fmt(landing.get('year_records'))} records, median of "
                 f"{landing.get('year_runs')} |")
    for name, item in (r.get("floor") or {}).items():
        lines.append(f"| floor: {name} | {fmt(item['seconds'], 3)} | | {fmt(item['rows'])} rows,"
                     f" {item['files']} files, {item['parquet_mb']} MB, every column read |")
    for key, label in (("annual", f"annual {YEAR} {ANNUAL_PACK}"),
                       ("annual_quarterly_pack", f"annual {YEAR} {QUARTERLY_PACK}"),
                       ("quarterly", f"quarterly {YEAR}Q{QUARTER} {QUARTERLY_PACK}")):
        run = r.get(key)
        if not run:
            continue
        lines.append(f"| {label}: total | {fmt(run['seconds'])} | {fmt(r['rss_mb'].get(key), 0)}"
                     f" | {run['status']}, {run['runs']} run(s), CPU {fmt(run.get('cpu_seconds'))}"
                     f" s |")
        for part in ("prepare", "dbt", "gates", "publish_step", "other"):
            lines.append(f"| … {part} | {fmt(run.get(part))} | | |")
        for stage, seconds in run["stages"].items():
            lines.append(f"| … … {stage} | {fmt(seconds)} | | |")
        lines.append(f"| … … publish (write-audit-publish only) | {fmt(run.get('publish'))} | "
                     "| inside publish_step, beside docs:gx, docs:dbt, lineage |")
        lines.append(f"| … … docs:gx (Data Docs) | {fmt(run.get('docs_gx'))} | | |")
    airflow = r.get("airflow") or {}
    if airflow.get("seconds"):
        lines.append(f"| bare: pull {YEAR} + run_annual, fresh warehouse | "
                     f"{fmt(airflow['bare_seconds'])} | | pull {fmt(airflow['bare_pull_seconds'])}"
                     f", run {fmt(airflow['bare_run_seconds'])}; {airflow['pairs']} pair(s), "
                     "taken in turns with Airflow |")
        lines.append(f"| Airflow: 5 ingest DAG runs ({YEAR}) | {fmt(airflow['ingest_seconds'])} "
                     f"| | |")
        lines.append(f"| Airflow: annual DAG run | {fmt(airflow['annual_seconds'])} | | |")
        lines.append(f"| Airflow: end to end, fresh warehouse | {fmt(airflow['seconds'])} | "
                     f"{fmt(r['rss_mb'].get('airflow'), 0)} | not counted: metadata setup "
                     f"{fmt(airflow.get('setup_seconds'))} s, DAG folder parse "
                     f"{fmt(airflow.get('dagbag_seconds'))} s (once per process) |")
    else:
        lines.append(f"| Airflow end to end | not measured | | {airflow.get('reason', '')} |")
    base = r.get("baseline") or {}
    if base:
        c = base.get("check") or {}
        lines.append(f"| pandas baseline | {fmt(base.get('seconds'))} | "
                     f"{fmt(r['rss_mb'].get('baseline'), 0)} | {base.get('runs')} run(s), CPU "
                     f"{fmt(base.get('cpu_seconds'))} s; "
                     f"grades agree on {fmt(c.get('graded_by_both'))} enterprises graded by "
                     f"both, {c.get('mismatches')} mismatches |")
    lines += ["", "## Landing rates, period " + str(YEAR), "",
              "| dataset | records | records/s |", "|---|---|---|"]
    for name, item in (landing.get("year_datasets") or {}).items():
        mark = " (big, monthly)" if name in BIG_DATASETS else ""
        lines.append(f"| {name}{mark} | {fmt(item['records'])} | "
                     f"{fmt(item['records_per_second'])} |")
    annual = r.get("annual") or {}
    if annual.get("slowest_models"):
        lines += ["", f"## Slowest dbt nodes of the annual run ({ANNUAL_PACK})", "",
                  f"Sum of node times {fmt(annual['model_seconds_total'])} s "
                  f"(dbt runs 2 threads).", "", "| node | stage | seconds |", "|---|---|---|"]
        for model in annual["slowest_models"]:
            lines.append(f"| {model['node']} | {model['select']} | {fmt(model['seconds'])} |")
    for section in r.get("findings_md", []):
        lines += ["", section]
    return "\n".join(lines) + "\n"


def write_results(results: dict, stem: Path | None = None) -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = stem or RESULTS / f"{results['date']}-{results['scale']}"
    json_path = stem.with_suffix(".json")
    md_path = stem.with_suffix(".md")
    results.pop("findings_md", None)
    json_path.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n")
    findings = stem.parent / f"{stem.name}.findings.md"
    if findings.exists():  # the analysis written by hand after a run, kept with the figures
        results["findings_md"] = [findings.read_text()]
    md_path.write_text(markdown(results))
    return md_path, json_path


def render(json_path: Path) -> int:
    """Write the .md of a results .json again (after its findings file was written)."""
    results = json.loads(json_path.read_text())
    md_path, _ = write_results(results, json_path.with_suffix(""))
    print(f"rendered {md_path}")
    return 0


# ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=30_000, help="enterprises")
    parser.add_argument("--repeat", type=int, default=3, help="runs of a short figure")
    parser.add_argument("--short", type=float, default=150.0,
                        help="seconds under which a figure is repeated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-airflow", action="store_true")
    parser.add_argument("--reuse", type=Path, metavar="WORK_FOLDER",
                        help="take the county and landed files of an earlier bench's work "
                        "folder (bench/runs/...) instead of simulating and landing again")
    parser.add_argument("--separate-processes", action=argparse.BooleanOptionalAction,
                        default=None, help="simulate and serve the feeds in processes of "
                        "their own (default: above 30,000 enterprises)")
    parser.add_argument("--clean", action="store_true", help="remove the work folder after")
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="only write the .md of an earlier results .json again")
    args = parser.parse_args(argv)
    if args.separate_processes is None:
        args.separate_processes = args.scale > 30_000
    if args.render:
        return render(args.render)

    started = time.perf_counter()
    now = datetime.now()
    root = RUNS / f"{now:%Y%m%dT%H%M%S}-{args.scale}"
    county, home, scratch = root / "county", root / "home", root / "scratch"
    reference = county / "reference"
    root.mkdir(parents=True)
    rss = RssSampler().start()
    results: dict = {
        "date": f"{now:%Y-%m-%d}", "started_at": now.isoformat(timespec="seconds"),
        "scale": args.scale, "seed": args.seed, "repeat": args.repeat,
        "short_seconds": args.short, "skip_airflow": args.skip_airflow,
        "separate_processes": args.separate_processes,
        "work_folder": str(root), "machine": machine(), "versions": versions(),
        "code": code_version(), "load_start": [round(x, 2) for x in os.getloadavg()],
        "notes": [],
    }
    say(f"bench: scale {args.scale:,}, seed {args.seed}, work folder {root}")
    failed = False

    def phase(name: str, fn):
        nonlocal failed
        say(f"[{name}]")
        with rss.during(name):
            try:
                return fn()
            except Exception as exc:  # noqa: BLE001 - record, go on with what can still run
                failed = True
                say(f"  {name} failed: {type(exc).__name__}: {exc}")
                traceback.print_exc()
                results["notes"].append(f"{name} failed: {type(exc).__name__}: "
                                        f"{str(exc)[:300]}")
                return None

    def simulate_county() -> dict:
        t = time.perf_counter()
        if args.separate_processes:
            # in a child, so that its memory is given back before landing
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
                counts = pool.submit(_simulate_counts, county, args.seed, args.scale).result()
        else:
            counts = _simulate_counts(county, args.seed, args.scale)
        return {"seconds": round(time.perf_counter() - t, 2), "years": list(SIM_YEARS),
                "records": sum(counts.values()), "counts": counts}

    if args.reuse:
        # the county and its landed files of an earlier bench (immutable: hard links)
        earlier = args.reuse.resolve()
        say(f"[reuse] the county and landed files of {earlier}")
        shutil.copytree(earlier / "county", county, copy_function=os.link)
        shutil.copytree(earlier / "home" / "landing", home / "landing", copy_function=os.link)
        results["simulate"] = results["landing"] = None
        results["reused_from"] = str(earlier)
        results["notes"].append(f"simulate and land not measured here: the county and its "
                                f"landed files were reused from {earlier}")
        sources = None if args.skip_airflow else Sources(county, args.separate_processes)
    else:
        results["simulate"] = phase("simulate", simulate_county)
        say(f"  simulate: {results['simulate']['seconds'] if results['simulate'] else '-'} s")
        sources = Sources(county, args.separate_processes) if results["simulate"] else None
        results["landing"] = phase("land", lambda: land(sources, home, scratch, args.repeat,
                                                        args.short))
    if args.skip_airflow and sources is not None:
        sources.stop()  # nothing pulls again: give its memory back before the runs
        sources = None
    results["floor"] = phase("floor", lambda: floor(home, args.repeat))
    instrument = Instrument()
    results["annual"] = phase("annual", lambda: pipeline_phase(
        f"annual {YEAR} {ANNUAL_PACK}", "annual", home, reference, ANNUAL_PACK, instrument,
        args.repeat, args.short))
    if results["annual"] and results["annual"]["status"] == "published":
        results["baseline"] = phase("baseline", lambda: baseline(home, reference, args.repeat,
                                                                 args.short))
        if results["baseline"] and results["baseline"]["check"]["mismatches"]:
            failed = True
    else:
        results["baseline"] = None
        results["notes"].append("pandas baseline not compared: the annual run did not publish")
    pair = phase("quarterly_vs_annual", lambda: quarterly_vs_annual(
        home, reference, instrument, rss, args.repeat, args.short))
    results["annual_quarterly_pack"], results["quarterly"] = pair or (None, None)
    for key in ("annual", "annual_quarterly_pack", "quarterly"):
        if results[key] and results[key]["status"] != "published":
            failed = True
    if args.skip_airflow:
        results["airflow"] = {"reason": "skipped (--skip-airflow)"}
    elif (reason := airflow_unavailable()) is not None:
        results["airflow"] = {"reason": f"not measured: {reason}"}
    else:
        results["airflow"] = phase("airflow", lambda: airflow_vs_bare(
            sources, root, reference, instrument, args.repeat, args.short)) \
            or {"reason": "not measured: the Airflow run failed (see notes)"}
    if sources is not None:
        sources.stop()
    rss.stop()
    results["rss_mb"] = {phase_name: rss.peak_mb(phase_name) for phase_name in rss.peaks}
    results["rss_mb_at_phase_start"] = {name: rss.start_mb(name) for name in rss.starts}
    results["load_end"] = [round(x, 2) for x in os.getloadavg()]
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    results["ratios"] = ratios(results)
    md_path, json_path = write_results(results)
    say("")
    say(md_path.read_text().split("## Figures")[0])
    say(f"results: {md_path} and {json_path}")
    if args.clean:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
