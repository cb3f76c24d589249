"""Airflow DAG mujun_ingest_land: pull the land feed for one period and land it.

Wiring only: see mujun.orchestration.ingest_dag.
"""

from mujun.orchestration import ingest_dag

dag = ingest_dag("land")
