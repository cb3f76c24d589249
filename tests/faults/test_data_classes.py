"""Data classes: published marts hold no raw tax voucher ids or grid account numbers; audit
tables hold them as keyed hashes unless MUJUN_PUBLISH_RAW_KEYS=1; the README says what
each published table holds and who may read it.

Two publications are searched: the hostile county's (quarantined vouchers and accounts,
an account linked to nobody, a reference row naming an account no feed delivered) and
the served county's (3,000 vouchers, 100 accounts). Every value of every table, in the
DuckDB file and in its Parquet copies, is looked at as text.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from connectors.landing import read_snapshot
from mujun.publish import TABLES, publish
from mujun.runs import RunRecord
from tests.faults import hostile
from tests.faults.conftest import YEAR
from tests.faults.harness import REPO, published_target

pytestmark = pytest.mark.faults

HASH = re.compile(r"h:[0-9a-f]{16}")
SENSITIVE = {"tax.payments": "voucher_id", "grid.accounts": "account_no",
             "grid.consumption": "account_no"}


def raw_keys(landing: Path) -> set[str]:
    """Every voucher id and account number landed, as delivered and normalised (8+ chars)."""
    found: set[str] = set()
    for dataset, column in SENSITIVE.items():
        source, name = dataset.split(".")
        for snapshot in landing.glob(f"{source}/{name}/period=*/snapshot=*"):
            for value in read_snapshot(snapshot).column(column).to_pylist():
                if value:
                    found |= {value, re.sub(r"\s", "", value).upper()}
    return {v for v in found if len(v) >= 8}


def cells(con, relation: str) -> Iterator[tuple[str, str]]:
    """Every text value of a relation (lists, structs and JSON as their JSON text); numbers
    and dates are skipped: a key is text, and digits of a DOUBLE would match by chance."""
    cursor = con.execute(f"select * from {relation}")
    names = [d[0] for d in cursor.description]
    for row in cursor.fetchall():
        for name, value in zip(names, row, strict=True):
            if isinstance(value, str):
                yield name, value
            elif isinstance(value, list | dict | tuple):
                yield name, json.dumps(value, default=str, ensure_ascii=False)


WORD = re.compile(r"[0-9A-Za-z_-]+")


def finder(keys: set[str]):
    """A function: text → the keys it holds. Keys made of word characters are matched as
    whole words (one set intersection, fast over thousands of keys), the others as text."""
    words = {k for k in keys if WORD.fullmatch(k)}
    others = keys - words

    def find(text: str) -> set[str]:
        return (words & set(WORD.findall(text))) | {k for k in others if k in text}

    return find


def leaks(publication: Path, schema: str, keys: set[str]) -> list[str]:
    """'<table>.<column>: <key>' for each raw key found in a table or its Parquet copy."""
    found = []
    find = finder(keys)
    con = duckdb.connect(str(publication / "mujun.duckdb"), read_only=True)
    try:
        for table_schema, table, _, _ in TABLES:
            if table_schema != schema:
                continue
            parquet = publication / "parquet" / f"{schema}.{table}.parquet"
            for relation in (f"{schema}.{table}", f"read_parquet('{parquet}')"):
                for column, text in cells(con, relation):
                    found += [f"{schema}.{table}.{column}: {k[:20]!r}" for k in find(text)]
    finally:
        con.close()
    return sorted(set(found))


@pytest.fixture(scope="module")
def counties(hostile_runs, served) -> dict[str, tuple[Path, set[str]]]:
    run = hostile_runs["hostile"]
    assert run.proc.popen.returncode == 0, run.proc.describe()
    return {"hostile": (run.home, raw_keys(run.home / "landing")),
            "served": (served.home, raw_keys(served.home / "landing"))}


@pytest.mark.parametrize("name", ["hostile", "served"])
def test_marts_hold_no_voucher_ids_or_account_numbers(name, counties, fault):
    fault(f"data class: raw voucher ids / account numbers in marts.* ({name} county)")
    home, keys = counties[name]
    assert len(keys) > 10
    assert leaks(published_target(home), "marts", keys) == []


@pytest.mark.parametrize("name", ["hostile", "served"])
def test_audit_record_keys_and_records_are_keyed_hashes(name, counties, fault):
    fault(f"data class: audit record keys and quarantined records hashed ({name} county)")
    home, _ = counties[name]
    con = duckdb.connect(str(published_target(home) / "mujun.duckdb"), read_only=True)
    try:
        keys = con.execute("select dataset, record_key from audit.evaluation_trace "
                           "where dataset in ('tax.payments', 'grid.accounts', "
                           "'grid.consumption') and record_key is not null union all "
                           "select dataset, record_key from audit.quarantine where dataset in "
                           "('tax.payments', 'grid.accounts', 'grid.consumption')").fetchall()
        records = con.execute("select dataset, record from audit.quarantine "
                              "where dataset in ('tax.payments', 'grid.accounts', "
                              "'grid.consumption')").fetchall()
    finally:
        con.close()
    assert keys
    assert [k for k in keys if not HASH.fullmatch(k[1] or "")] == []
    for dataset, record in records:
        value = json.loads(record)[SENSITIVE[dataset]]
        assert value is None or HASH.fullmatch(value), (dataset, value[:40])


def test_no_raw_key_anywhere_in_audit_tables(counties, fault):
    fault("data class: raw account numbers anywhere in audit.* (default configuration)")
    home, keys = counties["hostile"]
    keys = keys | {hostile.account(499)}  # the reference row's account, delivered by no feed
    assert leaks(published_target(home), "audit", keys) == []


@pytest.mark.parametrize("name", ["hostile", "served"])
def test_nothing_else_in_the_publication_holds_a_raw_key(name, counties, fault):
    fault(f"data class: raw keys in run.json, docs, reports, lineage ({name} county)")
    home, keys = counties[name]
    target = published_target(home)
    find = finder(keys)
    found = []
    for path in sorted(target.rglob("*")):
        if path.is_file() and path.suffix not in (".duckdb", ".parquet"):
            text = path.read_bytes().decode("utf-8", "replace")
            found += [f"{path.relative_to(target)}: {k[:20]!r}" for k in find(text)]
    assert found == []


def test_raw_keys_are_published_only_when_configured(counties, tmp_path, monkeypatch, fault):
    fault("data class: MUJUN_PUBLISH_RAW_KEYS=1 publishes keys as they are (audit only)")
    source, keys = counties["hostile"]
    home = tmp_path / "home"
    shutil.copytree(source, home, symlinks=True)
    record = RunRecord.load(home, published_target(home).name)
    record.run_id += "-raw"
    monkeypatch.setenv("MUJUN_PUBLISH_RAW_KEYS", "1")
    publish(home, home / "work.duckdb", record, "annual", YEAR, None)
    target = published_target(home)
    assert target.name == record.run_id
    con = duckdb.connect(str(target / "mujun.duckdb"), read_only=True)
    traced = {r[0] for r in con.execute("select record_key from audit.evaluation_trace "
                                        "where dataset = 'tax.payments'").fetchall()}
    con.close()
    assert "VCH-1" in traced and hostile.SQL_VOUCHER in traced
    assert not any(HASH.fullmatch(k) for k in traced)
    assert leaks(target, "marts", keys) == []


def test_the_readme_names_what_each_published_table_holds_and_who_may_read_it(fault):
    fault("data class: README names each table's contents and readers")
    text = (REPO / "README.md").read_text()
    section = text.split("### What each published table holds, and who may read it", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells_ = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells_) == 3 and cells_[0].startswith("`"):
            rows[cells_[0].strip("`")] = (cells_[1], cells_[2])
    assert set(rows) == {f"{s}.{t}" for s, t, _, _ in TABLES}
    assert all(holds and readers for holds, readers in rows.values())
    assert "never holds voucher ids, account numbers" in section
    assert "keyed hash" in section and "MUJUN_PUBLISH_RAW_KEYS=1" in section
