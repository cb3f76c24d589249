"""The simulated window: its years and months, and which months a date range covers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NAT = np.datetime64("NaT", "D")


def day(text: str) -> np.datetime64:
    return np.datetime64(text, "D")


@dataclass(frozen=True)
class Timeline:
    """Consecutive evaluation years; months are indexed 0 .. 12·len(years) − 1."""

    years: tuple[int, ...]
    month_start: np.ndarray = field(init=False, repr=False)
    month_end: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        years = tuple(int(y) for y in self.years)
        if not years or list(years) != list(range(years[0], years[0] + len(years))):
            raise ValueError(f"years must be consecutive and ascending, got {self.years}")
        object.__setattr__(self, "years", years)
        starts = np.array(
            [f"{y}-{m:02d}" for y in years for m in range(1, 13)], dtype="datetime64[M]"
        )
        object.__setattr__(self, "month_start", starts.astype("datetime64[D]"))
        object.__setattr__(self, "month_end", (starts + 1).astype("datetime64[D]") - 1)

    @property
    def n_years(self) -> int:
        return len(self.years)

    @property
    def n_months(self) -> int:
        return 12 * len(self.years)

    @property
    def first_day(self) -> np.datetime64:
        return day(f"{self.years[0]}-01-01")

    @property
    def last_day(self) -> np.datetime64:
        return day(f"{self.years[-1]}-12-31")

    def year_start(self, year_idx: int) -> np.datetime64:
        return day(f"{self.years[year_idx]}-01-01")

    def year_end(self, year_idx: int) -> np.datetime64:
        return day(f"{self.years[year_idx]}-12-31")

    @property
    def year_ends(self) -> np.ndarray:
        return np.array([f"{y}-12-31" for y in self.years], dtype="datetime64[D]")

    @property
    def year_starts(self) -> np.ndarray:
        return np.array([f"{y}-01-01" for y in self.years], dtype="datetime64[D]")

    def month_labels(self) -> list[str]:
        return [f"{y}-{m:02d}" for y in self.years for m in range(1, 13)]

    def covered_months(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Boolean (rows, months): the month overlaps [start, end]; NaT is open."""
        start = np.asarray(start, dtype="datetime64[D]")[:, None]
        end = np.asarray(end, dtype="datetime64[D]")[:, None]
        after = np.isnat(start) | (start <= self.month_end[None, :])
        before = np.isnat(end) | (end >= self.month_start[None, :])
        return after & before

    def overlaps_years(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Boolean (rows, years): the range overlaps the year (rule-pack.md, Semantics)."""
        start = np.asarray(start, dtype="datetime64[D]")[:, None]
        end = np.asarray(end, dtype="datetime64[D]")[:, None]
        after = np.isnat(start) | (start <= self.year_ends[None, :])
        before = np.isnat(end) | (end >= self.year_starts[None, :])
        return after & before

    def on_or_before_year_end(self, dates: np.ndarray) -> np.ndarray:
        """Boolean (rows, years): dated on or before 31 December (NaT: never)."""
        dates = np.asarray(dates, dtype="datetime64[D]")[:, None]
        return ~np.isnat(dates) & (dates <= self.year_ends[None, :])


def random_days(
    rng: np.random.Generator,
    low: np.ndarray | np.datetime64,
    high: np.ndarray | np.datetime64,
    size: int | None = None,
) -> np.ndarray:
    """Uniform dates in [low, high] (inclusive), as datetime64[D]."""
    low_i = np.asarray(low, dtype="datetime64[D]").astype(np.int64)
    high_i = np.asarray(high, dtype="datetime64[D]").astype(np.int64)
    if size is None:
        size = int(np.broadcast(low_i, high_i).size)
    span = np.maximum(high_i - low_i, 0) + 1
    return (low_i + (rng.random(size) * span).astype(np.int64)).astype("datetime64[D]")
