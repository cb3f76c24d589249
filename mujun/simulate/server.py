"""The five source systems, simulated: JSON over HTTP exactly as feeds.md says.

One server answers for every source on one port of 127.0.0.1 and checks the token
of the requested dataset's own source. Data come from a `mujun simulate` folder
(see layout.py); faults are injected on demand (faults.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from mujun.datasets import DATASETS, SCHEMA_VERSION, Dataset
from mujun.logs import event
from mujun.periods import BadPeriod, Period
from mujun.simulate import layout
from mujun.simulate.faults import Fault, FaultPlan

log = logging.getLogger("mujun.serve")

MAX_LIMIT = 5000
DEFAULT_LIMIT = 1000


@dataclass(frozen=True)
class Snapshot:
    snapshot_id: str
    records: pa.Table


class FeedStore:
    """Answers (dataset, period) with the snapshot delivered last, as of `as_of`."""

    def __init__(self, data_dir: Path, as_of: datetime | None = None) -> None:
        self.root = Path(data_dir)
        meta_path = self.root / layout.SIMULATION_FILE
        if not meta_path.exists():
            raise FileNotFoundError(f"{meta_path} not found: run `mujun simulate` first")
        meta = json.loads(meta_path.read_text())
        self.years = [int(y) for y in meta["years"]]
        self.as_of = as_of
        self._redeliveries: dict[tuple[str, str], list[tuple[datetime, Path]]] = {}
        for item in meta.get("redeliveries", []):
            when = datetime.strptime(item["delivered_at"], "%Y%m%dT%H%M")
            key = (item["dataset"], item["period"])
            self._redeliveries.setdefault(key, []).append((when, self.root / item["path"]))
        self._tables: dict[Path, pa.Table] = {}
        self._snapshots: dict[tuple[str, str, str], Snapshot] = {}
        self._lock = threading.Lock()

    def _read(self, path: Path) -> pa.Table:
        table = self._tables.get(path)
        if table is None:
            table = pq.read_table(path)
            self._tables[path] = table
        return table

    def snapshot(self, dataset: Dataset, period: Period) -> Snapshot | None:
        """The current snapshot, or None when nothing was delivered for that period."""
        if period.year not in self.years:
            return None
        deliveries = [(layout.base_delivery_time(dataset.source, period), None)]
        deliveries += self._redeliveries.get((dataset.full_name, str(period)), [])
        if self.as_of is not None:
            deliveries = [d for d in deliveries if d[0] <= self.as_of]
        if not deliveries:
            return None
        delivered_at, path = max(deliveries, key=lambda d: d[0])
        snap_id = layout.snapshot_id(dataset.source, period, delivered_at)
        key = (dataset.full_name, str(period), snap_id)
        with self._lock:
            snap = self._snapshots.get(key)
            if snap is None:
                source = self._read(path or layout.feed_path(self.root, dataset))
                snap = Snapshot(snap_id, _select(dataset, period, source))
                self._snapshots[key] = snap
        return snap


def _select(dataset: Dataset, period: Period, table: pa.Table) -> pa.Table:
    """The records of `table` that the dataset's grain puts in `period`."""
    if dataset.grain == "register":
        end = period.end.isoformat()
        starts, ends = table[layout.VALID_FROM], table[layout.VALID_TO]
        mask = pc.and_kleene(
            pc.or_kleene(pc.is_null(starts), pc.less_equal(starts, end)),
            pc.or_kleene(pc.is_null(ends), pc.greater_equal(ends, end)),
        )
    elif dataset.grain == "monthly":
        mask = pc.is_in(table[dataset.period_field], pa.array(period.months))
    elif dataset.grain == "yearly":
        mask = pc.equal(table[dataset.period_field], str(period.year))
    elif dataset.grain == "quarterly":
        mask = pc.is_in(table[dataset.period_field], pa.array(period.quarters))
    else:  # event
        dates = table[dataset.period_field]
        mask = pc.and_kleene(
            pc.greater_equal(dates, period.start.isoformat()),
            pc.less_equal(dates, period.end.isoformat()),
        )
    selected = table.filter(pc.fill_null(mask, False))
    return selected.select(list(dataset.fields))


def encode_cursor(snapshot_id: str, offset: int) -> str:
    raw = json.dumps({"s": snapshot_id, "o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        snapshot_id, offset = data["s"], data["o"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise ValueError("cursor is not one this server gave") from exc
    if not isinstance(snapshot_id, str) or not isinstance(offset, int) or offset < 0:
        raise ValueError("cursor is not one this server gave")
    return snapshot_id, offset


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _FeedHTTPServer

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        # The request line never carries a token; headers are not logged at all.
        log.debug("request %s", format % args)

    def _send(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        url = urlsplit(self.path)
        if url.path == "/healthz":
            return self._send(200, {"status": "ok"})
        parts = url.path.split("/")
        if len(parts) != 3 or parts[1] != "v1" or parts[2] not in DATASETS:
            return self._send(404, {"error": f"unknown dataset path {url.path!r}"})
        dataset = DATASETS[parts[2]]
        expected = self.server.tokens.get(dataset.source)
        auth = self.headers.get("Authorization", "")
        if not expected or auth != f"Bearer {expected}":
            return self._send(401, {"error": "missing or bad token"})
        self.server.answer(self, dataset, parse_qs(url.query, keep_blank_values=True))


class _FeedHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, store: FeedStore, tokens: dict[str, str | None],
                 faults: FaultPlan) -> None:
        super().__init__(address, _Handler)
        self.store, self.tokens, self.faults = store, tokens, faults

    def answer(self, handler: _Handler, dataset: Dataset, query: dict[str, list[str]]) -> None:
        single = {k: v[-1] for k, v in query.items()}
        try:
            period = Period.parse(single.get("period", ""))
        except BadPeriod as exc:
            return handler._send(400, {"error": str(exc)})
        limit_text = single.get("limit", str(DEFAULT_LIMIT))
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
            return handler._send(400, {"error": f"limit must be 1..{MAX_LIMIT}"})
        limit = int(limit_text)
        cursor = single.get("cursor") or None
        offset, cursor_snapshot = 0, None
        if cursor is not None:
            try:
                cursor_snapshot, offset = decode_cursor(cursor)
            except ValueError as exc:
                return handler._send(400, {"error": str(exc)})

        fault = self.faults.next(dataset.full_name, cursor is not None)
        if fault is not None and self._fail(handler, fault):
            return
        snap = self.store.snapshot(dataset, period)
        if snap is None:
            return handler._send(400, {"error": f"no delivery of {dataset.full_name} "
                                                f"for period {period}"})
        if cursor_snapshot is not None and cursor_snapshot != snap.snapshot_id:
            return handler._send(410, {"error": "snapshot expired: restart from the first page"})
        total = snap.records.num_rows
        if offset > total:
            return handler._send(400, {"error": "cursor is past the end of the snapshot"})
        page_size = limit - 1 if fault is not None and fault.kind == "short" else limit
        records = snap.records.slice(offset, max(page_size, 0)).to_pylist()
        next_offset = offset + limit
        body = {
            "dataset": dataset.full_name,
            "period": str(period),
            "schema_version": SCHEMA_VERSION,
            "snapshot_id": snap.snapshot_id,
            "total": total,
            "records": records,
            "next_cursor": encode_cursor(snap.snapshot_id, next_offset)
            if next_offset < total else None,
        }
        if fault is not None and fault.kind == "drop":
            return self._drop(handler, body)
        handler._send(200, body)

    def _fail(self, handler: _Handler, fault: Fault) -> bool:
        """Answer with the fault; False when the fault shapes the page instead."""
        if fault.kind == "429":
            handler._send(429, {"error": "rate limited"}, {"Retry-After": str(fault.retry_after)})
        elif fault.kind in ("500", "502", "503"):
            handler._send(int(fault.kind), {"error": "transient failure"})
        elif fault.kind == "410":
            handler._send(410, {"error": "snapshot expired: restart from the first page"})
        elif fault.kind == "slow":
            time.sleep(fault.seconds)
            return False
        else:
            return False
        return True

    def _drop(self, handler: _Handler, body: dict) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload[: len(payload) // 2])
        handler.wfile.flush()
        handler.close_connection = True


class FeedServer:
    """The simulated source systems on 127.0.0.1; a context manager for tests."""

    def __init__(self, data_dir: Path, tokens: dict[str, str | None], port: int = 0,
                 faults: str | FaultPlan | None = None, as_of: datetime | None = None) -> None:
        plan = faults if isinstance(faults, FaultPlan) else FaultPlan.parse(faults)
        self._httpd = _FeedHTTPServer(("127.0.0.1", port), FeedStore(data_dir, as_of),
                                      tokens, plan)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FeedServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        daemon=True, name="mujun-feed-server")
        self._thread.start()
        event(log, "serving", url=self.url)
        return self

    def serve_forever(self) -> None:
        event(log, "serving", url=self.url)
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
