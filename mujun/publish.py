"""Write-audit-publish: a new publication beside the old, swapped in whole.

    $MUJUN_HOME/publications/<run_id>/   mujun.duckdb, parquet/<schema>.<table>.parquet,
                                          run.json, docs/, reports/, forms/, lineage/
    $MUJUN_HOME/published -> publications/<run_id>   (a symbolic link, replaced by rename)

A publication holds every year and pack published so far: this run's rows replace
the rows of its own period and pack, all others are carried over from the previous
publication. It is built in a hidden folder and renamed in, then the link is
swapped atomically, so a reader sees the old publication or the new one, never a
mix; a reader holding the old file open keeps reading it. The last N publications
stay (MUJUN_KEEP_PUBLICATIONS, default 3).

`audit.*` holds record keys; voucher ids and account numbers are published as a
keyed hash ('h:' + 16 hex characters) unless MUJUN_PUBLISH_RAW_KEYS=1. The key
stays in `$MUJUN_HOME/secrets/`, and `mujun explain` resolves hashes with it.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from mujun.logs import event
from mujun.runs import utc_now

log = logging.getLogger("mujun.publish")

# (schema, table, filled by annual runs, filled by quarterly runs)
TABLES = [
    ("marts", "enterprise_evaluation", True, False),
    ("marts", "parcel_evaluation", True, False),
    ("marts", "region_indicators", True, False),
    ("marts", "grade_policies", True, False),
    ("marts", "low_efficiency", True, False),
    ("marts", "quarterly_monitor", False, True),
    ("audit", "evaluation_trace", True, False),
    ("audit", "quarantine", True, True),
    ("audit", "reconciliation", True, True),
]
# datasets whose record keys are voucher ids or account numbers
SENSITIVE_DATASETS = {"tax.payments": "voucher_id", "grid.accounts": "account_no",
                      "grid.consumption": "account_no"}


@dataclass(frozen=True)
class Publication:
    path: Path
    run_id: str
    seconds: float


def publications_dir(home: Path) -> Path:
    return home / "publications"


def published_link(home: Path) -> Path:
    return home / "published"


def current_publication(home: Path) -> Path | None:
    link = published_link(home)
    return link.resolve() if link.exists() else None


def publish_key(home: Path) -> str:
    """The keyed-hash secret, created on first use, readable by its owner only."""
    folder = home / "secrets"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "publish.key"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    return path.read_text().strip()


def keyed_hash_sql(key: str, expression: str) -> str:
    escaped = key.replace("'", "''")
    digest = f"sha256('{escaped}' || {expression})"
    return f"case when {expression} is null then null else 'h:' || substr({digest}, 1, 16) end"


def _period_predicate(kind: str, year: int, quarter: str | None, rule_pack: str,
                      has_quarter: bool) -> str:
    pack = rule_pack.replace("'", "''")
    if kind == "annual":
        quarter_test = " and quarter is null" if has_quarter else ""
        return f"year = {year} and rule_pack = '{pack}'{quarter_test}"
    return f"year = {year} and rule_pack = '{pack}' and coalesce(quarter = '{quarter}', false)"


def _columns(con, catalog: str, schema: str, table: str) -> list[tuple[str, str]]:
    """(name, type) of each column, in order; empty when the table is absent."""
    rows = con.execute(
        "select column_name, data_type from information_schema.columns where "
        "table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
        [catalog, schema, table]).fetchall()
    return [(name, data_type) for name, data_type in rows]


def _hashed_select(key: str, table: str, columns: list[str]) -> str:
    """The work table's rows with voucher ids and account numbers replaced by keyed hashes."""
    if table not in ("quarantine", "evaluation_trace", "reconciliation"):
        return "*"
    cases = " ".join(f"when '{d}' then {keyed_hash_sql(key, 'record_key')}"
                     for d in SENSITIVE_DATASETS)
    select = []
    for column in columns:
        if column == "record_key":
            select.append(f"case dataset {cases} else record_key end as record_key")
        elif column == "record" and table == "quarantine":
            patches = " ".join(
                f"when '{d}' then json_merge_patch(record, json_object('{f}', "
                f"{keyed_hash_sql(key, f'json_extract_string(record, {chr(39)}$.{f}{chr(39)})')}))"
                for d, f in SENSITIVE_DATASETS.items())
            select.append(f"case dataset {patches} else record end as record")
        elif column == "detail" and table == "reconciliation":
            select.append(
                "case when dataset in ('grid.accounts', 'grid.consumption', "
                "'reference.account_links') and detail is not null "
                "then array_to_string(list_transform(string_split(detail, ', '), lambda k: "
                f"{keyed_hash_sql(key, 'k')}), ', ') else detail end as detail")
        else:
            select.append(f'"{column}"')
    return ", ".join(select)


def publish(home: Path, work_db: Path, record, kind: str, year: int, quarter: str | None,
            extras: dict[str, Path] | None = None, keep: int | None = None) -> Publication:
    """Build the new publication, swap it in, prune old ones; the old one is untouched on error."""
    started = time.perf_counter()
    keep = keep if keep is not None else int(os.environ.get("MUJUN_KEEP_PUBLICATIONS", "3"))
    raw_keys = os.environ.get("MUJUN_PUBLISH_RAW_KEYS") == "1"
    root = publications_dir(home)
    root.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(root)
    staging = root / f".tmp-{record.run_id}"
    final = root / record.run_id
    staging.mkdir()
    try:
        previous = current_publication(home)
        _build_database(staging / "mujun.duckdb", work_db,
                        previous / "mujun.duckdb" if previous else None,
                        kind, year, quarter, record.rule_pack,
                        None if raw_keys else publish_key(home))
        for name, source in (extras or {}).items():
            if source.is_dir():
                shutil.copytree(source, staging / name)
        record.status = "published"
        record.publication = str(final)
        record.ended_at = utc_now()
        from mujun.reports import reader_outputs

        reader_outputs(staging / "mujun.duckdb", staging, record, previous)
        (staging / "run.json").write_text(
            json.dumps(record.__dict__, ensure_ascii=False, indent=2, default=str))
        _fsync_tree(staging)
        os.rename(staging, final)
    except BaseException:
        record.status = "failed"
        record.publication = None
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_link(home, final)
    _prune(root, final, keep)
    seconds = time.perf_counter() - started
    event(log, "published", run_id=record.run_id, path=final, seconds=f"{seconds:.2f}")
    return Publication(final, record.run_id, seconds)


def _build_database(target: Path, work_db: Path, previous_db: Path | None, kind: str, year: int,
                    quarter: str | None, rule_pack: str, key: str | None) -> None:
    """The new publication's database and Parquet, built from the previous one.

    The previous publication is immutable, so its file is copied whole and only the
    run's own period and pack are replaced in the tables the run fills; a table the run
    does not fill keeps its Parquet file too (a hard link). A table whose columns
    changed (a new release) is rebuilt from both sides instead.
    """
    has_previous = previous_db is not None and previous_db.exists()
    if has_previous:
        shutil.copyfile(previous_db, target)
    parquet = target.parent / "parquet"
    parquet.mkdir()
    con = duckdb.connect(str(target))
    try:
        con.execute(f"attach '{work_db}' as work (read_only)")
        here = con.execute("select current_database()").fetchone()[0]
        for schema, table, annual, quarterly in TABLES:
            fills = annual if kind == "annual" else quarterly
            file_name = f"{schema}.{table}.parquet"
            work_columns = _columns(con, "work", schema, table)
            kept_columns = _columns(con, here, schema, table)
            if kept_columns and not fills:
                if _link_or_false(previous_db.parent / "parquet" / file_name, parquet / file_name):
                    continue
            elif kept_columns and work_columns:
                _replace_period(con, schema, table, kept_columns, work_columns, kind, year,
                                quarter, rule_pack, key)
            elif work_columns:
                select = _hashed_select(key, table, [c for c, _ in work_columns]) if key else "*"
                where = "true" if fills else "false"
                con.execute(f"create schema if not exists {schema}")
                con.execute(f"create table {schema}.{table} as "
                            f"select {select} from work.{schema}.{table} where {where}")
            elif not kept_columns:
                continue
            con.execute(f"copy {schema}.{table} to '{parquet / file_name}' "
                        "(format parquet, compression zstd)")
        con.execute("checkpoint")
    finally:
        con.close()


def _replace_period(con, schema: str, table: str, kept_columns: list[tuple[str, str]],
                    work_columns: list[tuple[str, str]], kind: str, year: int,
                    quarter: str | None, rule_pack: str, key: str | None) -> None:
    """The table as published, the run's period and pack replaced by the work rows."""
    names = [c for c, _ in work_columns]
    select = _hashed_select(key, table, names) if key else "*"
    has_quarter = any(c == "quarter" for c, _ in kept_columns)
    period = _period_predicate(kind, year, quarter, rule_pack, has_quarter)
    if sorted(kept_columns) == sorted(work_columns):
        con.execute(f"delete from {schema}.{table} where {period}")
        con.execute(f"insert into {schema}.{table} by name "
                    f"select {select} from work.{schema}.{table}")
        return
    con.execute(f"create table {schema}._{table}_new as "
                f"select * from {schema}.{table} where not ({period}) "
                f"union all by name select {select} from work.{schema}.{table}")
    con.execute(f"drop table {schema}.{table}")
    con.execute(f"alter table {schema}._{table}_new rename to {table}")


def _link_or_false(source: Path, target: Path) -> bool:
    """Hard-link an unchanged file of the previous publication (both stay immutable)."""
    if not source.exists():
        return False
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    return True


def _swap_link(home: Path, target: Path) -> None:
    link = published_link(home)
    tmp = home / f".published-{target.name}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(Path("publications") / target.name, tmp)
    os.replace(tmp, link)


def _prune(root: Path, current: Path, keep: int) -> None:
    done = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.name)
    for old in done[:-keep] if keep > 0 else []:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)


def _remove_stale_temporaries(root: Path) -> None:
    """A killed run leaves its hidden folder, or a folder renamed in but never linked
    (killed before the swap, its run record still "running"); nobody reads either."""
    for stale in root.glob(".tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    current = current_publication(root.parent)
    for folder in root.iterdir():
        if folder.name.startswith(".") or not folder.is_dir() or folder == current:
            continue
        record = root.parent / "runs" / folder.name / "run.json"
        status = json.loads(record.read_text()).get("status") if record.exists() else None
        if record.exists() and status != "published":
            shutil.rmtree(folder, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    # one sync for the whole tree: a publication holds one page per enterprise
    os.sync()
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
