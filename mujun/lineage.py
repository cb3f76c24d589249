"""OpenLineage events for every run: to a file by default, to HTTP when configured.

One run of the evaluation job (START then COMPLETE or FAIL) with the landed
snapshots it read as inputs and the published tables as outputs; and, from dbt's
manifest, one job per model with its parent models and sources, each a child of
that run, so a lineage viewer (e.g. Marquez) draws the graph from feed to mart.
Events go to `lineage/openlineage.jsonl` in the run folder (copied into the
publication) and, when MUJUN_OPENLINEAGE_URL is set, to that endpoint too.
Nothing secret is in them: no tokens, no base URLs.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import parent_run
from openlineage.client.transport.file import FileConfig, FileTransport

from mujun.publish import TABLES
from mujun.runs import utc_now

PRODUCER = "https://github.com/mujun/mujun"
NAMESPACE = "mujun"
LANDING = "mujun-landing"
WORK = "mujun-work"
PUBLISHED = "mujun-published"


def run_uuid(run_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mujun:{run_id}"))


def _clients(events_file: Path) -> list[OpenLineageClient]:
    events_file.parent.mkdir(parents=True, exist_ok=True)
    clients = [OpenLineageClient(transport=FileTransport(
        FileConfig(log_file_path=str(events_file), append=True)))]
    url = os.environ.get("MUJUN_OPENLINEAGE_URL")
    if url:
        clients.append(OpenLineageClient(url=url))
    return clients


def emit_run(record, events_file: Path, state: RunState, manifest: Path | None = None) -> int:
    """Emit the run's event (and, on COMPLETE, one per dbt model); returns events written."""
    clients = _clients(events_file)
    job_name = f"{record.kind}_evaluation"
    run = Run(runId=run_uuid(record.run_id))
    inputs = [InputDataset(namespace=LANDING, name=f"{i['dataset']}/period={i['period']}"
                                                   f"/snapshot={i['snapshot_id']}")
              for i in record.inputs]
    outputs = [OutputDataset(namespace=PUBLISHED, name=f"{schema}.{table}")
               for schema, table, annual, quarterly in TABLES
               if (annual if record.kind == "annual" else quarterly)]
    events = [RunEvent(eventType=state, eventTime=utc_now(), producer=PRODUCER, run=run,
                       job=Job(namespace=NAMESPACE, name=job_name),
                       inputs=inputs, outputs=outputs if state == RunState.COMPLETE else [])]
    if state == RunState.COMPLETE and manifest is not None and manifest.exists():
        events += _model_events(json.loads(manifest.read_text()), record, job_name)
    for event in events:
        for client in clients:
            client.emit(event)
    return len(events)


def _model_events(manifest: dict, record, job_name: str) -> list[RunEvent]:
    parent = parent_run.ParentRunFacet(
        run=parent_run.Run(runId=run_uuid(record.run_id)),
        job=parent_run.Job(namespace=NAMESPACE, name=job_name))
    nodes = manifest.get("nodes", {}) | manifest.get("sources", {})

    def dataset_name(unique_id: str) -> str:
        node = nodes[unique_id]
        name = node.get("alias") or node.get("identifier") or node["name"]
        return f"{node['schema']}.{name}"

    events = []
    for unique_id, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") != "model":
            continue
        parents = [p for p in node.get("depends_on", {}).get("nodes", []) if p in nodes]
        events.append(RunEvent(
            eventType=RunState.COMPLETE, eventTime=utc_now(), producer=PRODUCER,
            run=Run(runId=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{record.run_id}:{unique_id}")),
                    facets={"parent": parent}),
            job=Job(namespace=NAMESPACE, name=f"dbt.{node['name']}"),
            inputs=[InputDataset(namespace=WORK, name=dataset_name(p)) for p in parents],
            outputs=[OutputDataset(namespace=WORK, name=dataset_name(unique_id))]))
    return events
