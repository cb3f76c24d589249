"""Landing: a pull's records as Parquet plus a manifest, written once, atomically.

    landing/<source>/<name>/period=<P>/snapshot=<snapshot_id>/
        part-00000.parquet ...   the records as delivered: every contract field as a
                                 string (a non-string value JSON-encoded and named in
                                 `_nonstring_fields`), unexpected fields in
                                 `_extra_fields` (JSON), `_record_no` in delivery order
        manifest.json

Everything is written into a hidden temporary folder beside the final one and
renamed in only when the pull is complete, so a reader sees a whole snapshot or
none. An existing snapshot folder is never touched again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from connectors import CLIENT_VERSION
from mujun.datasets import SCHEMA_VERSION, Dataset

MANIFEST = "manifest.json"
RECORD_NO = "_record_no"
NONSTRING = "_nonstring_fields"
EXTRA = "_extra_fields"
ROWS_PER_FILE = 500_000


def period_dir(landing_root: Path, dataset: Dataset, period: str) -> Path:
    return landing_root / dataset.source / dataset.name / f"period={period}"


def snapshot_dir(landing_root: Path, dataset: Dataset, period: str, snapshot_id: str) -> Path:
    return period_dir(landing_root, dataset, period) / f"snapshot={snapshot_id}"


def is_landed(landing_root: Path, dataset: Dataset, period: str, snapshot_id: str) -> bool:
    return (snapshot_dir(landing_root, dataset, period, snapshot_id) / MANIFEST).exists()


def landed_schema(dataset: Dataset) -> pa.Schema:
    return pa.schema(
        [pa.field(name, pa.string()) for name in dataset.fields]
        + [pa.field(RECORD_NO, pa.int64(), nullable=False),
           pa.field(NONSTRING, pa.string()),
           pa.field(EXTRA, pa.string())]
    )


def _as_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass
class LandedSnapshot:
    path: Path
    manifest: dict


class LandingWriter:
    """Collects pages of one pull in a temporary folder until `commit` or `abort`."""

    def __init__(self, landing_root: Path, dataset: Dataset, period: str) -> None:
        self.landing_root, self.dataset, self.period = landing_root, dataset, period
        self.schema = landed_schema(dataset)
        parent = period_dir(landing_root, dataset, period)
        parent.mkdir(parents=True, exist_ok=True)
        self.tmp = parent / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.tmp.mkdir()
        self._reset_state()

    def _reset_state(self) -> None:
        self.records = 0
        self._files: list[dict] = []
        self._buffer: dict[str, list] = {f.name: [] for f in self.schema}

    def reset(self) -> None:
        """Forget everything written so far (a 410 restarts the pull)."""
        for child in self.tmp.iterdir():
            child.unlink()
        self._reset_state()

    def write(self, records: Iterable[dict]) -> None:
        fields = self.dataset.fields
        known = set(fields)
        columns = self._buffer
        for record in records:
            if not isinstance(record, dict):
                raise TypeError(f"record {self.records + 1} is not a JSON object")
            nonstring = [f for f in fields if not isinstance(record.get(f), str | None)]
            for name in fields:
                columns[name].append(_as_text(record.get(name)))
            extra = {k: v for k, v in record.items() if k not in known}
            columns[RECORD_NO].append(self.records)
            columns[NONSTRING].append(",".join(nonstring) if nonstring else None)
            columns[EXTRA].append(
                json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None)
            self.records += 1
        if len(columns[RECORD_NO]) >= ROWS_PER_FILE:
            self._flush()

    def _flush(self) -> None:
        if not self._buffer[RECORD_NO]:
            return
        table = pa.table(self._buffer, schema=self.schema)
        name = f"part-{len(self._files):05d}.parquet"
        path = self.tmp / name
        pq.write_table(table, path, compression="zstd")
        self._files.append({"path": name, "rows": table.num_rows, "sha256": _sha256(path)})
        self._buffer = {f.name: [] for f in self.schema}

    def commit(self, *, snapshot_id: str, total: int, base_url: str) -> LandedSnapshot:
        """Write the manifest and rename the folder in; an existing snapshot wins."""
        self._flush()
        if not self._files:  # an empty snapshot still lands a file with the schema
            pq.write_table(self.schema.empty_table(), self.tmp / "part-00000.parquet",
                           compression="zstd")
            self._files.append({"path": "part-00000.parquet", "rows": 0,
                                "sha256": _sha256(self.tmp / "part-00000.parquet")})
        combined = hashlib.sha256()
        for item in self._files:
            combined.update((self.tmp / item["path"]).read_bytes())
        manifest = {
            "source": self.dataset.source,
            "dataset": self.dataset.full_name,
            "period": self.period,
            "snapshot_id": snapshot_id,
            "schema_version": SCHEMA_VERSION,
            "total": total,
            "records": self.records,
            "sha256": combined.hexdigest(),
            "files": self._files,
            "pulled_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "client_version": CLIENT_VERSION,
            "base_url": base_url,
        }
        manifest_path = self.tmp / MANIFEST
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        _fsync_dir(self.tmp)
        final = snapshot_dir(self.landing_root, self.dataset, self.period, snapshot_id)
        try:
            os.rename(self.tmp, final)
        except OSError:
            if (final / MANIFEST).exists():  # landed meanwhile by another pull
                self.abort()
                return LandedSnapshot(final, json.loads((final / MANIFEST).read_text()))
            raise
        _fsync_dir(final.parent)
        return LandedSnapshot(final, manifest)

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_manifest(path: Path) -> dict:
    return json.loads((path / MANIFEST).read_text())


def read_snapshot(path: Path) -> pa.Table:
    """Every landed record of one snapshot folder, in delivery order."""
    manifest = read_manifest(path)
    return pa.concat_tables([pq.read_table(path / f["path"]) for f in manifest["files"]])
