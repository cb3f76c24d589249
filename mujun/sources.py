"""What a run reads: the landed snapshots it chooses and the local reference files.

Of the complete snapshots landed for a dataset and period (manifest records equal
to total), the greatest snapshot id counts (feeds.md); earlier ones stay on disk.
The chosen snapshots become one view per dataset in the work database's `landing`
schema, which dbt declares as its sources. Reference files are loaded, typed, into
`reference`; a missing file is an empty table, and a missing list is reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from mujun.datasets import DATASETS, Dataset


class MissingFeed(RuntimeError):
    """No complete snapshot of a dataset has landed for a period the run needs."""


@dataclass(frozen=True)
class ChosenSnapshot:
    dataset: str
    period: str
    snapshot_id: str
    records: int
    path: Path
    files: tuple[str, ...]


def periods_read(dataset: Dataset, year: int, quarter: int | None) -> list[str]:
    """The periods an annual run (quarter None) or a quarterly run reads (feeds.md)."""
    if quarter is None:
        return [str(year)]
    if dataset.grain in ("monthly", "event"):
        return [f"{year}Q{q}" for q in range(1, quarter + 1)]
    return [f"{year}Q{quarter}"]


def latest_complete(landing_root: Path, dataset: Dataset, period: str) -> ChosenSnapshot | None:
    folder = landing_root / dataset.source / dataset.name / f"period={period}"
    best: ChosenSnapshot | None = None
    for manifest_path in folder.glob("snapshot=*/manifest.json"):
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("records") != manifest.get("total"):
            continue
        if best is None or manifest["snapshot_id"] > best.snapshot_id:
            files = tuple(str(manifest_path.parent / f["path"]) for f in manifest["files"])
            best = ChosenSnapshot(dataset.full_name, period, manifest["snapshot_id"],
                                  manifest["records"], manifest_path.parent, files)
    return best


def choose_snapshots(landing_root: Path, years: list[int], quarter: int | None
                     ) -> list[ChosenSnapshot]:
    """The snapshot of every dataset and period for these years; fails naming what is missing."""
    chosen, missing = [], []
    for dataset in DATASETS.values():
        for year in years:
            for period in periods_read(dataset, year, quarter):
                snapshot = latest_complete(landing_root, dataset, period)
                if snapshot is None:
                    missing.append(f"{dataset.full_name} {period}")
                else:
                    chosen.append(snapshot)
    if missing:
        raise MissingFeed("no complete landed snapshot for: " + ", ".join(missing)
                          + " (run `mujun pull --period ...` first)")
    return chosen


def landed_years(landing_root: Path, year: int) -> bool:
    """True when anything of `year` has landed (prior-year benchmarks need it)."""
    return any(landing_root.glob(f"*/*/period={year}/snapshot=*/manifest.json"))


def register_landing_views(con: duckdb.DuckDBPyConnection, chosen: list[ChosenSnapshot]) -> None:
    """One view per dataset: the chosen snapshots' rows with their period and snapshot id."""
    con.execute("create schema if not exists landing")
    # every snapshot read, empty ones too, so each gets its reconciliation row
    con.execute("create or replace table landing.snapshots (dataset varchar, period varchar, "
                "snapshot_id varchar, records bigint)")
    for snapshot in chosen:
        con.execute("insert into landing.snapshots values (?, ?, ?, ?)",
                    [snapshot.dataset, snapshot.period, snapshot.snapshot_id, snapshot.records])
    for dataset, snapshots in _by_dataset(chosen).items():
        parts = [
            f"select *, {_quote(s.period)} as _period, {_quote(s.snapshot_id)} as _snapshot_id "
            f"from read_parquet([{', '.join(_quote(f) for f in s.files)}], "
            "hive_partitioning = false)"
            for s in snapshots
        ]
        con.execute(f"create or replace view landing.{dataset.relation} as "
                    + " union all ".join(parts))


def forget_superseded(con: duckdb.DuckDBPyConnection, chosen: list[ChosenSnapshot]) -> int:
    """Drop from the staged base tables the snapshots a newer one has replaced.

    Staging is incremental by snapshot (a snapshot is immutable, so one typed once stays
    typed); the latest complete snapshot of a period always wins, so a superseded one is
    never read again. Returns the rows removed.
    """
    present = {name for (name,) in con.execute(
        "select table_name from information_schema.tables where table_schema = 'staging' "
        "and table_catalog = current_database()").fetchall()}
    removed = 0
    for dataset, snapshots in _by_dataset(chosen).items():
        table = f"base_{dataset.relation}"
        if table not in present:
            continue
        periods = ", ".join(_quote(s.period) for s in snapshots)
        kept = ", ".join(_quote(s.snapshot_id) for s in snapshots)
        removed += con.execute(
            f"delete from staging.{table} where _period in ({periods}) "
            f"and _snapshot_id not in ({kept})").fetchone()[0]
    return removed


def _by_dataset(chosen: list[ChosenSnapshot]) -> dict[Dataset, list[ChosenSnapshot]]:
    grouped: dict[Dataset, list[ChosenSnapshot]] = {}
    for snapshot in chosen:
        grouped.setdefault(DATASETS[snapshot.dataset], []).append(snapshot)
    return grouped


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Reference files (docs/reference-data.md): name → typed columns.
REFERENCE_TABLES: dict[str, dict[str, str]] = {
    "enterprise_parcel_links": {"parcel_code": "VARCHAR", "uscc": "VARCHAR",
                                "share": "DECIMAL(9,6)", "year_from": "INTEGER",
                                "year_to": "INTEGER", "changed_by": "VARCHAR",
                                "reason": "VARCHAR"},
    "account_links": {"account_no": "VARCHAR", "uscc": "VARCHAR", "share": "DECIMAL(9,6)",
                      "year_from": "INTEGER", "year_to": "INTEGER", "changed_by": "VARCHAR",
                      "reason": "VARCHAR"},
    "research_land": {"parcel_code": "VARCHAR", "area_m2": "DECIMAL(18,2)", "uscc": "VARCHAR",
                      "changed_by": "VARCHAR", "reason": "VARCHAR"},
    "objections": {"uscc": "VARCHAR", "year": "INTEGER", "figure": "VARCHAR",
                   "original_value": "DECIMAL(24,6)", "corrected_value": "DECIMAL(24,6)",
                   "approved_by": "VARCHAR", "approved_on": "DATE", "evidence": "VARCHAR",
                   "changed_by": "VARCHAR", "reason": "VARCHAR"},
}
LIST_COLUMNS = {"uscc": "VARCHAR", "year_from": "INTEGER", "year_to": "INTEGER",
                "changed_by": "VARCHAR", "reason": "VARCHAR"}


class BadReference(RuntimeError):
    """A reference file that does not parse."""


def load_reference(con: duckdb.DuckDBPyConnection, folder: Path | None) -> list[str]:
    """Load every reference table (empty when absent); returns the list ids found."""
    con.execute("create schema if not exists reference")
    for table, columns in REFERENCE_TABLES.items():
        _load_csv(con, f"reference.{table}", columns,
                  folder / f"{table}.csv" if folder else None)
    list_files = sorted((folder / "lists").glob("*.csv")) if folder else []
    con.execute("create or replace table reference.list_members (list_id varchar, "
                + ", ".join(f"{k} {v}" for k, v in LIST_COLUMNS.items()) + ")")
    for path in list_files:
        _load_csv(con, "reference._list", LIST_COLUMNS, path)
        con.execute("insert into reference.list_members select ?, * from reference._list",
                    [path.stem])
    con.execute("drop table if exists reference._list")
    con.execute("create or replace table reference.lists (list_id varchar)")
    for path in list_files:
        con.execute("insert into reference.lists values (?)", [path.stem])
    return [p.stem for p in list_files]


def _load_csv(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str],
              path: Path | None) -> None:
    ddl = ", ".join(f"{k} {v}" for k, v in columns.items())
    if path is None or not path.exists():
        con.execute(f"create or replace table {table} ({ddl})")
        return
    select = ", ".join(f"cast({k} as {v}) as {k}" for k, v in columns.items())
    try:
        con.execute(f"create or replace table {table} as select {select} from read_csv("
                    f"{_quote(str(path))}, header = true, all_varchar = true)")
    except duckdb.Error as exc:
        raise BadReference(f"{path}: {str(exc).splitlines()[0]}") from None
