"""Faults the simulated source systems inject on demand (`mujun serve --faults`).

SPEC is a comma-separated list of items `kind[:key=value]...`; requests are counted
from 1 over every authorised data request (or only those of `dataset=NAME`):

    429:every=N[:retry_after=S]     every Nth request is rate limited, Retry-After S (1)
    500|502|503:at=N[:count=K]      requests N..N+K-1 fail with that status (K=1)
    500|502|503:every=N             every Nth request fails with that status
    410:at=N                        the first request from N on that carries a cursor
                                    answers 410 (its snapshot "expired")
    short:at=N                      request N returns one record fewer than the page
                                    should hold, its cursor skipping as if it were full
    drop:at=N                       request N sends its headers and half its body, then
                                    closes the connection
    slow:at=N[:seconds=S]           request N waits S seconds (30) before answering

Example: `429:every=7:retry_after=1,503:at=3:count=2,410:at=5`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

KINDS = {"429", "500", "502", "503", "410", "short", "drop", "slow"}
_INT_KEYS = {"every", "at", "count", "retry_after", "seconds"}


class BadFaultSpec(ValueError):
    pass


@dataclass
class Fault:
    kind: str
    every: int | None = None
    at: int | None = None
    count: int = 1
    retry_after: int = 1
    seconds: int = 30
    dataset: str | None = None
    fired: int = 0

    def due(self, n: int) -> bool:
        if self.every is not None:
            return n % self.every == 0
        if self.at is None:
            return False
        if self.kind == "410":  # fires once, on the first request with a cursor from `at` on
            return n >= self.at and self.fired == 0
        return self.at <= n < self.at + self.count


@dataclass
class FaultPlan:
    faults: list[Fault] = field(default_factory=list)
    _counts: dict[str | None, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def parse(cls, spec: str | None) -> FaultPlan:
        faults = []
        for item in filter(None, (s.strip() for s in (spec or "").split(","))):
            kind, *params = item.split(":")
            if kind not in KINDS:
                raise BadFaultSpec(f"fault {item!r}: unknown kind {kind!r}")
            values: dict[str, object] = {}
            for param in params:
                key, sep, value = param.partition("=")
                if not sep:
                    raise BadFaultSpec(f"fault {item!r}: {param!r} is not key=value")
                if key == "dataset":
                    values[key] = value
                elif key in _INT_KEYS and value.isdigit() and int(value) >= 1 - (
                    key == "retry_after"
                ):
                    values[key] = int(value)
                else:
                    raise BadFaultSpec(f"fault {item!r}: bad parameter {param!r}")
            fault = Fault(kind, **values)  # type: ignore[arg-type]
            if fault.every is None and fault.at is None:
                raise BadFaultSpec(f"fault {item!r}: needs every=N or at=N")
            faults.append(fault)
        return cls(faults)

    def next(self, dataset: str, has_cursor: bool) -> Fault | None:
        """Count one request and return the fault it meets, if any."""
        with self._lock:
            due: Fault | None = None
            for key in {None, dataset}:
                self._counts[key] = self._counts.get(key, 0) + 1
            for fault in self.faults:
                if fault.dataset not in (None, dataset):
                    continue
                if fault.kind == "410" and not has_cursor:
                    continue
                if due is None and fault.due(self._counts[fault.dataset]):
                    fault.fired += 1
                    due = fault
            return due
