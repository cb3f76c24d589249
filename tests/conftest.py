"""Shared fixtures: a tiny hand-made county in the simulator's layout, and a server on it."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mujun.datasets import DATASETS, SOURCES
from mujun.simulate import layout

TOKENS = {s: f"tok-{s}-{'x' * 24}-secret" for s in SOURCES}
YEAR = 2024


def _value(field: str, i: int, month: str) -> str | None:
    if field in ("month",):
        return month
    if field == "year":
        return str(YEAR)
    if field == "quarter":
        return f"{YEAR}Q{(int(month[5:]) - 1) // 3 + 1}"
    if field == "date":
        return f"{month}-15"
    return f"{field}-{i}"


def _rows(dataset_name: str, count: int) -> dict[str, list]:
    dataset = DATASETS[dataset_name]
    columns: dict[str, list] = {f: [] for f in dataset.fields}
    for i in range(count):
        month = f"{YEAR}-{i % 12 + 1:02d}"
        for field in dataset.fields:
            columns[field].append(_value(field, i, month))
    if dataset.grain == "register":
        columns[layout.VALID_FROM] = ["2020-01-01"] * count
        # the last record left the register in March: not in the annual register
        columns[layout.VALID_TO] = [None] * (count - 1) + [f"{YEAR}-03-31"]
    return columns


def write_county(root: Path, rows_per_dataset: int = 23,
                 redeliveries: dict[str, int] | None = None) -> Path:
    """Every dataset with `rows_per_dataset` records, months spread over the year."""
    (root / "feeds").mkdir(parents=True)
    meta = {"format_version": 1, "seed": 0, "scale": rows_per_dataset, "years": [YEAR],
            "redeliveries": []}
    for name, dataset in DATASETS.items():
        table = pa.table({k: pa.array(v, pa.string())
                          for k, v in _rows(name, rows_per_dataset).items()})
        pq.write_table(table, layout.feed_path(root, dataset))
    for name, count in (redeliveries or {}).items():
        dataset = DATASETS[name]
        from mujun.periods import Period
        path = layout.redelivery_path(root, dataset, Period(YEAR))
        path.parent.mkdir(parents=True, exist_ok=True)
        table = pa.table({k: pa.array(v, pa.string()) for k, v in _rows(name, count).items()})
        pq.write_table(table, path)
        when = layout.base_delivery_time(dataset.source, Period(YEAR)).replace(hour=12)
        meta["redeliveries"].append({"dataset": name, "period": str(YEAR),
                                     "delivered_at": f"{when:%Y%m%dT%H%M}",
                                     "path": str(path.relative_to(root))})
    (root / layout.SIMULATION_FILE).write_text(json.dumps(meta))
    return root


@pytest.fixture
def tiny_county(tmp_path) -> Path:
    return write_county(tmp_path / "county")


@pytest.fixture
def tokens() -> dict[str, str]:
    return dict(TOKENS)
