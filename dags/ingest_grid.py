"""Airflow DAG mujun_ingest_grid: pull the grid feed for one period and land it.

Wiring only: see mujun.orchestration.ingest_dag.
"""

from mujun.orchestration import ingest_dag

dag = ingest_dag("grid")
