"""BI access to a publication: DuckDB read-only, SQLAlchemy (duckdb-engine, as Superset uses),
Parquet for tools that cannot open DuckDB, and a reader that keeps reading while the next
run publishes (docs/bi-access.md).
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from mujun.publish import TABLES, current_publication


def published_db(evaluated):
    return evaluated.home / "published" / "mujun.duckdb"


def test_duckdb_opens_the_publication_read_only(evaluated):
    with duckdb.connect(str(published_db(evaluated)), read_only=True) as con:
        tables = {f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        assert {f"{s}.{t}" for s, t, _, _ in TABLES} <= tables
        assert con.execute("select count(*) from marts.enterprise_evaluation "
                           "where year = 2024").fetchone()[0] > 0
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("create table marts.scratch (a int)")


@pytest.mark.parametrize("how", ["url", "connect_args"])
def test_sqlalchemy_reads_through_duckdb_engine(evaluated, how):
    path = published_db(evaluated)
    engine = (sa.create_engine(f"duckdb:///{path}?access_mode=read_only") if how == "url"
              else sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True}))
    try:
        with engine.connect() as con:
            inspector = sa.inspect(con)
            assert {"mujun.marts", "mujun.audit"} <= set(inspector.get_schema_names())
            assert "enterprise_evaluation" in inspector.get_table_names(schema="marts")
            grades = pd.read_sql(sa.text(
                "select grade, count(*) as n from marts.enterprise_evaluation "
                "where year = 2024 and evaluated group by grade"), con)
            assert set(grades["grade"].dropna()) <= {"A", "B", "C", "D"}
            with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                con.execute(sa.text("create table marts.scratch (a int)"))
    finally:
        engine.dispose()


def test_parquet_holds_every_table_as_the_database_does(evaluated):
    folder = current_publication(evaluated.home)
    with duckdb.connect(str(folder / "mujun.duckdb"), read_only=True) as con:
        for schema, table, _, _ in TABLES:
            name = f"{schema}.{table}"
            parquet = pq.read_table(folder / "parquet" / f"{name}.parquet")
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? "
                "and table_name = ? order by ordinal_position", [schema, table]).fetchall()]
            assert parquet.column_names == columns, name
            assert parquet.num_rows == con.execute(
                f"select count(*) from {name}").fetchone()[0], name
        scores = pq.read_table(folder / "parquet" / "marts.enterprise_evaluation.parquet",
                               columns=["score_total"]).column("score_total").to_pylist()
        assert sum(s for s in scores if s is not None) == pytest.approx(con.execute(
            "select sum(score_total) from marts.enterprise_evaluation").fetchone()[0])


def test_a_reader_keeps_reading_while_a_new_run_publishes(evaluated):
    """The reader process held 2023's publication open for the whole 2024 run (conftest)."""
    seen = evaluated.reader
    assert seen["errors"] == [], "opening `published` failed during the run"
    assert seen["reads"] >= 10 and seen["changed"] == []
    assert seen["after"] == seen["first"], "the held connection's data changed"
    assert "2023, 2023" in seen["first"]  # it held the 2023-only publication
    # every fresh open found a whole publication, the old or the new, and finally the new
    years = {year for _, year in seen["fresh"]}
    assert years <= {2023, 2024} and seen["fresh"][0][1] == 2023
    new = current_publication(evaluated.home)
    assert new.name == evaluated.records[2024].run_id
    assert seen["last"] == [str(new), 2024]
    run = json.loads((new / "run.json").read_text())
    assert run["status"] == "published" and run["period"] == "2024"
    old = evaluated.home / "publications" / evaluated.records[2023].run_id
    assert old.is_dir() and old != new  # the previous publication stays readable
