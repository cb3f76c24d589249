"""The command line: help for every command, argument errors exit 2, README lists each."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mujun.cli import app
from tests.conftest import YEAR

runner = CliRunner()
COMMANDS = ["simulate", "serve", "pull", "run", "explain", "rules check"]
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_a_readme_entry(command):
    result = runner.invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output
    assert f"mujun {command}" in README.read_text()


@pytest.mark.parametrize("period", ["2024; drop table x", "24", "2024Q0", "2024-Q1", ""])
def test_pull_refuses_a_period_that_is_not_one(period, tmp_path, monkeypatch):
    monkeypatch.setenv("MUJUN_HOME", str(tmp_path))
    result = runner.invoke(app, ["pull", "--period", period])
    assert result.exit_code == 2
    assert not (tmp_path / "landing").exists()


def test_pull_refuses_an_unknown_source():
    assert runner.invoke(app, ["pull", "--period", "2024", "--source", "water"]).exit_code == 2


def test_pull_without_urls_names_the_missing_variable(monkeypatch, tmp_path):
    for source in ("TAX", "LAND", "STATS", "GRID", "ENV"):
        monkeypatch.delenv(f"MUJUN_{source}_URL", raising=False)
    monkeypatch.setenv("MUJUN_HOME", str(tmp_path))
    result = runner.invoke(app, ["pull", "--period", "2024", "--source", "tax"])
    assert result.exit_code == 2
    assert "MUJUN_TAX_URL" in result.output


def test_serve_refuses_a_bad_fault_spec(tiny_county):
    result = runner.invoke(app, ["serve", "--data", str(tiny_county), "--faults", "explode:at=1"])
    assert result.exit_code == 2
    assert "unknown kind" in result.output


def test_simulate_refuses_bad_years(tmp_path):
    result = runner.invoke(app, ["simulate", "--out", str(tmp_path), "--years", "2024-2020"])
    assert result.exit_code == 2


def test_pull_lands_from_a_server(tiny_county, tokens, tmp_path, monkeypatch):
    from mujun.simulate.server import FeedServer
    monkeypatch.setenv("MUJUN_HOME", str(tmp_path / "home"))
    with FeedServer(tiny_county, tokens) as srv:
        for source, token in tokens.items():
            monkeypatch.setenv(f"MUJUN_{source.upper()}_URL", srv.url)
            monkeypatch.setenv(f"MUJUN_{source.upper()}_TOKEN", token)
        result = runner.invoke(app, ["pull", "--period", str(YEAR), "--source", "grid"])
    assert result.exit_code == 0, result.output
    assert "grid.consumption" in result.output
    assert (tmp_path / "home" / "landing" / "grid" / "consumption").is_dir()
