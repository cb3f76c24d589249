"""Invalid packs are refused, one line per problem naming the key path, value and expectation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from mujun import vocabulary as V
from mujun.rulepack import RulePackError, check, load_pack, validate_pack

from .conftest import EXAMPLE

Mutation = Callable[[dict[str, Any]], None]


def refused(data: dict[str, Any]) -> list[str]:
    with pytest.raises(RulePackError) as info:
        validate_pack(data)
    assert info.value.problems, "a refusal always says why"
    assert str(info.value).count("\n") == len(info.value.problems)  # one line per problem
    return info.value.problems


def _set(*path: Any, value: Any) -> Mutation:
    def mutate(pack: dict[str, Any]) -> None:
        target = pack
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def _pop(*path: Any) -> Mutation:
    def mutate(pack: dict[str, Any]) -> None:
        target = pack
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return mutate


RULE0_WHEN = ("grading", "rules", 0, "when")

# (case id, mutation, the expected problem line's start, a phrase it must contain)
CASES: list[tuple[str, Mutation, str, str]] = [
    ("unknown key at the top", _set("formula", value="x"), "formula: unknown key",
     "expected one of: id, title"),
    ("unknown key nested", _set("scope", "pool", value=[]), "scope.pool: unknown key",
     "did you mean 'pools'"),
    ("unknown key in a band", _set("grading", "bands", 0, "frm", value=1),
     "grading.bands[0].frm: unknown key", "from"),
    ("wrong type: bool as text", _set("scope", "above_scale", value="yes"),
     "scope.above_scale: 'yes'", "true or false"),
    ("wrong type: list as text", _set("scope", "pools", value="above_scale"),
     "scope.pools: 'above_scale'", "not a list"),
    ("wrong type: whole number", _set("scope", "min_years_open", value=1.5),
     "scope.min_years_open: 1.5", "whole number"),
    ("missing required key", _pop("restoration", "high_tech_cit"),
     "restoration.high_tech_cit: missing", "required"),
    ("weight as quoted number", _set("indicators", 0, "weight", value="30"),
     "indicators[0].weight: '30'", "not a number"),
    ("weight as SQL", _set("indicators", 0, "weight", value="1; drop table"),
     "indicators[0].weight: '1; drop table'", "not a number"),
    ("weight as boolean", _set("indicators", 0, "weight", value=True),
     "indicators[0].weight: True", "not a number"),
    ("benchmark as text", _set("indicators", 1, "benchmark", "default", value="160"),
     "indicators[1].benchmark.default: '160'", "not a number"),
    ("tier bound as text", _set("scoring", "coefficients", 0, "tiers", 0, "ge", value="2000"),
     "scoring.coefficients[0].tiers[0].ge: '2000'", "not a number"),
    ("bonus points as text", _set("scoring", "bonuses", 0, "points", value="3"),
     "scoring.bonuses[0].points: '3'", "not a number"),
    ("surcharge rate as text",
     _set("policies", "electricity_surcharge_yuan_per_kwh", "D", 1, value="0.3"),
     "policies.electricity_surcharge_yuan_per_kwh.D[1]: '0.3'", "not a number"),
    ("unknown indicator", _set("indicators", 5, "id", value="rd_share_of_profit"),
     "indicators[5].id: 'rd_share_of_profit'", "is not an indicator of the vocabulary"),
    ("unknown metric in a condition", _set(*RULE0_WHEN, "metric", value="tax_wan"),
     "grading.rules[0].when.metric: 'tax_wan'", "not a metric of the vocabulary"),
    ("unknown metric in a nested condition",
     _set("scope", "pools", 0, "when", "all", 1, "metric", value="land_mu"),
     "scope.pools[0].when.all[1].metric: 'land_mu'", "not a metric"),
    ("two comparisons", _set(*RULE0_WHEN, value={"metric": "tax_paid_wan", "le": 1, "gt": 0}),
     "grading.rules[0].when: ", "2 comparisons (le, gt)"),
    ("no comparison", _set(*RULE0_WHEN, value={"metric": "tax_paid_wan"}),
     "grading.rules[0].when: ", "0 comparisons"),
    ("unknown comparison", _set(*RULE0_WHEN, value={"metric": "tax_paid_wan", "ne": 3}),
     "grading.rules[0].when.ne: unknown key", "metric, lt, le, gt, ge, eq"),
    ("lt_group_mean false",
     _set(*RULE0_WHEN, value={"metric": "tax_per_mu", "lt_group_mean": False}),
     "grading.rules[0].when: ", "can only be true"),
    ("two condition kinds in one mapping",
     _set(*RULE0_WHEN, value={"flag": "above_scale", "land_class": "tenant"}),
     "grading.rules[0].when: ", "is not a condition"),
    ("SQL as a condition", _set(*RULE0_WHEN, value="tax_paid_wan <= 100"),
     "grading.rules[0].when: 'tax_paid_wan <= 100'", "is not a condition"),
    ("unknown flag", _set(*RULE0_WHEN, value={"flag": "big"}),
     "grading.rules[0].when.flag: 'big'", "'above_scale', 'below_scale' or 'high_tech'"),
    ("unknown land class", _set(*RULE0_WHEN, value={"land_class": "owner"}),
     "grading.rules[0].when.land_class: 'owner'", "own_self_use"),
    ("industry major as a number", _set(*RULE0_WHEN, value={"industry_major": [44]}),
     "grading.rules[0].when.industry_major[0]: 44", "'44'"),
    ("industry group not a group", _set(*RULE0_WHEN, value={"industry_group": "chem"}),
     "grading.rules[0].when.industry_group: 'chem'", "not a group of industry_groups"),
    ("incident category", _set(*RULE0_WHEN, value={"incident": {"category": "fire",
                                                                 "min_severity": "major"}}),
     "grading.rules[0].when.incident.category: 'fire'", "'environmental' or 'safety'"),
    ("incident severity", _set(*RULE0_WHEN, value={"incident": {"category": "safety",
                                                                 "min_severity": "huge"}}),
     "grading.rules[0].when.incident.min_severity: 'huge'", "'general', 'major' or 'serious'"),
    ("empty any", _set(*RULE0_WHEN, value={"any": []}),
     "grading.rules[0].when.any: []", "at least 1"),
    ("group mean in a pool condition",
     _set("scope", "pools", 1, "when", value={"metric": "tax_per_mu", "lt_group_mean": True}),
     "scope.pools[1].when.lt_group_mean", "cannot be used to choose a pool"),
    ("benchmark missing a group",
     _set("indicators", 2, "benchmark", value={"petrochem": 1.2}),
     "indicators[2].benchmark: {'petrochem': 1.2}", "no `default` and no value for group"),
    ("benchmark keyed by an unknown group",
     _set("indicators", 2, "benchmark", value={"chemicals": 1.2, "default": 4}),
     "indicators[2].benchmark.chemicals: 'chemicals'", "not `default` nor a group"),
    ("benchmark missing under ratio", _pop("indicators", 0, "benchmark"),
     "indicators[0].benchmark: missing", "ratio"),
    ("fraction benchmark written as percent",
     _set("indicators", 5, "benchmark", value={"default": 3}),
     "indicators[5].benchmark.default: 3.0", "is a fraction"),
    ("mean_of enum", _set("indicators", 0, "benchmark", value={"mean_of": "last_year",
                                                                "multiple": 2}),
     "indicators[0].benchmark.mean_of: 'last_year'", "'this_year' or 'prior_year'"),
    ("bands not ending at 1.0", _set("grading", "bands", 3, "to", value=0.99),
     "grading.bands[3].to: 0.99", "must be 1.0"),
    ("bands not increasing", _set("grading", "bands", 1, "to", value=0.05),
     "grading.bands[1].to: 0.05", "above the band before it"),
    ("percentile written as percent", _set("grading", "bands", 0, "to", value=10),
     "grading.bands[0].to: 10.0", "fractions"),
    ("score band under percentile", _set("grading", "bands", 0, "from", value=10),
     "grading.bands[0].from: 10.0", "by: score"),
    ("grade in a rule not in the bands", _set("grading", "rules", 0, "grade", value="E"),
     "grading.rules[0].grade: 'E'", "is not a band grade (A, B, C, D)"),
    ("T as a rule grade", _set("grading", "rules", 0, "grade", value="T"),
     "grading.rules[0].grade: 'T'", "not a band grade"),
    ("treat_as not a band grade", _set("grading", "not_graded", 0, "treat_as", value="C+"),
     "grading.not_graded[0].treat_as: 'C+'", "not a band grade"),
    ("policy grade not a band grade", _set("policies", "subsidy_share", "E", value=0.1),
     "policies.subsidy_share.E: 'E'", "not a band grade"),
    ("T used as a band", _set("grading", "bands", 3, "grade", value="T"),
     "grading.bands[3].grade: 'T'", "reserved"),
    ("Unicode minus in a grade", _set("grading", "bands", 2, "grade", value="C−"),
     "grading.bands[2].grade: 'C−'", "ASCII"),
    ("cap rule without grade", _pop("grading", "rules", 0, "grade"),
     "grading.rules[0].grade: missing", "cap"),
    ("down rule without steps", _pop("grading", "rules", 2, "steps"),
     "grading.rules[2].steps: missing", "down"),
    ("unknown rule kind", _set("grading", "rules", 0, "kind", value="promote"),
     "grading.rules[0].kind: 'promote'", "'cap', 'floor', 'down', 'fix' or 'follow_landlord'"),
    ("duplicate rule id", _set("grading", "rules", 1, "id", value="cap_low_tax"),
     "grading.rules[1].id: 'cap_low_tax'", "appears twice"),
    ("per-pool map keyed by an unknown pool",
     lambda p: p.update(indicators={"above_scale": p["indicators"], "tennant": p["indicators"]}),
     "indicators.tennant: 'tennant'", "not a pool of scope.pools (above_scale, tenant, "
                                      "below_scale)"),
    ("indicators neither list nor map", _set("indicators", value="tax_per_mu"),
     "indicators: 'tax_per_mu'", "not a list of indicators"),
    ("shortfall indicator not in the pack",
     _set("scoring", "shortfall_penalty", "indicators", value=["output_per_kwh"]),
     "scoring.shortfall_penalty.indicators[0]: 'output_per_kwh'", "not scored in any pool"),
    ("applies_to not used by the pack",
     _set("scoring", "coefficients", 0, "applies_to", value="talent_density"),
     "scoring.coefficients[0].applies_to: 'talent_density'", "not scored in any pool"),
    ("tier with two bounds", _set("scoring", "coefficients", 0, "tiers", 0, "gt", value=1),
     "scoring.coefficients[0].tiers[0]: ", "2 bounds (ge, gt)"),
    ("ratio cap below floor", _set("scoring", "ratio_cap", value=0),
     "scoring.ratio_cap: 0.0", "above ratio_floor"),
    ("unknown carrier", _set("energy", "coefficients", "coal", value={"unit": "kg", "kgce": 1}),
     "energy.coefficients.coal: key 'coal'", "not a carrier"),
    ("unknown unit", _set("energy", "coefficients", "heat", "unit", value="MJ"),
     "energy.coefficients.heat.unit: 'MJ'", "'m3', 't', 'kg' or 'GJ'"),
    ("unknown relief kind", lambda p: p["restoration"]["add_back"].append("TAX_HOLIDAY"),
     "restoration.add_back[4]: 'TAX_HOLIDAY'", "not a relief kind"),
    ("subkind of a kind restored whole",
     lambda p: p["restoration"]["add_back"].append("POLICY_RELIEF.RESOURCE_REUSE"),
     "restoration.add_back[4]: 'POLICY_RELIEF.RESOURCE_REUSE'", "already restored whole"),
    ("parcels graded by something else", _set("parcels", "grade_by", value="output_per_mu"),
     "parcels.grade_by: 'output_per_mu'", "'tax_per_mu'"),
    ("parcel bands not falling", _set("parcels", "bands", 1, "from", value=40),
     "parcels.bands[1].from: 40.0", "below the band before it"),
    ("share above 1", _set("policies", "subsidy_share", "A", value=100),
     "policies.subsidy_share.A: 100", "1.0 is 100 %"),
    ("quarterly colour that always applies comes first",
     lambda p: p["quarterly"]["colours"].insert(0, {"colour": "grey"}),
     "quarterly.colours[0].colour: 'grey'", "put it last"),
    ("two catch-all groups", _set("industry_groups", "rest", value="*"),
     "industry_groups: ", "more than one catch-all"),
    ("a major in two groups", _set("industry_groups", "chemicals", value=["26"]),
     "industry_groups.chemicals[0]: '26'", "already in group 'petrochem'"),
    ("id with SQL", _set("scope", "pools", 0, "id", value="x'; drop table t; --"),
     "scope.pools[0].id: ", "is not an id"),
    ("pack id", _set("id", value="Example 2024"), "id: 'Example 2024'", "not a pack id"),
    ("low-efficiency years zero", _set("low_efficiency", 3, "years", value=0),
     "low_efficiency[3].years: 0", "at least 1"),
]


@pytest.mark.parametrize(("mutate", "start", "phrase"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_invalid_pack_is_refused_naming_the_key_path(
        example: dict[str, Any], mutate: Mutation, start: str, phrase: str) -> None:
    mutate(example)
    problems = refused(example)
    matching = [p for p in problems if p.startswith(start)]
    assert matching, f"no problem starts with {start!r}: {problems}"
    assert any(phrase in p for p in matching), f"{phrase!r} not in {matching}"


def test_the_contract_example_is_valid(example: dict[str, Any]) -> None:
    pack = validate_pack(example)
    assert pack.id == "example-2024"


def test_every_structural_problem_is_reported_at_once(example: dict[str, Any]) -> None:
    example["indicators"][0]["weight"] = "30"
    example["scope"]["above_scale"] = "yes"
    example["bogus"] = 1
    problems = refused(example)
    assert len(problems) == 3


def test_not_a_mapping() -> None:
    for data in (None, [1, 2], "id: x"):
        with pytest.raises(RulePackError) as info:
            validate_pack(data)
        assert info.value.problems[0].startswith("(pack): ")


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text("id: broken\nscope: {above_scale: true\n", encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    (problem,) = info.value.problems
    assert problem.startswith(f"{path}: line ")
    assert "not valid YAML" in problem


def test_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    # PyYAML keeps the last of two equal keys silently: a reviewer would see the first.
    path = tmp_path / "dup.yml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8") + "id: other\n", encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    assert "duplicate key 'id'" in info.value.problems[0]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yml"
    with pytest.raises(RulePackError) as info:
        load_pack(str(path))
    assert info.value.problems == [f"{path}: no such file"]


def test_unknown_shipped_pack_names_the_shipped_ones() -> None:
    with pytest.raises(RulePackError) as info:
        load_pack("atlantis-2024")
    assert "'atlantis-2024' is not a shipped rule pack" in info.value.problems[0]
    assert "zhenhai-2024" in info.value.problems[0]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    assert "empty" in info.value.problems[0]


def test_load_by_path_and_check(tmp_path: Path, example: dict[str, Any]) -> None:
    path = tmp_path / "mine.yml"
    path.write_text(yaml.safe_dump(example, allow_unicode=True), encoding="utf-8")
    assert load_pack(path).id == "example-2024"
    assert load_pack(str(path)).source == str(path)
    assert check(str(path)).startswith("example-2024: ")
    example["scoring"]["method"] = "random"
    path.write_text(yaml.safe_dump(example, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        check(str(path))
    assert info.value.problems == [
        "scoring.method: 'random' is not one of 'ratio' or 'minmax'"]


def test_minmax_needs_no_benchmark_but_refuses_ratio_keys(example: dict[str, Any]) -> None:
    example["scoring"].update(method="minmax")
    example["scoring"].pop("shortfall_penalty")
    for entry in example["indicators"]:
        entry.pop("benchmark")
    problems = refused(example)
    assert problems == ["scoring.ratio_cap: 1.5 is read only by method ratio: remove it"]
    example["scoring"].pop("ratio_cap")
    example["scoring"].pop("ratio_floor")
    assert validate_pack(example).scoring.method == "minmax"


def test_shortfall_needs_a_benchmark_under_minmax(example: dict[str, Any]) -> None:
    example["scoring"].update(method="minmax")
    for key in ("ratio_cap", "ratio_floor"):
        example["scoring"].pop(key)
    example["indicators"][2].pop("benchmark")
    problems = refused(example)
    assert problems == ["indicators[2].benchmark: missing (scoring.shortfall_penalty scores "
                        "value_added_per_tce against its benchmark)"]


def test_conditions_nest_no_deeper_than_dbt_folds(example: dict[str, Any]) -> None:
    # dbt unrolls the fold to V.MAX_CONDITION_DEPTH (test_vocabulary checks the dbt var)
    when: dict[str, Any] = {"flag": "above_scale"}
    for _ in range(V.MAX_CONDITION_DEPTH):
        when = {"all": [when]}
    example["grading"]["rules"][0]["when"] = when
    validate_pack(example)  # the leaf sits at the deepest level dbt folds
    example["grading"]["rules"][0]["when"] = {"any": [when]}
    problems = refused(example)
    assert len(problems) == 1
    assert problems[0].startswith("grading.rules[0].when.any[0].all[0].all[0].all[0].all[0]"
                                  ".all[0].all[0]: 'above_scale' nests deeper than 6 levels")
