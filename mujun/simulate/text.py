"""Vectorised string columns: every feed value is a string (feeds.md, "Values").

Decimals are built from integer units (cents, tenths, thousandths) so that no
value ever passes through a float: the integers are laid into Arrow decimal128
buffers and cast to text by Arrow, which writes plain notation ("12345.67").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

STRING = pa.string()


def decimals(units: np.ndarray, scale: int, null: np.ndarray | None = None) -> pa.Array:
    """Integer `units` of 10^-scale as decimal strings (`123456`, 2 → "1234.56")."""
    units = np.ascontiguousarray(units, dtype=np.int64)
    high = np.where(units < 0, -1, 0).astype(np.int64)
    buffer = pa.py_buffer(np.stack([units, high], axis=1).tobytes())
    array = pa.Array.from_buffers(pa.decimal128(38, scale), len(units), [None, buffer])
    text = array.cast(STRING)
    return _with_nulls(text, null)


def integers(values: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Integers as strings ("42")."""
    text = pa.array(np.asarray(values, dtype=np.int64)).cast(STRING)
    return _with_nulls(text, null)


def dates(days: np.ndarray) -> pa.Array:
    """datetime64[D] as `YYYY-MM-DD`; NaT becomes null."""
    days = np.asarray(days, dtype="datetime64[D]")
    return pa.array(days, pa.date32(), mask=np.isnat(days)).cast(STRING)


def take(pool: Sequence[str | None] | pa.Array | np.ndarray, idx: np.ndarray) -> pa.Array:
    """`pool[idx]` as strings; a negative index gives null."""
    if not isinstance(pool, pa.Array):
        pool = pa.array(list(pool), STRING)
    idx = np.asarray(idx, dtype=np.int64)
    return pool.take(pa.array(idx, mask=idx < 0))


def join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays and constant strings."""
    return pc.binary_join_element_wise(*parts, "")


def zpad(values: np.ndarray, width: int) -> pa.Array:
    """Non-negative integers left-padded with zeros to `width`."""
    return pc.utf8_lpad(integers(values), width, "0")


def replace(array: pa.Array, positions: np.ndarray, values: Sequence[str | None]) -> pa.Array:
    """`array` with the sorted, distinct `positions` replaced by `values`."""
    if len(positions) == 0:
        return array
    mask = np.zeros(len(array), dtype=bool)
    mask[positions] = True
    order = np.argsort(positions, kind="stable")
    ordered = [values[i] for i in order]
    return pc.replace_with_mask(array, pa.array(mask), pa.array(ordered, STRING))


def const(value: str | None, n: int) -> pa.Array:
    return pa.array([value] * n, STRING) if value is None else pa.repeat(value, n)


def _with_nulls(text: pa.Array, null: np.ndarray | None) -> pa.Array:
    if null is None or not np.any(null):
        return text
    return pc.if_else(pa.array(np.asarray(null, dtype=bool)), pa.scalar(None, STRING), text)
