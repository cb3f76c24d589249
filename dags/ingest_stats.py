"""Airflow DAG mujun_ingest_stats: pull the stats feed for one period and land it.

Wiring only: see mujun.orchestration.ingest_dag.
"""

from mujun.orchestration import ingest_dag

dag = ingest_dag("stats")
