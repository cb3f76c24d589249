"""Airflow for the DAG tests: a throwaway AIRFLOW_HOME with its own SQLite database.

Airflow reads its configuration when first imported, so the environment is set here,
when pytest loads this file, before any test module imports airflow.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from mujun.settings import REPO_ROOT

DAGS_FOLDER = REPO_ROOT / "dags"
AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="mujun-airflow-"))

if "airflow" in sys.modules and os.environ.get("AIRFLOW_HOME") is None:  # pragma: no cover
    raise RuntimeError("airflow was imported before tests/dags could give it a home")
os.environ.update({
    "AIRFLOW_HOME": str(AIRFLOW_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
})


def pytest_sessionfinish(session, exitstatus):  # noqa: ARG001 - pytest hook signature
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER))


@pytest.fixture(scope="session")
def airflow_db():
    """The migrated metadata database (about 2 s) with the one-slot DuckDB pool."""
    from airflow.utils import db

    from mujun.orchestration import POOL, ensure_pool

    db.upgradedb()
    ensure_pool()
    return POOL
