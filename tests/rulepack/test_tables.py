"""The pack as parameter tables: condition trees, per-pool expansion, benchmarks, nulls."""

from __future__ import annotations

from typing import Any

from mujun.rulepack import condition_nodes, pack_tables, validate_pack


def _nodes(table: Any, condition_id: str) -> list[tuple]:
    return [(r["node_id"], r["parent_node_id"], r["depth"], r["kind"], r["metric"], r["op"],
             r["number"], r["text"], r["texts"], r["min_severity"])
            for r in table.to_pylist() if r["condition_id"] == condition_id]


def test_condition_tree_flattens_pre_order(example: dict[str, Any]) -> None:
    example["grading"]["rules"][0]["when"] = {"all": [
        {"flag": "above_scale"},
        {"any": [
            {"metric": "tax_restored_wan", "le": 100},
            {"incident": {"category": "safety", "min_severity": "major"}},
            {"all": []},
        ]},
        {"industry_major": ["44", "45"]},
        {"metric": "tax_per_mu", "lt_group_mean": True},
        {"list": "green_factory"},
        {"industry_group": "petrochem"},
        {"land_class": "tenant"},
    ]}
    tables = pack_tables(validate_pack(example))
    assert _nodes(tables["rp_conditions"], "rule:cap_low_tax") == [
        (0, None, 0, "all", None, None, None, None, None, None),
        (1, 0, 1, "flag", None, None, None, "above_scale", None, None),
        (2, 0, 1, "any", None, None, None, None, None, None),
        (3, 2, 2, "metric", "tax_restored_wan", "le", 100.0, None, None, None),
        (4, 2, 2, "incident", None, None, None, "safety", None, "major"),
        (5, 2, 2, "all", None, None, None, None, None, None),
        (6, 0, 1, "industry_major", None, None, None, None, ["44", "45"], None),
        (7, 0, 1, "metric_lt_group_mean", "tax_per_mu", None, None, None, None, None),
        (8, 0, 1, "list", None, None, None, "green_factory", None, None),
        (9, 0, 1, "industry_group", None, None, None, "petrochem", None, None),
        (10, 0, 1, "land_class", None, None, None, "tenant", None, None),
    ]
    grade_rules = tables["rp_grade_rules"].to_pylist()
    assert grade_rules[0]["condition_id"] == "rule:cap_low_tax"


def test_empty_all_is_a_lone_root(example: dict[str, Any]) -> None:
    pack = validate_pack(example)
    assert condition_nodes("pool:below_scale", pack.scope.pools[2].when) == [{
        "condition_id": "pool:below_scale", "node_id": 0, "parent_node_id": None, "depth": 0,
        "kind": "all", "metric": None, "op": None, "number": None, "text": None, "texts": None,
        "min_severity": None}]


def test_condition_ids_name_their_section(example: dict[str, Any]) -> None:
    tables = pack_tables(validate_pack(example))
    roots = [r["condition_id"] for r in tables["rp_conditions"].to_pylist()
             if r["node_id"] == 0]
    assert roots == [
        "pool:above_scale", "pool:tenant", "pool:below_scale", "shortfall",
        "bonus:green_factory", "bonus:env_incident", "rule:cap_low_tax", "rule:cap_safety",
        "rule:down_small_land", "rule:floor_high_tax_per_mu", "rule:fix_big_taxpayer",
        "rule:tenant_follows_landlord", "not_graded:utilities",
        "low_efficiency:above_scale_low_tax", "low_efficiency:below_scale_low_tax",
        "low_efficiency:big_land_below_scale", "low_efficiency:persistent"]


def test_plain_indicator_list_expands_per_pool(example: dict[str, Any]) -> None:
    tables = pack_tables(validate_pack(example))
    rows = tables["rp_indicators"].to_pylist()
    assert len(rows) == 3 * 6
    for pool in ("above_scale", "tenant", "below_scale"):
        mine = [r for r in rows if r["pool_id"] == pool]
        assert [r["indicator_id"] for r in mine] == [
            "tax_per_mu", "value_added_per_mu", "value_added_per_tce",
            "value_added_per_emission_t", "labour_productivity", "rd_share"]
        assert [r["ordinal"] for r in mine] == list(range(6))
        assert {r["benchmark_kind"] for r in mine} == {"fixed"}
    bench = tables["rp_benchmarks"].to_pylist()
    assert len(bench) == 3 * 8  # six defaults plus petrochem for two indicators, per pool
    assert {"pool_id": "tenant", "indicator_id": "value_added_per_tce",
            "industry_group": "petrochem", "value": 1.2,
            "rule_pack": "example-2024"} in bench


def test_per_pool_map_scores_only_the_pools_it_names(example: dict[str, Any]) -> None:
    example["indicators"] = {
        "above_scale": example["indicators"],
        "below_scale": [{"id": "tax_per_mu", "weight": 50,
                         "benchmark": {"mean_of": "prior_year", "multiple": 2}},
                        {"id": "tax_per_kwh", "weight": 50, "benchmark": {"default": 0.2352}}],
    }
    tables = pack_tables(validate_pack(example))
    rows = tables["rp_indicators"].to_pylist()
    assert {r["pool_id"] for r in rows} == {"above_scale", "below_scale"}  # tenant: not scored
    derived = [r for r in rows if r["pool_id"] == "below_scale"][0]
    assert (derived["benchmark_kind"], derived["mean_of"], derived["multiple"]) == (
        "mean_of", "prior_year", 2.0)
    bench = [r for r in tables["rp_benchmarks"].to_pylist() if r["pool_id"] == "below_scale"]
    assert [(r["indicator_id"], r["industry_group"], r["value"]) for r in bench] == [
        ("tax_per_kwh", "default", 0.2352)]  # derived benchmarks have no rows


def test_pack_row_and_nulls(example: dict[str, Any]) -> None:
    example["restoration"]["high_tech_cit"] = None
    example["scoring"].pop("ratio_cap")
    example["scoring"].pop("ratio_floor")
    example.pop("parcels")
    tables = pack_tables(validate_pack(example))
    row = tables["rp_pack"].to_pylist()[0]
    assert row["high_tech_paid_rate"] is None and row["high_tech_restore_rate"] is None
    assert row["ratio_cap"] is None and row["ratio_floor"] == 0.0
    assert row["parcels_grade_by"] is None
    assert row["min_years_open"] == 1 and row["above_scale"] is True
    assert {r["band_scope"] for r in tables["rp_grade_bands"].to_pylist()} == {"enterprise"}


def test_rows_of_the_small_tables(example: dict[str, Any]) -> None:
    tables = pack_tables(validate_pack(example))
    assert tables["rp_restoration_add_back"].to_pylist()[-1] == {
        "rule_pack": "example-2024", "kind": "POLICY_RELIEF", "subkind": None}
    groups = [(r["group_id"], r["major"], r["ordinal"])
              for r in tables["rp_industry_groups"].to_pylist()]
    assert groups[-1] == ("default", "*", 1) and groups[0] == ("petrochem", "25", 0)
    rules = tables["rp_grade_rules"].to_pylist()
    assert [(r["kind"], r["grade"], r["steps"]) for r in rules] == [
        ("cap", "C", None), ("cap", "C", None), ("down", None, 1), ("floor", "B", None),
        ("fix", "A", None), ("follow_landlord", None, None)]
    low = tables["rp_low_efficiency"].to_pylist()
    assert [r["years"] for r in low] == [1, 1, 1, 3]
    colours = tables["rp_quarterly_colours"].to_pylist()
    assert [(c["colour"], c["below_share"]) for c in colours] == [
        ("red", 0.5), ("yellow", 1.0), ("blue", None)]
    assert tables["rp_policy_subsidy"].column("share").to_pylist() == [1.0, 0.8, 0.5, 0.0]
    assert tables["rp_not_graded"].to_pylist()[0]["treat_as"] == "B"
    assert tables["rp_bonuses"].column("points").to_pylist() == [3.0, -5.0]
    assert tables["rp_exempt_lists"].column("list_id").to_pylist() == ["research_platform"]
