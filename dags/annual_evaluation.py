"""Airflow DAG mujun_annual_evaluation: landing gate, dbt stages and gates, publish.

Wiring only: see mujun.orchestration.annual_dag.
"""

from mujun.orchestration import annual_dag

dag = annual_dag()
