"""The vocabulary is consistent in itself and with the dbt project's copy of it."""

from __future__ import annotations

from pathlib import Path

import yaml

from mujun import vocabulary as V

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"


def test_indicator_formulas_use_known_figures() -> None:
    figures = set(V.BASE_METRICS) | set(V.DERIVED_FIGURES)
    for indicator in V.INDICATORS.values():
        assert indicator.numerator in V.BASE_METRICS, indicator.id
        assert indicator.denominator in figures, indicator.id
    assert len(V.METRICS) == len(set(V.METRICS))
    assert V.INDICATORS["output_per_kwh"].factor == 10000
    assert V.INDICATORS["tax_per_kwh"].factor == 10000
    assert V.INDICATORS["tax_per_kwh"].formula == "tax_restored_wan / (electricity_kwh / 10000)"
    assert V.DERIVED_FIGURES["electricity_tce"].pack_parameter == "electricity_kgce_per_kwh"


def test_dbt_vars_hold_the_same_vocabulary() -> None:
    dbt_vars = yaml.safe_load(DBT_PROJECT.read_text(encoding="utf-8"))["vars"]
    assert dbt_vars["base_metrics"] == list(V.BASE_METRICS)
    assert [(i["id"], i["num"], i["den"], i["factor"]) for i in dbt_vars["indicators"]] == [
        (i.id, i.numerator, i.denominator, i.factor) for i in V.INDICATORS.values()]
    assert dbt_vars["condition_max_depth"] == V.MAX_CONDITION_DEPTH


def test_dbt_vars_list_every_landed_dataset() -> None:
    from mujun.datasets import DATASETS

    dbt_vars = yaml.safe_load(DBT_PROJECT.read_text(encoding="utf-8"))["vars"]
    assert dbt_vars["landed_datasets"] == [d.relation for d in DATASETS.values()]
