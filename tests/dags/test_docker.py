"""docker/: the compose file's services, volumes and connections; `docker compose config`.

No Docker engine runs here: the compose file is checked as YAML always, and by
`docker compose config` where the docker CLI has its compose plugin.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
import yaml

from mujun.datasets import SOURCES
from mujun.orchestration import POOL
from mujun.settings import REPO_ROOT

DOCKER = REPO_ROOT / "docker"
COMPOSE = DOCKER / "docker-compose.yml"
AIRFLOW_SERVICES = {"api-server", "scheduler", "dag-processor", "triggerer"}


def compose_env() -> dict[str, str]:
    env = {"POSTGRES_PASSWORD": "pw", "AIRFLOW_JWT_SECRET": "jwt"}
    for source in SOURCES:
        env[f"MUJUN_{source.upper()}_URL"] = f"https://{source}.example/feeds"
        env[f"MUJUN_{source.upper()}_TOKEN"] = f"token-{source}"
    return env


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_airflow_3_services_on_postgres(compose):
    services = compose["services"]
    assert set(services) == AIRFLOW_SERVICES | {"postgres", "airflow-init"}
    for name in AIRFLOW_SERVICES:
        service = services[name]
        assert service["command"] == [name]
        assert service["build"]["dockerfile"] == "docker/Dockerfile"
        env = service["environment"]
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/mujun/dags"
        assert service["depends_on"]["airflow-init"]["condition"] == \
            "service_completed_successfully"
    init = " ".join(services["airflow-init"]["command"])
    assert "db migrate" in init and f"pools set {POOL} 1" in init
    # the UI is not published beyond the host unless someone changes this line
    assert services["api-server"]["ports"] == ["127.0.0.1:8080:8080"]


def test_volumes_for_landing_and_publications(compose):
    assert {"landing", "publications", "warehouse", "postgres-data"} <= set(compose["volumes"])
    mounts = compose["services"]["scheduler"]["volumes"]
    assert "landing:/data/warehouse/landing" in mounts
    assert "publications:/data/warehouse/publications" in mounts
    assert compose["services"]["scheduler"]["environment"]["MUJUN_HOME"] == "/data/warehouse"


def test_a_connection_per_source_from_the_environment(compose):
    env = compose["services"]["scheduler"]["environment"]
    for source in SOURCES:
        text = env[f"AIRFLOW_CONN_MUJUN_{source.upper()}"]
        upper = source.upper()
        assert f"${{MUJUN_{upper}_URL:?" in text and f"${{MUJUN_{upper}_TOKEN:?" in text
        filled = text.replace(f"${{MUJUN_{upper}_URL:?set MUJUN_{upper}_URL}}", "https://x")
        filled = filled.replace(f"${{MUJUN_{upper}_TOKEN:?set MUJUN_{upper}_TOKEN}}", "t")
        assert json.loads(filled) == {"conn_type": "http", "host": "https://x", "password": "t"}


def test_the_image_installs_the_project_with_its_pins():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "pip install -c constraints.txt -e ." in dockerfile
    assert "COPY dags/ dags/" in dockerfile and "COPY dbt_project/ dbt_project/" in dockerfile
    for line in (DOCKER / "requirements-postgres.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            assert "==" in line, line


def _has_compose_plugin() -> bool:
    if shutil.which("docker") is None:
        return False
    done = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.skipif(not _has_compose_plugin(), reason="no docker CLI with the compose plugin")
def test_docker_compose_config_validates():
    done = subprocess.run(["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
                          capture_output=True, text=True, env={**os.environ, **compose_env()},
                          check=False,
                          timeout=60)
    assert done.returncode == 0, done.stderr
