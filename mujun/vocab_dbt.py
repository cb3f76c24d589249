"""The vocabulary as dbt sees it (dbt_project.yml `vars`), for Python that must agree."""

from __future__ import annotations

from functools import cache

import yaml

from mujun.settings import REPO_ROOT


@cache
def dbt_vocabulary() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(base metric names, indicator ids) in the order dbt publishes them."""
    config = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text())
    variables = config["vars"]
    return (tuple(variables["base_metrics"]),
            tuple(item["id"] for item in variables["indicators"]))
