"""Airflow DAG mujun_annual_backfill: evaluate several years in order (multi-year rules).

Wiring only: see mujun.orchestration.backfill_dag.
"""

from mujun.orchestration import backfill_dag

dag = backfill_dag()
