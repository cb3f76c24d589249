"""Periods of the feed contract: `YYYY` for a year, `YYYYQn` for a quarter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_PERIOD = re.compile(r"^(?P<year>[0-9]{4})(?:Q(?P<quarter>[1-4]))?$")


class BadPeriod(ValueError):
    """A period string that is not `YYYY` or `YYYYQn`."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise BadPeriod(f"period {text!r} is not YYYY or YYYYQn")
        year = int(match["year"])
        if not 1900 <= year <= 2999:
            raise BadPeriod(f"period {text!r}: year out of range")
        quarter = match["quarter"]
        return cls(year, int(quarter) if quarter else None)

    def __str__(self) -> str:
        return f"{self.year}" if self.quarter is None else f"{self.year}Q{self.quarter}"

    @property
    def months(self) -> list[str]:
        """The `YYYY-MM` months the period covers."""
        first, last = (1, 12) if self.quarter is None else (3 * self.quarter - 2, 3 * self.quarter)
        return [f"{self.year}-{m:02d}" for m in range(first, last + 1)]

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        if self.quarter is None:
            return date(self.year, 12, 31)
        month = 3 * self.quarter
        return date(self.year, month, 30 if month in (6, 9) else 31)

    @property
    def quarters(self) -> list[str]:
        """`YYYYQn` quarters the period covers (a year: all four)."""
        qs = range(1, 5) if self.quarter is None else [self.quarter]
        return [f"{self.year}Q{q}" for q in qs]
