"""The task callables of mujun.orchestration, without running a DAG."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from mujun import orchestration as orch
from mujun.datasets import DATASETS
from mujun.runs import RunRecord
from mujun.sources import periods_read


def land_manifest(home: Path, dataset: str, period: str, snapshot: str,
                  complete: bool = True) -> None:
    ds = DATASETS[dataset]
    folder = home / "landing" / ds.source / ds.name / f"period={period}" / f"snapshot={snapshot}"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({
        "dataset": dataset, "period": period, "snapshot_id": snapshot,
        "records": 3 if complete else 2, "total": 3, "files": []}))


def land_period(home: Path, year: int, quarter: int | None = None,
                skip: str | None = None) -> None:
    for name, ds in DATASETS.items():
        if name == skip:
            continue
        for period in periods_read(ds, year, quarter):
            land_manifest(home, name, period, f"{ds.source}-{period}-20250101T0000")


def events(*periods: str) -> dict:
    return {orch.dataset_asset(name): [SimpleNamespace(extra={"period": p}) for p in periods]
            for name in DATASETS}


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("MUJUN_HOME", str(tmp_path))
    monkeypatch.delenv("AIRFLOW_VAR_MUJUN_REFERENCE_DIR", raising=False)
    return tmp_path


def test_a_year_param_is_checked_against_landing(home):
    land_period(home, 2024, skip="grid.consumption")
    with pytest.raises(AirflowFailException, match="grid.consumption 2024"):
        orch.resolve_run("annual", {"year": 2024, "rule_pack": "zhenhai-2024"})
    land_period(home, 2023)
    plan = orch.resolve_run("annual", {"year": 2023, "rule_pack": "zhenhai-2024"})
    assert plan == {"kind": "annual", "year": 2023, "quarter": None,
                    "rule_pack": "zhenhai-2024", "pack_ref": "zhenhai-2024",
                    "reference_dir": None}


def test_asset_events_choose_the_latest_complete_year_or_skip(home):
    with pytest.raises(AirflowSkipException, match="no annual period"):
        orch.resolve_run("annual", {"year": None}, {})
    with pytest.raises(AirflowSkipException, match="no annual period"):
        orch.resolve_run("annual", {"year": None}, events("2024Q1"))
    land_period(home, 2024, skip="env.incidents")
    with pytest.raises(AirflowSkipException, match="env.incidents 2024"):
        orch.resolve_run("annual", {"year": None}, events("2024"))
    land_period(home, 2023)
    plan = orch.resolve_run("annual", {"year": None}, events("2023", "2024", "2024Q2"))
    assert (plan["year"], plan["quarter"]) == (2023, None)
    land_manifest(home, "env.incidents", "2024", "env-2024-20250101T0000")
    plan = orch.resolve_run("annual", {"year": None}, events("2023", "2024"))
    assert plan["year"] == 2024 and plan["rule_pack"] == orch.DEFAULT_PACK


def test_quarterly_runs_read_quarters_from_the_events(home):
    land_period(home, 2024, quarter=2)
    plan = orch.resolve_run("quarterly", {"year": None}, events("2024", "2024Q2"))
    assert (plan["kind"], plan["year"], plan["quarter"]) == ("quarterly", 2024, 2)
    with pytest.raises(AirflowFailException, match="needs a quarter"):
        orch.resolve_run("quarterly", {"year": 2024, "quarter": None})
    with pytest.raises(AirflowFailException, match="2024Q3"):
        orch.resolve_run("quarterly", {"year": 2024, "quarter": 3})


def test_a_refused_pack_fails_without_retry_naming_the_problem(home, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("id: bad\n")
    with pytest.raises(AirflowFailException, match="rule pack .* refused"):
        orch.resolve_run("annual", {"year": 2024, "rule_pack": str(bad)})
    with pytest.raises(AirflowFailException, match="not a shipped rule pack"):
        orch.check_pack("no-such-pack")


def test_reference_dir_comes_from_the_param_or_the_variable(home, tmp_path, monkeypatch):
    land_period(home, 2024)
    params = {"year": 2024, "rule_pack": "zhenhai-2024"}
    with pytest.raises(AirflowFailException, match="is not a folder"):
        orch.resolve_run("annual", {**params, "reference_dir": str(tmp_path / "none")})
    monkeypatch.setenv("AIRFLOW_VAR_MUJUN_REFERENCE_DIR", str(tmp_path))
    assert orch.resolve_run("annual", params)["reference_dir"] == str(tmp_path)


def test_connection_gives_url_and_token_else_the_environment(home, monkeypatch):
    monkeypatch.setenv("MUJUN_LAND_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("MUJUN_LAND_TOKEN", "env-token-land")
    monkeypatch.setenv("AIRFLOW_CONN_MUJUN_TAX", json.dumps(
        {"conn_type": "http", "host": "https://tax.example/api/", "password": "conn-token"}))
    settings = orch.connection_settings("tax")
    assert settings.endpoints["tax"].base_url == "https://tax.example/api"
    assert settings.endpoints["tax"].token == "conn-token"
    assert "conn-token" not in repr(settings)
    land = orch.connection_settings("land")
    assert (land.endpoints["land"].base_url, land.endpoints["land"].token) == \
        ("http://127.0.0.1:1", "env-token-land")
    host_only = SimpleNamespace(host="tax.example", schema="http", port=8080)
    assert orch.connection_base_url(host_only) == "http://tax.example:8080"


def test_redelivery_is_a_new_snapshot_beside_an_earlier_one(home):
    land_manifest(home, "tax.payments", "2024", "tax-2024-20250311T0815")
    land_manifest(home, "tax.payments", "2024", "tax-2024-20250101T0000", complete=False)
    assert orch.earlier_snapshots(home / "landing", "tax.payments", "2024",
                                  "tax-2024-20250403T1015") == ["tax-2024-20250311T0815"]
    assert orch.earlier_snapshots(home / "landing", "tax.payments", "2024",
                                  "tax-2024-20250311T0815") == []
    found = orch.redeliveries([{"dataset": "tax.payments", "redelivery": True},
                               {"dataset": "tax.reliefs", "redelivery": False}])
    assert [r["dataset"] for r in found] == ["tax.payments"]
    with pytest.raises(AirflowSkipException):
        orch.redeliveries([{"dataset": "tax.reliefs", "redelivery": False}])


def _record(home: Path, status: str) -> str:
    record = RunRecord.new("annual", "2024", "zhenhai-2024")
    record.status = status
    record.save(home)
    return record.run_id


def test_the_lease_keeps_a_second_run_out_until_the_first_ends(home):
    first = _record(home, "running")
    orch.claim_lease(home, first)
    assert orch.lease_holder(home) == first
    second = _record(home, "running")
    with pytest.raises(orch.WarehouseBusy, match=first):
        orch.claim_lease(home, second)
    orch.claim_lease(home, first)  # its own steps go on
    orch.release_lease(home, second)  # only the holder releases
    assert orch.lease_holder(home) == first
    orch.release_lease(home, first)
    assert orch.lease_holder(home) is None
    orch.claim_lease(home, second)
    record = RunRecord.load(home, second)
    record.status = "failed"
    record.save(home)
    assert orch.lease_holder(home) is None  # a failed run holds nothing


def test_backfill_evaluates_years_in_ascending_order(home, monkeypatch):
    from mujun import pipeline

    seen = []

    def fake_run_annual(where, year, pack, reference, wait):
        seen.append((year, pack.id, reference))
        return SimpleNamespace(run_id=f"run-{year}", status="published")

    monkeypatch.setattr(pipeline, "run_annual", fake_run_annual)
    done = orch.evaluate_years([2024, 2022, 2023, 2024], "zhenhai-2024", None)
    assert [y for y, _, _ in seen] == [2022, 2023, 2024]
    assert [d["run_id"] for d in done] == ["run-2022", "run-2023", "run-2024"]
    busy = _record(home, "running")
    orch.claim_lease(home, busy)
    with pytest.raises(orch.WarehouseBusy):
        orch.evaluate_years([2022], "zhenhai-2024", None)
