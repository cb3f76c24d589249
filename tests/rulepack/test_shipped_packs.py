"""Every shipped pack validates, uses only the vocabulary and yields the fixed tables."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mujun import vocabulary as V
from mujun.rulepack import (
    PACKS_DIR,
    TABLE_SCHEMAS,
    check,
    load_pack,
    pack_tables,
    shipped_packs,
    write_pack_tables,
)

EXPECTED_PACKS = {
    "zhenhai-2024", "huzhou-3.0", "linshu-2024", "suzhou-sip-2024", "jingde-2022",
    "huaian-2024", "huangyan-2022", "changle-2023",
}

# The table contract as the module brief states it: a dbt model may rely on these names.
EXPECTED_COLUMNS = {
    "rp_pack": [
        "title", "based_on", "above_scale", "below_scale_min_land_mu", "min_years_open",
        "count_leased_out", "attached_land", "research_land_exempt", "social_insurance_employer",
        "high_tech_paid_rate", "high_tech_restore_rate", "electricity_kgce_per_kwh",
        "electricity_t_per_mwh", "other_energy_t_per_tce", "scoring_method", "scoring_missing",
        "ratio_cap", "ratio_floor", "grading_by", "parcels_grade_by"],
    "rp_restoration_add_back": ["kind", "subkind"],
    "rp_energy_coefficients": ["carrier", "unit", "kgce"],
    "rp_industry_groups": ["group_id", "major", "ordinal"],
    "rp_exempt_lists": ["list_id"],
    "rp_pools": ["pool_id", "ordinal", "condition_id"],
    "rp_indicators": ["pool_id", "indicator_id", "weight", "ordinal", "benchmark_kind",
                      "mean_of", "multiple"],
    "rp_benchmarks": ["pool_id", "indicator_id", "industry_group", "value"],
    "rp_shortfall": ["condition_id", "indicator_id"],
    "rp_coefficients": ["coefficient_id", "metric", "applies_to", "tier_ordinal", "op", "bound",
                        "x"],
    "rp_bonuses": ["bonus_id", "ordinal", "condition_id", "points"],
    "rp_grade_bands": ["band_scope", "grade", "ordinal", "to_share", "from_score"],
    "rp_grade_rules": ["rule_id", "ordinal", "kind", "grade", "steps", "condition_id"],
    "rp_not_graded": ["not_graded_id", "ordinal", "condition_id", "treat_as"],
    "rp_low_efficiency": ["rule_id", "ordinal", "condition_id", "years"],
    "rp_policy_surcharge": ["grade", "consecutive_year", "yuan_per_kwh"],
    "rp_policy_subsidy": ["grade", "share"],
    "rp_quarterly_indicators": ["indicator_id", "ordinal"],
    "rp_quarterly_colours": ["colour", "ordinal", "below_share"],
    "rp_conditions": ["condition_id", "node_id", "parent_node_id", "depth", "kind", "metric",
                      "op", "number", "text", "texts", "min_severity"],
}


def test_the_eight_packs_are_shipped() -> None:
    assert set(shipped_packs()) == EXPECTED_PACKS


def test_schemas_are_the_contracted_ones() -> None:
    assert list(TABLE_SCHEMAS) == list(EXPECTED_COLUMNS)
    for name, columns in EXPECTED_COLUMNS.items():
        assert TABLE_SCHEMAS[name].names == ["rule_pack", *columns], name


@pytest.mark.parametrize("pack_id", sorted(EXPECTED_PACKS))
def test_shipped_pack_loads_and_tables_have_fixed_schemas(pack_id: str) -> None:
    pack = load_pack(pack_id)
    assert pack.id == pack_id
    assert pack.based_on, "every shipped pack says where it comes from"
    assert pack.sha256 and len(pack.sha256) == 64
    tables = pack_tables(pack)
    assert list(tables) == list(TABLE_SCHEMAS)
    for name, table in tables.items():
        assert table.schema.equals(TABLE_SCHEMAS[name]), name
        assert set(table.column("rule_pack").to_pylist()) <= {pack_id}, name
    assert tables["rp_pack"].num_rows == 1
    # every condition id a parameter table names has its tree in rp_conditions
    roots = {r["condition_id"] for r in tables["rp_conditions"].to_pylist()
             if r["node_id"] == 0}
    for name in ("rp_pools", "rp_bonuses", "rp_grade_rules", "rp_not_graded",
                 "rp_low_efficiency", "rp_shortfall"):
        assert set(tables[name].column("condition_id").to_pylist()) <= roots, name


@pytest.mark.parametrize("pack_id", sorted(EXPECTED_PACKS))
def test_shipped_pack_uses_only_the_vocabulary(pack_id: str) -> None:
    tables = pack_tables(load_pack(pack_id))
    assert set(tables["rp_indicators"].column("indicator_id").to_pylist()) <= set(V.INDICATORS)
    metrics = {m for m in tables["rp_conditions"].column("metric").to_pylist() if m}
    assert metrics <= set(V.METRICS)
    assert set(tables["rp_energy_coefficients"].column("carrier").to_pylist()) <= set(V.CARRIERS)
    assert set(tables["rp_conditions"].column("kind").to_pylist()) <= set(V.CONDITION_KINDS)


@pytest.mark.parametrize("path", sorted(PACKS_DIR.glob("*.yml")), ids=lambda p: p.stem)
def test_shipped_pack_marks_assumptions_and_cites_sources(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "ASSUMPTION" in text
    assert "best first" in text, "packs note that bands hold grades best first"
    assert re.search(r"seed 00[03]|DOMAIN\.md", text)


@pytest.mark.parametrize("pack_id", sorted(EXPECTED_PACKS))
def test_grades_are_ascii(pack_id: str) -> None:
    grades = pack_tables(load_pack(pack_id))["rp_grade_bands"].column("grade").to_pylist()
    assert all(re.fullmatch(r"[A-Z][+-]?", g) for g in grades), grades


@pytest.mark.parametrize("pack_id", sorted(EXPECTED_PACKS))
def test_check_prints_a_summary(pack_id: str) -> None:
    summary = check(pack_id)
    assert summary.startswith(f"{pack_id}: ")
    assert "grading by" in summary


def test_write_pack_tables_round_trips(tmp_path: Path) -> None:
    pack = load_pack("linshu-2024")
    paths = write_pack_tables(pack, tmp_path / "tables")
    assert [p.stem for p in paths] == list(TABLE_SCHEMAS)
    for path in paths:
        table = pq.read_table(path)
        assert table.schema.equals(TABLE_SCHEMAS[path.stem]), path.name
        assert table.num_rows == pack_tables(pack)[path.stem].num_rows


def test_empty_tables_keep_their_schema() -> None:
    tables = pack_tables(load_pack("jingde-2022"))
    for name in ("rp_grade_rules", "rp_benchmarks", "rp_policy_surcharge", "rp_shortfall",
                 "rp_coefficients", "rp_quarterly_colours", "rp_exempt_lists"):
        assert tables[name].num_rows == 0, name
        assert tables[name].schema.equals(TABLE_SCHEMAS[name]), name
    indicators = tables["rp_indicators"].to_pylist()
    assert {r["benchmark_kind"] for r in indicators} == {None}  # min-max needs no benchmark


def test_zhenhai_petrochemical_benchmarks_and_surcharge() -> None:
    tables = pack_tables(load_pack("zhenhai-2024"))
    bench = {(r["pool_id"], r["indicator_id"], r["industry_group"]): r["value"]
             for r in tables["rp_benchmarks"].to_pylist()}
    assert bench[("above_scale", "value_added_per_tce", "petrochem")] == 1.2
    assert bench[("above_scale", "value_added_per_tce", "default")] == 4.0
    assert bench[("above_scale", "value_added_per_emission_t", "petrochem")] == 1600
    assert bench[("above_scale", "tax_per_mu", "default")] == 60
    majors = [r["major"] for r in tables["rp_industry_groups"].to_pylist()
              if r["group_id"] == "petrochem"]
    assert majors == ["25", "26", "27", "28"]
    surcharge = [(r["grade"], r["consecutive_year"], r["yuan_per_kwh"])
                 for r in tables["rp_policy_surcharge"].to_pylist()]
    assert surcharge == [("D", 1, 0.1), ("D", 2, 0.3), ("D", 3, 0.5)]
    parcel_bands = [r for r in tables["rp_grade_bands"].to_pylist()
                    if r["band_scope"] == "parcel"]
    assert [b["grade"] for b in parcel_bands] == ["A", "B", "C", "D"]
    assert all(b["to_share"] is None and b["from_score"] is not None for b in parcel_bands)


def test_huzhou_weights() -> None:
    tables = pack_tables(load_pack("huzhou-3.0"))
    weights = {r["indicator_id"]: r["weight"] for r in tables["rp_indicators"].to_pylist()
               if r["pool_id"] == "above_scale"}
    assert weights == {"tax_per_mu": 30, "value_added_per_mu": 20, "value_added_per_co2_t": 15,
                       "rd_share": 10, "talent_density": 10, "labour_productivity": 10,
                       "value_added_per_emission_t": 5}
    assert tables["rp_pack"].column("social_insurance_employer").to_pylist() == [True]


def test_linshu_bands_rules_coefficients_and_shortfall() -> None:
    pack = load_pack("linshu-2024")
    tables = pack_tables(pack)
    bands = [(r["grade"], r["ordinal"], r["to_share"])
             for r in tables["rp_grade_bands"].to_pylist()]
    assert bands == [("A", 0, 0.05), ("B", 1, 0.60), ("C-", 2, 0.85), ("C+", 3, 0.92),
                     ("D", 4, 1.0)]
    kinds = [r["kind"] for r in tables["rp_grade_rules"].to_pylist()]
    assert kinds == ["cap", "cap", "down", "floor", "floor", "fix"]
    tiers = [(r["op"], r["bound"], r["x"], r["applies_to"])
             for r in tables["rp_coefficients"].to_pylist()]
    assert tiers == [("ge", 2000, 1.2, "rd_share"), ("ge", 1000, 1.15, "rd_share"),
                     ("ge", 500, 1.1, "rd_share"), ("ge", 100, 1.05, "rd_share")]
    assert tables["rp_shortfall"].column("indicator_id").to_pylist() == [
        "value_added_per_tce", "value_added_per_emission_t"]
    rd = [r["weight"] for r in tables["rp_indicators"].to_pylist()
          if r["indicator_id"] == "rd_share" and r["pool_id"] == "fertiliser"]
    assert rd == [15]
    row = tables["rp_pack"].to_pylist()[0]
    assert (row["high_tech_paid_rate"], row["high_tech_restore_rate"]) == (0.15, 0.25)
    add_back = {(r["kind"], r["subkind"]) for r in tables["rp_restoration_add_back"].to_pylist()}
    assert ("POLICY_RELIEF", "RESOURCE_REUSE") in add_back and ("EXPORT_REBATE", None) in add_back


def test_suzhou_ranks_holders_and_tenants_apart() -> None:
    tables = pack_tables(load_pack("suzhou-sip-2024"))
    assert tables["rp_pools"].column("pool_id").to_pylist() == ["land_holder", "tenant"]
    pools = {r["pool_id"] for r in tables["rp_indicators"].to_pylist()}
    assert pools == {"land_holder", "tenant"}  # one plain list, expanded per pool
    assert tables["rp_grade_bands"].column("grade").to_pylist() == ["A", "B", "C", "C-", "D"]


def test_huaian_and_huangyan_benchmarks() -> None:
    huaian = pack_tables(load_pack("huaian-2024"))["rp_indicators"].to_pylist()
    assert {(r["benchmark_kind"], r["mean_of"], r["multiple"]) for r in huaian} == {
        ("mean_of", "prior_year", 2.0)}
    huangyan = pack_tables(load_pack("huangyan-2022"))
    row = huangyan["rp_pack"].to_pylist()[0]
    assert row["electricity_kgce_per_kwh"] == 0.30
    assert row["ratio_cap"] is None and row["scoring_missing"] == "pool_mean"
    bench = {(r["pool_id"], r["indicator_id"]): r["value"]
             for r in huangyan["rp_benchmarks"].to_pylist()}
    assert bench[("below_scale", "tax_per_kwh")] == 0.2352
    assert bench[("above_scale", "value_added_per_emission_t")] == 4929.81


def test_changle_bands_vetoes_and_utilities() -> None:
    tables = pack_tables(load_pack("changle-2023"))
    assert tables["rp_grade_bands"].column("to_share").to_pylist() == [0.20, 0.75, 0.95, 1.0]
    assert tables["rp_not_graded"].to_pylist()[0]["treat_as"] == "B"
    node = [r for r in tables["rp_conditions"].to_pylist()
            if r["condition_id"] == "not_graded:utilities"]
    assert node[0]["texts"] == ["44", "45", "46"]
    rules = {r["rule_id"]: (r["kind"], r["grade"]) for r in tables["rp_grade_rules"].to_pylist()}
    assert rules["veto_safety_environment"] == ("cap", "C")
    assert rules["new_firm_not_d"] == ("floor", "C")
