"""Airflow DAG mujun_quarterly_monitoring: quarterly feeds to marts.quarterly_monitor.

Wiring only: see mujun.orchestration.quarterly_dag.
"""

from mujun.orchestration import quarterly_dag

dag = quarterly_dag()
