"""Pull one dataset for one period: walk the cursors, check completeness, land.

The first page names the snapshot; if that snapshot is already landed the pull
stops there (re-pulling is a no-op). A 410 restarts from the first page; a
snapshot id that changes without one, a schema version other than the contract's,
or a record count other than `total` fails the pull and lands nothing.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from connectors.errors import IncompletePull, NotConfigured, SchemaMismatch, SnapshotExpired
from connectors.http import FeedClient, RetryPolicy
from connectors.landing import LandingWriter, is_landed, snapshot_dir
from mujun.datasets import SCHEMA_VERSION, Dataset, datasets_of
from mujun.logs import event
from mujun.periods import Period
from mujun.settings import Settings

log = logging.getLogger("mujun.connectors.pull")

PAGE_LIMIT = 5000
MAX_RESTARTS = 3


@dataclass(frozen=True)
class PullResult:
    dataset: str
    period: str
    snapshot_id: str
    status: str  # "landed" or "already_landed"
    records: int
    total: int
    seconds: float
    path: Path

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


def pull(client: FeedClient, dataset: Dataset, period: Period, landing_root: Path,
         limit: int = PAGE_LIMIT) -> PullResult:
    """Land the current snapshot of `dataset` for `period`, or fail landing nothing."""
    started = time.perf_counter()
    period_text = str(period)
    for attempt in range(MAX_RESTARTS + 1):
        first = _checked(client.get_page(dataset.full_name, period_text, limit, None),
                         dataset, period_text)
        snapshot_id, total = first["snapshot_id"], first["total"]
        if is_landed(landing_root, dataset, period_text, snapshot_id):
            event(log, "already landed", dataset=dataset.full_name, period=period_text,
                  snapshot=snapshot_id)
            return PullResult(dataset.full_name, period_text, snapshot_id, "already_landed",
                              0, total, time.perf_counter() - started,
                              snapshot_dir(landing_root, dataset, period_text, snapshot_id))
        writer = LandingWriter(landing_root, dataset, period_text)
        try:
            _walk(client, dataset, period_text, limit, first, writer)
        except SnapshotExpired:
            writer.abort()
            event(log, "snapshot expired, restarting", logging.WARNING,
                  dataset=dataset.full_name, period=period_text, attempt=attempt + 1)
            continue
        except BaseException:
            writer.abort()
            raise
        if writer.records != total:
            writer.abort()
            raise IncompletePull(f"{dataset.full_name} {period_text} {snapshot_id}: received "
                                 f"{writer.records} records, the source's total is {total}")
        landed = writer.commit(snapshot_id=snapshot_id, total=total, base_url=client.base_url)
        seconds = time.perf_counter() - started
        event(log, "landed", dataset=dataset.full_name, period=period_text,
              snapshot=snapshot_id, records=writer.records, seconds=f"{seconds:.2f}")
        return PullResult(dataset.full_name, period_text, snapshot_id, "landed",
                          writer.records, total, seconds, landed.path)
    raise SnapshotExpired(f"{dataset.full_name} {period_text}: snapshot expired "
                          f"{MAX_RESTARTS + 1} times in a row")


def _walk(client: FeedClient, dataset: Dataset, period: str, limit: int, page: dict,
          writer: LandingWriter) -> None:
    snapshot_id = page["snapshot_id"]
    while True:
        writer.write(page["records"])
        if writer.records > page["total"]:
            raise IncompletePull(f"{dataset.full_name} {period}: more records than total")
        cursor = page.get("next_cursor")
        if not cursor:
            return
        page = _checked(client.get_page(dataset.full_name, period, limit, cursor),
                        dataset, period)
        if page["snapshot_id"] != snapshot_id:
            raise IncompletePull(f"{dataset.full_name} {period}: snapshot changed mid-pull "
                                 f"from {snapshot_id} to {page['snapshot_id']}")


def _checked(page: dict, dataset: Dataset, period: str) -> dict:
    """The page, if it is the contract's answer to what was asked."""
    if not isinstance(page, dict):
        raise SchemaMismatch(f"{dataset.full_name} {period}: the body is not a JSON object")
    if page.get("schema_version") != SCHEMA_VERSION:
        raise SchemaMismatch(f"{dataset.full_name} {period}: schema_version "
                             f"{page.get('schema_version')!r}, expected {SCHEMA_VERSION}")
    if page.get("dataset") != dataset.full_name or page.get("period") != period:
        raise SchemaMismatch(f"{dataset.full_name} {period}: the answer is for "
                             f"{page.get('dataset')!r} {page.get('period')!r}")
    if not isinstance(page.get("records"), list) or not isinstance(page.get("total"), int) \
            or not isinstance(page.get("snapshot_id"), str):
        raise SchemaMismatch(f"{dataset.full_name} {period}: records, total or snapshot_id "
                             f"missing or of the wrong type")
    # the id names a folder: only the contract's shape may reach the file system
    if not re.fullmatch(rf"{dataset.source}-{re.escape(period)}-[0-9]{{8}}T[0-9]{{4}}",
                        page["snapshot_id"]):
        raise SchemaMismatch(f"{dataset.full_name} {period}: snapshot_id "
                             f"{page['snapshot_id'][:80]!r} is not <source>-<period>-<time>")
    if not all(isinstance(record, dict) for record in page["records"]):
        raise SchemaMismatch(f"{dataset.full_name} {period}: a record is not a JSON object")
    return page


def client_for(settings: Settings, source: str, policy: RetryPolicy | None = None) -> FeedClient:
    endpoint = settings.endpoints[source]
    if not endpoint.base_url:
        raise NotConfigured(f"MUJUN_{source.upper()}_URL is not set")
    if not endpoint.token:
        raise NotConfigured(f"MUJUN_{source.upper()}_TOKEN is not set")
    return FeedClient(endpoint.base_url, endpoint.token, policy or RetryPolicy())


def pull_period(settings: Settings, period: Period, source: str | None = None,
                dataset: str | None = None, policy: RetryPolicy | None = None,
                on_result: Callable[[PullResult], None] | None = None) -> list[PullResult]:
    """Pull every dataset of one source (or all five) for a period; stop at the first failure."""
    results: list[PullResult] = []
    clients: dict[str, FeedClient] = {}
    try:
        for ds in datasets_of(source):
            if dataset is not None and ds.full_name != dataset:
                continue
            client = clients.get(ds.source) or clients.setdefault(
                ds.source, client_for(settings, ds.source, policy))
            result = pull(client, ds, period, settings.landing)
            results.append(result)
            if on_result:
                on_result(result)
    finally:
        for client in clients.values():
            client.close()
    return results
