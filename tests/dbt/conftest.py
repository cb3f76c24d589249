"""Run the real pipeline (real dbt on a real DuckDB file) on hand-built feeds."""

from __future__ import annotations

from pathlib import Path

import duckdb

from mujun import pipeline
from mujun.rulepack import load_pack
from tests.fixtures.golden import GoldenCounty

PACKS = Path(__file__).resolve().parents[1] / "fixtures" / "packs"


def run_golden(county: GoldenCounty, home: Path, pack: str = "golden-ratio",
               periods: list[str] | None = None):
    """Land the county, run the annual evaluation, return (record, read-only connection)."""
    county.land_all(home / "landing", periods)
    reference = county.write_reference(home / "reference") if county.reference else None
    ref = str(PACKS / f"{pack}.yml") if (PACKS / f"{pack}.yml").exists() else pack
    record = pipeline.run_annual(home, county.year, load_pack(ref), reference)
    return record, duckdb.connect(str(home / "work.duckdb"), read_only=True)


def rows(con, sql: str, *params) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def one(con, sql: str, *params) -> dict:
    found = rows(con, sql, *params)
    assert len(found) == 1, f"expected one row, got {len(found)}: {found}"
    return found[0]
