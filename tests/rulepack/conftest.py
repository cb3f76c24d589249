"""Fixtures for rule-pack tests: the contract's example pack as data to mutate."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "example-2024.yml"


@pytest.fixture
def example() -> dict[str, Any]:
    """A fresh copy of rule-pack.md's example, valid as it stands."""
    return copy.deepcopy(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
