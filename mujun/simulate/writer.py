"""Byte-stable output: Parquet with fixed options, CSV with fixed dialect.

The same seed must give the same bytes (so a county can be checked into a test
fixture or compared across machines): no timestamps anywhere, one compression
codec and level, row groups of a fixed size, columns always strings.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from mujun.datasets import Dataset
from mujun.simulate import layout

ROW_GROUP_SIZE = 262_144
_PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
}


def feed_columns(dataset: Dataset) -> list[str]:
    """The contract fields in contract order, plus validity for registers (layout.py)."""
    extra = [layout.VALID_FROM, layout.VALID_TO] if dataset.grain == "register" else []
    return [*dataset.fields, *extra]


def feed_schema(dataset: Dataset) -> pa.Schema:
    """All strings, nullable: feeds.md sends every value as a JSON string or null."""
    return pa.schema([pa.field(name, pa.string()) for name in feed_columns(dataset)])


def write_parquet(path: Path, table: pa.Table) -> None:
    """One table to one file, with the fixed options that keep the bytes stable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, row_group_size=ROW_GROUP_SIZE, **_PARQUET_OPTIONS)


class FeedWriter:
    """Appends tables of one dataset to its Parquet file (big feeds are made year by year)."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.schema = schema
        self.rows = 0
        self._writer = pq.ParquetWriter(path, schema, **_PARQUET_OPTIONS)

    def write(self, table: pa.Table) -> None:
        table = table.select(self.schema.names).cast(self.schema)
        self._writer.write_table(table, row_group_size=ROW_GROUP_SIZE)
        self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()

    def __enter__(self) -> FeedWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """UTF-8 CSV with a header, `\\n` line ends, empty cells for None; returns the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        for row in rows:
            out.writerow(["" if v is None else v for v in row])
            count += 1
    return count
