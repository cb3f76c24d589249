"""Defects injected into the feeds, at documented rates, each one tagged.

A rate is a share of the clean records of one dataset (for periodic datasets, of
each year's records), and it is met exactly: round(rate × records) records are
picked without replacement. Every defect is written to `truth/defects.parquet`
with the record's key (as delivered, codes normalised), the enterprise it is
about, the year and whether it `touches_truth`: a defect the feed contract lets a
pipeline undo (cosmetic codes, duplicate vouchers, an actual reading beside an
estimated one, reversals, an oversized lease, a later re-delivery) does not, and
the truth rows of that enterprise-year stay comparable; every other defect marks
them `defect_touched`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mujun.codes import normalise_code
from mujun.datasets import Dataset
from mujun.simulate import identifiers, text
from mujun.simulate.rng import pick
from mujun.simulate.writer import feed_columns

# defect -> dataset -> share of that dataset's clean records (per year for periodic ones)
DEFECT_RATES: dict[str, dict[str, float]] = {
    "invalid_uscc": {
        "tax.payments": 0.0005,
        "tax.reliefs": 0.003,
        "tax.social_insurance": 0.001,
        "stats.annual": 0.003,
        "stats.energy_use": 0.003,
        "env.emissions": 0.003,
        "land.parcels": 0.005,
        "land.leases": 0.005,
        "grid.accounts": 0.005,
    },
    "cosmetic_code": {
        "tax.taxpayers": 0.01,
        "tax.payments": 0.01,
        "tax.reliefs": 0.01,
        "tax.social_insurance": 0.01,
        "land.parcels": 0.01,
        "land.leases": 0.01,
        "land.surveys": 0.01,
        "stats.enterprises": 0.01,
        "stats.annual": 0.01,
        "stats.energy_use": 0.01,
        "stats.quarterly": 0.01,
        "grid.accounts": 0.01,
        "grid.consumption": 0.01,
        "env.emissions": 0.01,
        "env.incidents": 0.01,
    },
    "duplicate_voucher": {"tax.payments": 0.002},
    "reversal": {"tax.payments": 0.002},
    "bad_value": {"tax.payments": 0.0002},
    "estimated_reading": {"grid.consumption": 0.03},
    "actual_and_estimated": {"grid.consumption": 0.002},
    "unknown_unit": {"stats.energy_use": 0.01},
    "area_in_mu": {"land.parcels": 0.01},
    "lease_exceeds_parcel": {"land.leases": 0.02},
    "account_of_deregistered": {"grid.accounts": 0.003},
    # the re-delivered snapshot of the last year (shares of that year's records)
    "redelivery_corrected": {"tax.payments": 0.002},
    "redelivery_added": {"tax.payments": 0.001},
    "redelivery_withdrawn": {"tax.payments": 0.001},
}

# defects whose effect the feed contract lets a pipeline undo exactly
RECOVERABLE = frozenset(
    {
        "cosmetic_code",
        "duplicate_voucher",
        "reversal",
        "estimated_reading",
        "actual_and_estimated",
        "lease_exceeds_parcel",
        "redelivery_corrected",
        "redelivery_added",
        "redelivery_withdrawn",
    }
)

# which code fields get a cosmetic variant, per dataset (each at the dataset's rate)
COSMETIC_FIELDS: dict[str, tuple[str, ...]] = {
    "tax.taxpayers": ("uscc",),
    "tax.payments": ("uscc",),
    "tax.reliefs": ("uscc",),
    "tax.social_insurance": ("uscc",),
    "land.parcels": ("parcel_code", "holder_uscc"),
    "land.leases": ("parcel_code", "lessee_uscc"),
    "land.surveys": ("user_uscc",),
    "stats.enterprises": ("uscc",),
    "stats.annual": ("uscc",),
    "stats.energy_use": ("uscc",),
    "stats.quarterly": ("uscc",),
    "grid.accounts": ("account_no", "holder_uscc"),
    "grid.consumption": ("account_no",),
    "env.emissions": ("uscc",),
    "env.incidents": ("uscc",),
}
CODE_FIELDS = frozenset(
    {
        "uscc",
        "parcel_code",
        "account_no",
        "attached_to",
        "holder_uscc",
        "lessor_uscc",
        "lessee_uscc",
        "user_uscc",
        "group_uscc",
    }
)


def count_for(defect: str, dataset: str, records: int) -> int:
    """How many of `records` clean records get `defect` (0 when no rate is set)."""
    return int(round(DEFECT_RATES.get(defect, {}).get(dataset, 0.0) * records))


@dataclass
class Frame:
    """One delivery of a dataset being assembled: string columns plus bookkeeping.

    `entity` is the enterprise (index into the population) each record is about,
    -1 for none; `year_idx` the simulated year it falls in, -1 for every year (a
    register record). `tainted` keeps two defects off one record.
    """

    dataset: Dataset
    columns: dict[str, pa.Array]
    entity: np.ndarray
    year_idx: np.ndarray
    tainted: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        n = len(self.entity)
        for name, col in self.columns.items():
            if len(col) != n:
                raise ValueError(f"{self.dataset.full_name}.{name}: {len(col)} rows, not {n}")
        if self.tainted is None:
            self.tainted = np.zeros(n, dtype=bool)
        self.year_idx = np.broadcast_to(np.asarray(self.year_idx, dtype=np.int64), (n,)).copy()

    def __len__(self) -> int:
        return len(self.entity)

    def take(self, rows: np.ndarray) -> Frame:
        idx = pa.array(np.asarray(rows, dtype=np.int64))
        return Frame(
            self.dataset,
            {k: v.take(idx) for k, v in self.columns.items()},
            self.entity[rows],
            self.year_idx[rows],
            self.tainted[rows],
        )

    def concat(self, other: Frame) -> Frame:
        return Frame(
            self.dataset,
            {k: pa.concat_arrays([v, other.columns[k]]) for k, v in self.columns.items()},
            np.concatenate([self.entity, other.entity]),
            np.concatenate([self.year_idx, other.year_idx]),
            np.concatenate([self.tainted, other.tainted]),
        )

    def table(self) -> pa.Table:
        names = feed_columns(self.dataset)
        missing = set(names) - set(self.columns)
        if missing:
            raise ValueError(f"{self.dataset.full_name}: no column {sorted(missing)}")
        return pa.table({n: self.columns[n].cast(pa.string()) for n in names})

    def values(self, name: str, rows: np.ndarray) -> list[str | None]:
        return self.columns[name].take(pa.array(np.asarray(rows, dtype=np.int64))).to_pylist()

    def keys(self, rows: np.ndarray) -> list[str]:
        """The record keys at `rows` as JSON, codes normalised (feeds.md, Record keys)."""
        parts = {k: self.values(k, rows) for k in self.dataset.key}
        out = []
        for i in range(len(rows)):
            key = {
                k: (normalise_code(v[i]) if k in CODE_FIELDS else v[i]) for k, v in parts.items()
            }
            out.append(json.dumps(key, ensure_ascii=False, separators=(",", ":")))
        return out

    def replace(self, name: str, rows: np.ndarray, values: Sequence[str | None]) -> None:
        self.columns[name] = text.replace(self.columns[name], np.asarray(rows), values)


class DefectLog:
    """Collects the tags of `truth/defects.parquet` and the touched enterprise-years."""

    def __init__(self, uscc: np.ndarray, years: tuple[int, ...]) -> None:
        self.uscc = uscc
        self.years = years
        self.touched = np.zeros((len(uscc), len(years)), dtype=bool)
        self._rows: dict[str, list] = {
            k: [] for k in ("dataset", "key", "uscc", "year", "defect", "detail", "touches_truth")
        }
        self.counts: dict[str, dict[str, int]] = {}

    def tag(
        self,
        frame: Frame,
        rows: np.ndarray,
        defect: str,
        details: Sequence[dict] | dict | None = None,
    ) -> None:
        """Tag `rows` of `frame` (positions at the time of tagging)."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0:
            return
        if details is None or isinstance(details, dict):
            details = [details or {}] * len(rows)
        if frame.dataset.grain == "register" and "_valid_from" in frame.columns:
            since = frame.values("_valid_from", rows)
            details = [{**d, "valid_from": s} for d, s in zip(details, since, strict=True)]
        self.record(
            frame.dataset.full_name,
            frame.keys(rows),
            frame.entity[rows],
            frame.year_idx[rows],
            defect,
            details,
        )
        frame.tainted[rows] = True

    def record(
        self,
        dataset: str,
        keys: Sequence[str],
        entity: np.ndarray,
        year_idx: np.ndarray,
        defect: str,
        details: Sequence[dict],
    ) -> None:
        """Tag records that are not (or no longer) in a frame."""
        entity = np.asarray(entity, dtype=np.int64)
        year_idx = np.broadcast_to(np.asarray(year_idx, dtype=np.int64), entity.shape)
        touches = defect not in RECOVERABLE
        rows = self._rows
        rows["dataset"].extend([dataset] * len(keys))
        rows["key"].extend(keys)
        rows["uscc"].extend([self.uscc[e] if e >= 0 else None for e in entity.tolist()])
        rows["year"].extend([self.years[y] if y >= 0 else None for y in year_idx.tolist()])
        rows["defect"].extend([defect] * len(keys))
        rows["detail"].extend(
            json.dumps(d, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
            for d in details
        )
        rows["touches_truth"].extend([touches] * len(keys))
        per = self.counts.setdefault(defect, {})
        per[dataset] = per.get(dataset, 0) + len(keys)
        if touches:
            self.touch(entity, year_idx)

    def touch(self, entity: np.ndarray, year_idx: np.ndarray) -> None:
        """Mark enterprise-years whose figures a defect changes (year -1: every year)."""
        entity = np.asarray(entity, dtype=np.int64)
        year_idx = np.broadcast_to(np.asarray(year_idx, dtype=np.int64), entity.shape)
        ok = entity >= 0
        every = ok & (year_idx < 0)
        self.touched[entity[every], :] = True
        one = ok & (year_idx >= 0)
        self.touched[entity[one], year_idx[one]] = True

    def table(self) -> pa.Table:
        r = self._rows
        return pa.table(
            {
                "dataset": pa.array(r["dataset"], pa.string()),
                "key": pa.array(r["key"], pa.string()),
                "uscc": pa.array(r["uscc"], pa.string()),
                "year": pa.array(r["year"], pa.int32()),
                "defect": pa.array(r["defect"], pa.string()),
                "detail": pa.array(r["detail"], pa.string()),
                "touches_truth": pa.array(r["touches_truth"], pa.bool_()),
            }
        )


# ---- generic injections ---------------------------------------------------------------


def inject_cosmetic(log: DefectLog, rng: np.random.Generator, frame: Frame) -> None:
    """Full-width, lower-case or space-padded codes: not errors once normalised."""
    dataset = frame.dataset.full_name
    for name in COSMETIC_FIELDS.get(dataset, ()):
        col = frame.columns[name]
        ok = ~frame.tainted & ~np.asarray(pc.is_null(col), dtype=bool)
        rows = pick(rng, np.flatnonzero(ok), count_for("cosmetic_code", dataset, len(frame)))
        if len(rows) == 0:
            continue
        kinds = rng.integers(0, len(identifiers.COSMETIC_KINDS), size=len(rows))
        originals = frame.values(name, rows)
        variants = [
            identifiers.cosmetic(code, identifiers.COSMETIC_KINDS[k])
            for code, k in zip(originals, kinds.tolist(), strict=True)
        ]
        frame.replace(name, rows, variants)
        log.tag(
            frame,
            rows,
            "cosmetic_code",
            [
                {"field": name, "variant": identifiers.COSMETIC_KINDS[k], "code": c}
                for k, c in zip(kinds.tolist(), originals, strict=True)
            ],
        )


def inject_invalid_uscc(
    log: DefectLog,
    rng: np.random.Generator,
    frame: Frame,
    name: str = "uscc",
    eligible: np.ndarray | None = None,
) -> np.ndarray:
    """A USCC whose check character is wrong: quarantined, or unknown in pointer fields."""
    dataset = frame.dataset.full_name
    col = frame.columns[name]
    ok = ~frame.tainted & ~np.asarray(pc.is_null(col), dtype=bool) & (frame.entity >= 0)
    if eligible is not None:
        ok &= eligible
    rows = pick(rng, np.flatnonzero(ok), count_for("invalid_uscc", dataset, len(frame)))
    if len(rows) == 0:
        return rows
    originals = frame.values(name, rows)
    shifts = rng.integers(1, 31, size=len(rows))
    frame.replace(
        name,
        rows,
        [identifiers.wrong_check(c, s) for c, s in zip(originals, shifts.tolist(), strict=True)],
    )
    log.tag(frame, rows, "invalid_uscc", [{"field": name, "code": c} for c in originals])
    return rows
