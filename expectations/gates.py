"""`check(stage, ...)`: run a stage's suites, keep the results, raise `GateFailed`.

Why not GX's SQL data source: with GX 1.24 over duckdb-engine every expectation
fails (`MetricResolutionError`, GX #10738/#11579, STACK-NOTES). So every check is
computed in DuckDB through a short read-only connection and validated by GX as a
small pandas frame: `<stage>.snapshots` (one row per landed snapshot, landing only)
and `<stage>.checks` (one row, one column per check). Multi-million-row tables
never leave DuckDB. Expectations whose configured severity is `warn`
(expectations/gates.yml) are recorded but do not stop the run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import yaml

from expectations.checks import STAGE_CHECKS, Check, quarterly_checks
from mujun.datasets import DATASETS
from mujun.logs import event

log = logging.getLogger("mujun.gates")
CONFIG = Path(__file__).with_name("gates.yml")
STAGES = ("landing", "staging", "reconciled", "marts")
SAMPLE_ROWS = 10


class GateFailed(RuntimeError):
    def __init__(self, stage: str, failures: list[dict]) -> None:
        self.stage, self.failures = stage, failures
        first = failures[0]
        detail = f"; sample: {json.dumps(first['sample'][:3], ensure_ascii=False, default=str)}" \
            if first.get("sample") else ""
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        super().__init__(f"{stage} gate failed: {first['suite']}: {first['expectation']} "
                         f"on {first['column']}: {first['description']}{detail}{more}")


@dataclass
class GateResult:
    stage: str
    seconds: float
    suites: list[dict] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return all(s["success"] for s in self.suites)


@cache
def configuration() -> dict:
    return (yaml.safe_load(CONFIG.read_text()) or {}).get("checks", {})


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx  # ~3 s: only commands that gate import it

    return gx


class GateRunner:
    """One GX file context per run (runs/<id>/gx): concurrent runs never share one."""

    def __init__(self, context_dir: Path) -> None:
        gx = _gx()
        self.gx = gx
        context_dir.mkdir(parents=True, exist_ok=True)
        self.context = gx.get_context(mode="file", project_root_dir=str(context_dir))
        try:
            from great_expectations.data_context.types.base import ProgressBarsConfig

            self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        except (ImportError, AttributeError):  # pragma: no cover - older layouts
            pass
        self.source = self.context.data_sources.add_or_update_pandas("mujun")

    def validate(self, name: str, frame, expectations: list) -> object:
        gx = self.gx
        try:
            asset = self.source.get_asset(name)
        except LookupError:
            asset = self.source.add_dataframe_asset(name=name)
        try:
            batch = asset.get_batch_definition("whole")
        except (LookupError, KeyError):
            batch = asset.add_batch_definition_whole_dataframe("whole")
        suite = gx.ExpectationSuite(name=name, expectations=expectations)
        suite = self.context.suites.add_or_update(suite)
        definition = self.context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=name, data=batch, suite=suite))
        return definition.run(batch_parameters={"dataframe": frame}, result_format="COMPLETE")

    def build_docs(self) -> Path:
        self.context.build_data_docs()
        root = Path(self.context.root_directory)
        return root / "uncommitted" / "data_docs" / "local_site"


def check(stage: str, work_db: Path, runner: GateRunner, chosen=None,
          kind: str = "annual") -> GateResult:
    """Run one stage's gate; raises GateFailed when an error-severity expectation fails."""
    import pandas as pd

    started = time.perf_counter()
    result = GateResult(stage, 0.0)
    failures: list[dict] = []
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        checks = (quarterly_checks() if kind == "quarterly" and stage == "marts"
                  else STAGE_CHECKS[stage]())
        values = {c.id: con.execute(c.value_sql).fetchone()[0] for c in checks}
        frame = pd.DataFrame([{c.id: _number(values[c.id]) for c in checks}])
        suite_name = f"{stage}.checks"
        outcome = runner.validate(suite_name, frame, [_expectation(runner.gx, c) for c in checks])
        result.suites.append(_summarise(stage, suite_name, outcome, checks, con, failures))
        if stage == "landing" and chosen is not None:
            snapshots = snapshot_frame(con, chosen)
            name = "landing.snapshots"
            outcome = runner.validate(name, snapshots, _snapshot_expectations(runner.gx))
            result.suites.append(_summarise(stage, name, outcome, [], con, failures,
                                            frame=snapshots))
    finally:
        con.close()
    result.seconds = time.perf_counter() - started
    event(log, "gate", stage=stage, success=not failures, seconds=f"{result.seconds:.2f}")
    if failures:
        raise GateFailed(stage, failures)
    return result


def _number(value) -> float:
    return float(value) if value is not None else 0.0


def _expectation(gx, check: Check):
    configured = configuration().get(check.id, {})
    severity = configured.get("severity", "error")
    meta = {"description": check.description, "severity": severity}
    if check.kind == "share":
        return gx.expectations.ExpectColumnValuesToBeBetween(
            column=check.id, min_value=float(configured.get("min", 1.0)), max_value=1.0, meta=meta)
    return gx.expectations.ExpectColumnValuesToBeBetween(
        column=check.id, min_value=0, max_value=float(configured.get("max", 0)), meta=meta)


def _summarise(stage: str, suite: str, outcome, checks: list[Check], con, failures: list[dict],
               frame=None) -> dict:
    by_id = {c.id: c for c in checks}
    summary = {"stage": stage, "suite": suite, "success": True, "failed": [], "warnings": []}
    for item in outcome.results:
        if item.success:
            continue
        config = item.expectation_config
        kwargs = config.kwargs
        column = kwargs.get("column") or f"{kwargs.get('column_A')} = {kwargs.get('column_B')}"
        meta = config.meta or {}
        check_def = by_id.get(kwargs.get("column"))
        sample: list = []
        if check_def is not None and check_def.sample_sql:
            cursor = con.execute(check_def.sample_sql)
            names = [d[0] for d in cursor.description]
            sample = [dict(zip(names, row, strict=True)) for row in cursor.fetchmany(SAMPLE_ROWS)]
        elif frame is not None:
            indexes = item.result.get("unexpected_index_list") or []
            sample = frame.iloc[[i if isinstance(i, int) else i.get("index", 0)
                                 for i in indexes][:SAMPLE_ROWS]].to_dict("records")
        entry = {"suite": suite, "expectation": config.type, "column": column,
                 "description": meta.get("description", ""),
                 "observed": item.result.get("partial_unexpected_list", [])[:SAMPLE_ROWS],
                 "sample": json.loads(json.dumps(sample, default=str))}
        if meta.get("severity", "error") == "warn":
            summary["warnings"].append(entry)
        else:
            summary["failed"].append(entry)
            summary["success"] = False
            failures.append(entry)
    return summary


def snapshot_frame(con, chosen):
    """One row per snapshot the run reads: manifest against the files on disk."""
    import pandas as pd

    rows = []
    for snapshot in chosen:
        manifest = json.loads((snapshot.path / "manifest.json").read_text())
        dataset = DATASETS[snapshot.dataset]
        files = [snapshot.path / f["path"] for f in manifest["files"]]
        present = all(f.exists() for f in files)
        digest = hashlib.sha256()
        for path in files if present else []:
            with open(path, "rb") as handle:
                for chunk in iter(lambda h=handle: h.read(1 << 20), b""):
                    digest.update(chunk)
        parquet_rows, missing = 0, len(dataset.fields)
        if present:
            file_list = ", ".join(f"'{f}'" for f in files)
            parquet_rows = con.execute(f"select count(*) from read_parquet([{file_list}])"
                                       ).fetchone()[0]
            columns = {r[0] for r in con.execute(
                f"describe select * from read_parquet([{file_list}])").fetchall()}
            missing = len(set(dataset.fields) - columns)
        rows.append({"dataset": snapshot.dataset, "period": snapshot.period,
                     "snapshot_id": snapshot.snapshot_id, "records": manifest["records"],
                     "total": manifest["total"], "parquet_rows": parquet_rows,
                     "files_present": present,
                     "sha256_matches": present and digest.hexdigest() == manifest["sha256"],
                     "missing_fields": missing})
    return pd.DataFrame(rows)


def _snapshot_expectations(gx) -> list:
    meta = {"severity": "error"}
    return [
        gx.expectations.ExpectColumnPairValuesToBeEqual(
            column_A="records", column_B="total",
            meta=meta | {"description": "a landed snapshot holds the source's total"}),
        gx.expectations.ExpectColumnPairValuesToBeEqual(
            column_A="parquet_rows", column_B="records",
            meta=meta | {"description": "the Parquet files hold what the manifest says"}),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="files_present", value_set=[True],
            meta=meta | {"description": "every file the manifest lists is on disk"}),
        gx.expectations.ExpectColumnValuesToBeInSet(
            column="sha256_matches", value_set=[True],
            meta=meta | {"description": "the files are byte for byte what was landed"}),
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="missing_fields", min_value=0, max_value=0,
            meta=meta | {"description": "every contract field is a column"}),
    ]
