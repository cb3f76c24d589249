"""Rule packs: one county's evaluation method as validated data (contract/rule-pack.md).

A pack is YAML that a bureau's engineers edit and review like code. This module refuses a
pack before any data is read when it does not follow the closed schema of rule-pack.md, with
one line per problem naming the key path, the value found and what was expected, so that the
person who edited the file can fix it without reading Python. A valid pack becomes typed
parameter tables (`pack_tables`) that the dbt models join: no county's numbers live in SQL.

Validation runs in two passes. The pydantic models check shapes, types and enumerations
(unknown keys refused everywhere, numbers strictly numbers). The cross-field pass then checks
what needs the whole pack: pool ids, industry groups, band grades, benchmarks per group.
The second pass runs only when the first found nothing, because it needs a whole model.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
import textwrap
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    Tag,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from mujun import vocabulary as V

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKS_DIR = REPO_ROOT / "dbt_project" / "rule_packs"

__all__ = [
    "PACKS_DIR",
    "TABLE_SCHEMAS",
    "RulePack",
    "RulePackError",
    "check",
    "condition_nodes",
    "describe_condition",
    "load_pack",
    "pack_summary",
    "pack_tables",
    "shipped_packs",
    "validate_pack",
    "write_pack_tables",
]


class RulePackError(Exception):
    """A pack that cannot be used: `problems` holds one line per problem (the CLI exits 2)."""

    def __init__(self, problems: list[str], source: str = "rule pack") -> None:
        self.problems = list(problems)
        self.source = source
        count = len(self.problems)
        header = f"rule pack {source} refused ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n".join([header, *(f"  {p}" for p in self.problems)]))


# =============================================================================================
# Scalar types. Each raises a PydanticCustomError whose message reads after the value found,
# e.g. "'30' is text, not a number", so that the translated line names what was expected.

_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_PACK_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_GRADE_RE = re.compile(r"^[A-Z][A-Z0-9]{0,3}[+-]?$")
_MAJOR_RE = re.compile(r"^[0-9]{2}$")


def _nearest(value: object, choices: tuple[str, ...] | list[str]) -> str:
    """A 'did you mean' hint: most refused names are typos of a vocabulary name."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _number(value: object) -> float:
    """Numbers must be YAML numbers: quoted '30', SQL text and booleans are refused.

    Python's bool is an int and pydantic's lax float accepts numeric strings, so both are
    checked here before pydantic sees the value.
    """
    if isinstance(value, bool):
        raise PydanticCustomError("number", "is a boolean, not a number")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise PydanticCustomError("number", "is not a finite number")
        return float(value)
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            raise PydanticCustomError("number", "is text, not a number") from None
        raise PydanticCustomError("number", "is quoted text, not a number: write it unquoted")
    raise PydanticCustomError("number", "is not a number")


def _identifier(value: object) -> str:
    """Ids become table values and condition ids: keep them to snake_case."""
    if not isinstance(value, str):
        raise PydanticCustomError("id", "is not an id (text)")
    if not _ID_RE.match(value):
        raise PydanticCustomError(
            "id", "is not an id: lower-case letters, digits and _, starting with a letter")
    return value


def _pack_id(value: object) -> str:
    if not isinstance(value, str) or not _PACK_ID_RE.match(value):
        raise PydanticCustomError(
            "pack_id", "is not a pack id: lower-case letters, digits, '.', '-' and '_'")
    return value


def _grade(value: object) -> str:
    """Grades are short ASCII names (A, B, C-, C+, D): a Unicode minus would be a new grade."""
    if not isinstance(value, str):
        raise PydanticCustomError("grade", "is not a grade name (text such as 'A' or 'C-')")
    if not _GRADE_RE.match(value):
        hint = " (write C- / C+ in ASCII)" if any(c in value for c in "−－＋") else ""
        raise PydanticCustomError(
            "grade", "is not a grade name: an upper-case letter, optionally + or -{hint}",
            {"hint": hint})
    return value


def _band_grade(value: object) -> str:
    grade = _grade(value)
    if grade == V.RESERVED_GRADE:
        raise PydanticCustomError(
            "grade", "is reserved for enterprises ranked but not graded (not_graded): "
                     "not a band grade")
    return grade


def _major(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        raise PydanticCustomError(
            "major", "is a number: write industry majors as quoted two-digit codes ('{q}')",
            {"q": f"{value:02d}"})
    if not isinstance(value, str) or not _MAJOR_RE.match(value):
        raise PydanticCustomError("major", "is not a two-digit GB/T 4754 major code such as '26'")
    return value


def _catch_all(value: object) -> str:
    if value != "*":
        raise PydanticCustomError(
            "group", "is neither '*' (every other major) nor a list of two-digit codes")
    return "*"


def _vocabulary(kind: str, names: tuple[str, ...], what: str):
    """A validator accepting only `names`, with a message naming the vocabulary."""

    def check(value: object) -> str:
        if isinstance(value, str) and value in names:
            return value
        raise PydanticCustomError(kind, "is not {what}{hint}",
                                  {"what": what, "hint": _nearest(value, names)})

    return check


def _add_back(value: object) -> str:
    """KIND or KIND.SUBKIND, from feeds.md's relief kinds (only POLICY_RELIEF has subkinds)."""
    if isinstance(value, str):
        kind, _, subkind = value.partition(".")
        if kind in V.RELIEF_KINDS and (not subkind or subkind in V.RELIEF_SUBKINDS.get(kind, ())):
            return value
    raise PydanticCustomError(
        "relief", "is not a relief kind of feeds.md ({kinds}) or POLICY_RELIEF.<{subkinds}>",
        {"kinds": ", ".join(V.RELIEF_KINDS), "subkinds": "|".join(V.POLICY_RELIEF_SUBKINDS)})


Number = Annotated[float, BeforeValidator(_number)]
PositiveNumber = Annotated[float, BeforeValidator(_number), Field(gt=0)]
NonNegativeNumber = Annotated[float, BeforeValidator(_number), Field(ge=0)]
Share = Annotated[float, BeforeValidator(_number), Field(ge=0, le=1)]
Id = Annotated[str, BeforeValidator(_identifier)]
PackId = Annotated[str, BeforeValidator(_pack_id)]
Grade = Annotated[str, BeforeValidator(_grade)]
BandGrade = Annotated[str, BeforeValidator(_band_grade)]
MajorCode = Annotated[str, BeforeValidator(_major)]
IndicatorId = Annotated[str, BeforeValidator(
    _vocabulary("indicator", tuple(V.INDICATORS), "an indicator of the vocabulary"))]
Metric = Annotated[str, BeforeValidator(
    _vocabulary("metric", V.METRICS, "a metric of the vocabulary (a base figure or indicator)"))]
Carrier = Annotated[str, BeforeValidator(
    _vocabulary("carrier", V.CARRIERS, "a carrier of feeds.md (" + ", ".join(V.CARRIERS) + ")"))]
AddBack = Annotated[str, BeforeValidator(_add_back)]
CatchAll = Annotated[str, BeforeValidator(_catch_all)]
NonEmptyText = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    """Every pack model refuses unknown keys: the schema is closed (rule-pack.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# =============================================================================================
# Conditions: exactly the shapes of rule-pack.md "Conditions", nothing else.


class MetricCompare(_Strict):
    """`{metric: NAME, lt|le|gt|ge|eq: NUMBER}`: exactly one comparison."""

    metric: Metric
    lt: Number | None = None
    le: Number | None = None
    gt: Number | None = None
    ge: Number | None = None
    eq: Number | None = None

    @model_validator(mode="after")
    def _one_comparison(self) -> MetricCompare:
        given = [op for op in V.COMPARISON_OPS if getattr(self, op) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "comparison", "has {n} comparisons{which}: expected exactly one of lt, le, gt, "
                              "ge, eq", {"n": len(given),
                                         "which": f" ({', '.join(given)})" if given else ""})
        return self

    @property
    def op(self) -> str:
        return next(op for op in V.COMPARISON_OPS if getattr(self, op) is not None)

    @property
    def number(self) -> float:
        return getattr(self, self.op)


class MetricBelowGroupMean(_Strict):
    """`{metric: NAME, lt_group_mean: true}`: below the mean of its industry group in its pool."""

    metric: Metric
    lt_group_mean: StrictBool

    @model_validator(mode="after")
    def _true(self) -> MetricBelowGroupMean:
        if self.lt_group_mean is not True:
            raise PydanticCustomError(
                "comparison", "has lt_group_mean: false; it can only be true (drop the "
                              "condition instead)")
        return self


class FlagCondition(_Strict):
    flag: Literal["above_scale", "below_scale", "high_tech"]


class LandClassCondition(_Strict):
    land_class: Literal["own_self_use", "own_with_lease", "tenant", "no_land"]


class IndustryMajorCondition(_Strict):
    industry_major: Annotated[list[MajorCode], Field(min_length=1)]


class IndustryGroupCondition(_Strict):
    industry_group: Id


class ListCondition(_Strict):
    list_id: Id = Field(alias="list")


class Incident(_Strict):
    category: Literal["environmental", "safety"]
    min_severity: Literal["general", "major", "serious"]


class IncidentCondition(_Strict):
    incident: Incident


class AllCondition(_Strict):
    """`{all: [...]}`: true when every member holds, and true when empty."""

    all_: list[Condition] = Field(alias="all")


class AnyCondition(_Strict):
    """`{any: [...]}`: an empty `any` could never hold, so it is refused."""

    any_: Annotated[list[Condition], Field(min_length=1)] = Field(alias="any")


_CONDITION_KEYS = ("metric", "flag", "land_class", "industry_major", "industry_group", "list",
                   "incident", "all", "any")


def _condition_tag(value: Any) -> str | None:
    """Pick the condition model by its one defining key; None makes pydantic refuse it."""
    if not isinstance(value, Mapping):
        return None
    present = [k for k in _CONDITION_KEYS if k in value]
    if len(present) != 1:
        return None
    key = present[0]
    if key == "metric":
        return "<metric_lt_group_mean>" if "lt_group_mean" in value else "<metric>"
    return f"<{key}>"


Condition = Annotated[
    Union[  # noqa: UP007 (Tag annotations need typing.Union members)
        Annotated[MetricCompare, Tag("<metric>")],
        Annotated[MetricBelowGroupMean, Tag("<metric_lt_group_mean>")],
        Annotated[FlagCondition, Tag("<flag>")],
        Annotated[LandClassCondition, Tag("<land_class>")],
        Annotated[IndustryMajorCondition, Tag("<industry_major>")],
        Annotated[IndustryGroupCondition, Tag("<industry_group>")],
        Annotated[ListCondition, Tag("<list>")],
        Annotated[IncidentCondition, Tag("<incident>")],
        Annotated[AllCondition, Tag("<all>")],
        Annotated[AnyCondition, Tag("<any>")],
    ],
    Discriminator(
        _condition_tag, custom_error_type="condition",
        custom_error_message=(
            "is not a condition: write exactly one of metric (with one of lt/le/gt/ge/eq, or "
            "lt_group_mean: true), flag, land_class, industry_major, industry_group, list, "
            "incident, or combine conditions with all: [...] / any: [...]")),
]
AllCondition.model_rebuild()
AnyCondition.model_rebuild()

ConditionModel = (MetricCompare | MetricBelowGroupMean | FlagCondition | LandClassCondition
                  | IndustryMajorCondition | IndustryGroupCondition | ListCondition
                  | IncidentCondition | AllCondition | AnyCondition)


# =============================================================================================
# The pack.


class Pool(_Strict):
    id: Id
    when: Condition


class Scope(_Strict):
    above_scale: StrictBool
    below_scale_min_land_mu: NonNegativeNumber
    min_years_open: Annotated[StrictInt, Field(ge=0)]
    exempt_lists: list[Id] | None = None
    pools: Annotated[list[Pool], Field(min_length=1)]


class Land(_Strict):
    count_leased_out: Literal["subtract", "keep"]
    attached_land: Literal["add", "ignore"]
    research_land_exempt: StrictBool


class HighTechCit(_Strict):
    paid_rate: PositiveNumber
    restore_rate: PositiveNumber


class Restoration(_Strict):
    add_back: list[AddBack]
    social_insurance_employer: StrictBool
    high_tech_cit: HighTechCit | None


class EnergyCoefficient(_Strict):
    unit: Literal["m3", "t", "kg", "GJ"]
    kgce: PositiveNumber


class Carbon(_Strict):
    electricity_t_per_mwh: NonNegativeNumber
    other_energy_t_per_tce: NonNegativeNumber


class Energy(_Strict):
    electricity_kgce_per_kwh: PositiveNumber
    coefficients: dict[Carrier, EnergyCoefficient]
    carbon: Carbon


class MeanOfBenchmark(_Strict):
    """`{mean_of: this_year|prior_year, multiple: m}`: m × the pool's mean of the indicator."""

    mean_of: Literal["this_year", "prior_year"]
    multiple: PositiveNumber


FixedBenchmark = Annotated[dict[str, PositiveNumber], Field(min_length=1)]


def _benchmark_tag(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return None
    return "<mean_of>" if "mean_of" in value or "multiple" in value else "<fixed>"


Benchmark = Annotated[
    Union[  # noqa: UP007
        Annotated[FixedBenchmark, Tag("<fixed>")],
        Annotated[MeanOfBenchmark, Tag("<mean_of>")],
    ],
    Discriminator(_benchmark_tag, custom_error_type="benchmark",
                  custom_error_message="is not a benchmark: write {default: x, <group>: y} or "
                                       "{mean_of: this_year|prior_year, multiple: m}"),
]


class IndicatorEntry(_Strict):
    id: IndicatorId
    weight: PositiveNumber
    benchmark: Benchmark | None = None


IndicatorList = Annotated[list[IndicatorEntry], Field(min_length=1)]


def _indicators_tag(value: Any) -> str | None:
    if isinstance(value, list):
        return "<list>"
    if isinstance(value, Mapping):
        return "<per_pool>"
    return None


IndicatorsSpec = Annotated[
    Union[  # noqa: UP007
        Annotated[IndicatorList, Tag("<list>")],
        Annotated[dict[str, IndicatorList], Tag("<per_pool>")],
    ],
    Discriminator(_indicators_tag, custom_error_type="indicators",
                  custom_error_message="is not a list of indicators nor a map from pool id to "
                                       "a list of indicators"),
]


class ShortfallPenalty(_Strict):
    when: Condition
    indicators: Annotated[list[IndicatorId], Field(min_length=1)]


class Tier(_Strict):
    """One tier of a coefficient: exactly one bound (ge/gt/le/lt) and its factor `x`."""

    ge: Number | None = None
    gt: Number | None = None
    le: Number | None = None
    lt: Number | None = None
    x: PositiveNumber

    @model_validator(mode="after")
    def _one_bound(self) -> Tier:
        given = [op for op in V.COEFFICIENT_OPS if getattr(self, op) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "tier", "has {n} bounds{which}: expected exactly one of ge, gt, le, lt",
                {"n": len(given), "which": f" ({', '.join(given)})" if given else ""})
        return self

    @property
    def op(self) -> str:
        return next(op for op in V.COEFFICIENT_OPS if getattr(self, op) is not None)

    @property
    def bound(self) -> float:
        return getattr(self, self.op)


class Coefficient(_Strict):
    id: Id
    metric: Metric
    applies_to: IndicatorId | None = None
    tiers: Annotated[list[Tier], Field(min_length=1)]


class Bonus(_Strict):
    id: Id
    when: Condition
    points: Number


class Scoring(_Strict):
    method: Literal["ratio", "minmax"]
    missing: Literal["zero", "pool_mean", "exclude"]
    ratio_cap: Number | None = None
    ratio_floor: Number | None = None
    shortfall_penalty: ShortfallPenalty | None = None
    coefficients: list[Coefficient] | None = None
    bonuses: list[Bonus] | None = None


class Band(_Strict):
    """A grade band: `to` (percentile, upper bound inclusive) or `from` (score, lower bound)."""

    grade: BandGrade
    to: Number | None = None
    from_: Number | None = Field(default=None, alias="from")


class GradeRule(_Strict):
    """cap/floor/fix name a `grade`, down takes `steps`, follow_landlord neither (cross-checked)."""

    id: Id
    kind: Literal["cap", "floor", "down", "fix", "follow_landlord"]
    grade: Grade | None = None
    steps: Annotated[StrictInt, Field(ge=1)] | None = None
    when: Condition


class NotGraded(_Strict):
    id: Id
    when: Condition
    treat_as: Grade


class Grading(_Strict):
    by: Literal["percentile", "score"]
    bands: Annotated[list[Band], Field(min_length=2)]
    rules: list[GradeRule] | None = None
    not_graded: list[NotGraded] | None = None


class Parcels(_Strict):
    grade_by: Literal["tax_per_mu"]
    bands: Annotated[list[Band], Field(min_length=2)]


class LowEfficiencyRule(_Strict):
    id: Id
    when: Condition
    years: Annotated[StrictInt, Field(ge=1)] = 1


class Policies(_Strict):
    electricity_surcharge_yuan_per_kwh: (
        dict[Grade, Annotated[list[NonNegativeNumber], Field(min_length=1)]] | None) = None
    subsidy_share: dict[Grade, Share] | None = None


class Colour(_Strict):
    colour: Id
    below_share_of_group_median: PositiveNumber | None = None


class Quarterly(_Strict):
    indicators: Annotated[list[IndicatorId], Field(min_length=1)]
    colours: Annotated[list[Colour], Field(min_length=1)]


class RulePack(_Strict):
    """One evaluation method. Field order follows rule-pack.md's example."""

    id: PackId
    title: NonEmptyText
    based_on: str | None = None
    scope: Scope
    industry_groups: Annotated[
        dict[Id, Annotated[
            Union[  # noqa: UP007
                Annotated[CatchAll, Tag("<catch_all>")],
                Annotated[Annotated[list[MajorCode], Field(min_length=1)], Tag("<majors>")],
            ],
            Discriminator(lambda v: "<majors>" if isinstance(v, list) else "<catch_all>"),
        ]],
        Field(min_length=1)]
    land: Land
    restoration: Restoration
    energy: Energy
    indicators: IndicatorsSpec
    scoring: Scoring
    grading: Grading
    parcels: Parcels | None = None
    low_efficiency: list[LowEfficiencyRule] | None = None
    policies: Policies | None = None
    quarterly: Quarterly | None = None

    _source: str = PrivateAttr(default="<data>")
    _sha256: str | None = PrivateAttr(default=None)

    @property
    def source(self) -> str:
        """Where the pack was read from (a path, or '<data>')."""
        return self._source

    @property
    def sha256(self) -> str | None:
        """The file's sha256, for run.json and the trace: which exact method graded a year."""
        return self._sha256

    # -- conveniences the tables, the summary and the SQL side share -------------------------

    @property
    def pool_ids(self) -> list[str]:
        return [p.id for p in self.scope.pools]

    def indicators_by_pool(self) -> dict[str, list[IndicatorEntry]]:
        """A plain list applies to every pool; a map only to the pools it names."""
        if isinstance(self.indicators, list):
            return {pool: list(self.indicators) for pool in self.pool_ids}
        return {pool: list(self.indicators[pool]) for pool in self.pool_ids
                if pool in self.indicators}

    def used_indicators(self) -> list[str]:
        """Indicator ids scored in some pool, in first-seen order."""
        seen: dict[str, None] = {}
        for entries in self.indicators_by_pool().values():
            for entry in entries:
                seen.setdefault(entry.id, None)
        return list(seen)

    @property
    def band_grades(self) -> list[str]:
        return [b.grade for b in self.grading.bands]

    def conditions(self) -> Iterator[tuple[str, str, ConditionModel]]:
        """Every `when` of the pack: (condition_id, key path, condition)."""
        for i, pool in enumerate(self.scope.pools):
            yield f"pool:{pool.id}", f"scope.pools[{i}].when", pool.when
        if self.scoring.shortfall_penalty is not None:
            yield "shortfall", "scoring.shortfall_penalty.when", self.scoring.shortfall_penalty.when
        for i, bonus in enumerate(self.scoring.bonuses or []):
            yield f"bonus:{bonus.id}", f"scoring.bonuses[{i}].when", bonus.when
        for i, rule in enumerate(self.grading.rules or []):
            yield f"rule:{rule.id}", f"grading.rules[{i}].when", rule.when
        for i, ng in enumerate(self.grading.not_graded or []):
            yield f"not_graded:{ng.id}", f"grading.not_graded[{i}].when", ng.when
        for i, rule in enumerate(self.low_efficiency or []):
            yield f"low_efficiency:{rule.id}", f"low_efficiency[{i}].when", rule.when


# =============================================================================================
# Error locations: pydantic's loc tuples → `indicators[5].id`, with union tags dropped and
# the keys a closed mapping accepts named for unknown keys.


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional until a model, a container or a real union is left."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def _tag_of(member: Any) -> str | None:
    if get_origin(member) is Annotated:
        for meta in member.__metadata__:
            if isinstance(meta, Tag):
                return meta.tag
    return None


def _model_field(model: type[BaseModel], key: Any) -> Any:
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return info.annotation
    return None


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _walk(loc: tuple[Any, ...]) -> tuple[list[Any], Any, bool]:
    """(clean path parts, the type holding the last part, whether the error is about a key)."""
    tp: Any = RulePack
    parent: Any = None
    parts: list[Any] = []
    key_error = False
    for part in loc:
        if part == "[key]":
            key_error = True
            continue
        current = _unwrap(tp) if tp is not None else None
        if current is not None and get_origin(current) in (Union, types.UnionType):
            tags = {_tag_of(m): m for m in get_args(current)}
            if part in tags:
                tp = tags[part]
                continue
            current = None
        if isinstance(part, str) and part.startswith("<") and part.endswith(">"):
            continue  # a union tag the walk could not place: never a key of a pack
        parent = current
        parts.append(part)
        tp = _child(current, part)
    return parts, parent, key_error


def _child(tp: Any, part: Any) -> Any:
    if tp is None:
        return None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _model_field(tp, part)
    origin = get_origin(tp)
    if origin in (list, tuple):
        return get_args(tp)[0]
    if origin is dict:
        return get_args(tp)[1]
    return None


def _path(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(pack)"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


_PLAIN_MESSAGES = {
    "bool_type": "is not true or false",
    "int_type": "is not a whole number",
    "string_type": "is not text",
    "list_type": "is not a list",
    "dict_type": "is not a mapping",
    "model_type": "is not a mapping",
    "model_attributes_type": "is not a mapping",
    "union_tag_invalid": "is not one of the accepted shapes",
}


def _problem(error: Mapping[str, Any]) -> str:
    parts, parent, key_error = _walk(tuple(error["loc"]))
    path = _path(parts)
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"{path}: missing (a required key)"
    if kind == "extra_forbidden":
        allowed = ""
        if isinstance(parent, type) and issubclass(parent, BaseModel):
            allowed = "; expected one of: " + ", ".join(_keys_of(parent))
            allowed += _nearest(parts[-1] if parts else None, _keys_of(parent))
        return f"{path}: unknown key (value {_show(value)}); the schema is closed{allowed}"
    if kind == "literal_error":
        message = f"is not one of {ctx.get('expected', '')}"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next(iter(ctx.values()), "")
        words = {"greater_than": "greater than", "greater_than_equal": "at least",
                 "less_than": "less than", "less_than_equal": "at most"}[kind]
        message = f"must be {words} {bound}"
        if kind == "less_than_equal" and bound == 1:
            message += " (shares are fractions: 1.0 is 100 %)"
    elif kind == "too_short":
        message = f"must hold at least {ctx.get('min_length', 1)} item(s)"
    elif kind in _PLAIN_MESSAGES:
        message = _PLAIN_MESSAGES[kind]
    else:
        message = str(error.get("msg", kind))
        if error.get("url") and message[:1].isupper():  # pydantic's own wording
            message = message[0].lower() + message[1:]
    prefix = "key " if key_error else ""
    return f"{path}: {prefix}{_show(value)} {message}"


# =============================================================================================
# Cross-field checks: what needs the whole pack.


def _cross_problems(pack: RulePack) -> list[str]:
    problems: list[str] = []

    def add(path: str, value: Any, message: str) -> None:
        problems.append(f"{path}: {_show(value)} {message}")

    def unique(items: list[str], path: str, suffix: str = ".id") -> None:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item in seen:
                add(f"{path}[{i}]{suffix}", item, "appears twice: ids must be unique")
            seen.add(item)

    # -- industry groups: one catch-all, each major in one group ------------------------------
    groups = list(pack.industry_groups)
    catch_alls = [g for g, spec in pack.industry_groups.items() if spec == "*"]
    if len(catch_alls) != 1:
        add("industry_groups", {g: pack.industry_groups[g] for g in catch_alls} or groups,
            "needs exactly one catch-all group ('*', usually `default: \"*\"`) so every "
            "enterprise has a group" if not catch_alls else
            "has more than one catch-all group ('*'): keep one")
    if "default" in pack.industry_groups and pack.industry_groups["default"] != "*":
        add("industry_groups.default", pack.industry_groups["default"],
            "must be '*': `default` is the group of every other major (and the benchmark key "
            "for groups without their own)")
    owner: dict[str, str] = {}
    for group, spec in pack.industry_groups.items():
        if isinstance(spec, list):
            for j, major in enumerate(spec):
                if major in owner:
                    add(f"industry_groups.{group}[{j}]", major,
                        f"is already in group {owner[major]!r}: a major belongs to one group")
                owner.setdefault(major, group)

    # -- scope ----------------------------------------------------------------------------------
    unique(pack.pool_ids, "scope.pools")
    unique(list(pack.scope.exempt_lists or []), "scope.exempt_lists", "")

    # -- conditions: group ids exist; pool conditions cannot test pool statistics --------------
    def visit(cond: ConditionModel, path: str, in_pool: bool, depth: int = 0) -> None:
        if depth > V.MAX_CONDITION_DEPTH:
            add(path, describe_condition(cond),
                f"nests deeper than {V.MAX_CONDITION_DEPTH} levels of all/any: flatten it")
            return
        if isinstance(cond, IndustryGroupCondition) and cond.industry_group not in groups:
            add(f"{path}.industry_group", cond.industry_group,
                f"is not a group of industry_groups ({', '.join(groups)})")
        elif isinstance(cond, MetricBelowGroupMean) and in_pool:
            add(f"{path}.lt_group_mean", True,
                "cannot be used to choose a pool: the group mean is taken within the pool")
        elif isinstance(cond, AllCondition):
            for k, member in enumerate(cond.all_):
                visit(member, f"{path}.all[{k}]", in_pool, depth + 1)
        elif isinstance(cond, AnyCondition):
            for k, member in enumerate(cond.any_):
                visit(member, f"{path}.any[{k}]", in_pool, depth + 1)

    for condition_id, path, cond in pack.conditions():
        visit(cond, path, condition_id.startswith("pool:"))

    # -- restoration ----------------------------------------------------------------------------
    add_back = pack.restoration.add_back
    for i, item in enumerate(add_back):
        kind = item.split(".")[0]
        if add_back.index(item) != i:
            add(f"restoration.add_back[{i}]", item, "appears twice")
        elif "." in item and kind in add_back:
            add(f"restoration.add_back[{i}]", item, f"is already restored whole by {kind!r}")

    # -- indicators -------------------------------------------------------------------------------
    method = pack.scoring.method
    shortfall = set(pack.scoring.shortfall_penalty.indicators
                    if pack.scoring.shortfall_penalty else [])
    if isinstance(pack.indicators, dict):
        for key in pack.indicators:
            if key not in pack.pool_ids:
                add(f"indicators.{key}", key,
                    f"is not a pool of scope.pools ({', '.join(pack.pool_ids)})")
        lists = {f"indicators.{k}": v for k, v in pack.indicators.items()}
    else:
        lists = {"indicators": pack.indicators}
    for base, entries in lists.items():
        ids = [e.id for e in entries]
        for i, entry in enumerate(entries):
            path = f"{base}[{i}]"
            if ids.index(entry.id) != i:
                add(f"{path}.id", entry.id, "appears twice in this list")
            bench = entry.benchmark
            if bench is None:
                if method == "ratio":
                    problems.append(f"{path}.benchmark: missing (scoring.method ratio scores "
                                    f"value / benchmark)")
                elif entry.id in shortfall:
                    problems.append(f"{path}.benchmark: missing (scoring.shortfall_penalty "
                                    f"scores {entry.id} against its benchmark)")
                continue
            if isinstance(bench, dict):
                for key, value in bench.items():
                    if key != "default" and key not in groups:
                        add(f"{path}.benchmark.{key}", key,
                            f"is not `default` nor a group of industry_groups "
                            f"({', '.join(groups)})")
                    if V.INDICATORS[entry.id].unit == "fraction" and value > 1:
                        add(f"{path}.benchmark.{key}", value,
                            f"is above 1 but {entry.id} is a fraction (3 % is 0.03)")
                if "default" not in bench:
                    missing = [g for g in groups if g not in bench]
                    if missing:
                        add(f"{path}.benchmark", dict(bench),
                            f"has no `default` and no value for group(s) {', '.join(missing)}")

    # -- scoring ----------------------------------------------------------------------------------
    used = pack.used_indicators()
    scoring = pack.scoring
    if method == "minmax":
        if scoring.ratio_cap is not None:
            add("scoring.ratio_cap", scoring.ratio_cap, "is read only by method ratio: remove it")
        if scoring.ratio_floor not in (None, 0.0):
            add("scoring.ratio_floor", scoring.ratio_floor,
                "is read only by method ratio: remove it")
    floor = scoring.ratio_floor or 0.0
    if scoring.ratio_cap is not None and scoring.ratio_cap <= floor:
        add("scoring.ratio_cap", scoring.ratio_cap, f"must be above ratio_floor ({floor:g})")
    if scoring.shortfall_penalty is not None:
        names = scoring.shortfall_penalty.indicators
        for i, ind in enumerate(names):
            if names.index(ind) != i:
                add(f"scoring.shortfall_penalty.indicators[{i}]", ind, "appears twice")
            elif ind not in used:
                add(f"scoring.shortfall_penalty.indicators[{i}]", ind,
                    "is not scored in any pool of this pack")
    coefficients = scoring.coefficients or []
    unique([c.id for c in coefficients], "scoring.coefficients")
    for i, coef in enumerate(coefficients):
        if coef.applies_to is not None and coef.applies_to not in used:
            add(f"scoring.coefficients[{i}].applies_to", coef.applies_to,
                "is not scored in any pool of this pack")
    unique([b.id for b in scoring.bonuses or []], "scoring.bonuses")

    # -- grading ----------------------------------------------------------------------------------
    grading = pack.grading
    _check_bands(grading.bands, grading.by, "grading.bands", add)
    bands = pack.band_grades
    known = f"a band grade ({', '.join(bands)})"
    for i, rule in enumerate(grading.rules or []):
        path = f"grading.rules[{i}]"
        if rule.kind in V.GRADE_RULE_KINDS_WITH_GRADE:
            if rule.grade is None:
                problems.append(f"{path}.grade: missing (a {rule.kind} rule names a grade)")
            elif rule.grade not in bands:
                add(f"{path}.grade", rule.grade, f"is not {known}")
        elif rule.grade is not None:
            add(f"{path}.grade", rule.grade, f"is not read by a {rule.kind} rule: remove it")
        if rule.kind == "down" and rule.steps is None:
            problems.append(f"{path}.steps: missing (a down rule moves the grade steps worse)")
        elif rule.kind != "down" and rule.steps is not None:
            add(f"{path}.steps", rule.steps, f"is not read by a {rule.kind} rule: remove it")
    unique([r.id for r in grading.rules or []], "grading.rules")
    for i, ng in enumerate(grading.not_graded or []):
        if ng.treat_as not in bands:
            add(f"grading.not_graded[{i}].treat_as", ng.treat_as, f"is not {known}")
    unique([n.id for n in grading.not_graded or []], "grading.not_graded")

    if pack.parcels is not None:
        _check_bands(pack.parcels.bands, "score", "parcels.bands", add)

    unique([r.id for r in pack.low_efficiency or []], "low_efficiency")

    # -- policies ---------------------------------------------------------------------------------
    if pack.policies is not None:
        for key in ("electricity_surcharge_yuan_per_kwh", "subsidy_share"):
            for grade in getattr(pack.policies, key) or {}:
                if grade not in bands:
                    add(f"policies.{key}.{grade}", grade,
                        f"is not {known}" + ("; T follows its treat_as" if grade == "T" else ""))

    # -- quarterly --------------------------------------------------------------------------------
    if pack.quarterly is not None:
        q = pack.quarterly
        for i, ind in enumerate(q.indicators):
            if q.indicators.index(ind) != i:
                add(f"quarterly.indicators[{i}]", ind, "appears twice")
        names = [c.colour for c in q.colours]
        last_share = 0.0
        for i, colour in enumerate(q.colours):
            path = f"quarterly.colours[{i}]"
            if names.index(colour.colour) != i:
                add(f"{path}.colour", colour.colour, "appears twice")
            share = colour.below_share_of_group_median
            if share is None and i != len(q.colours) - 1:
                add(f"{path}.colour", colour.colour,
                    "has no below_share_of_group_median, so it always applies and the colours "
                    "after it never would: put it last")
            elif share is not None:
                if share <= last_share:
                    add(f"{path}.below_share_of_group_median", share,
                        "must be above the share of the colour before it (the first colour "
                        "that applies wins)")
                last_share = share
    return problems


def _check_bands(bands: list[Band], by: str, base: str, add: Any) -> None:
    """Percentile bands climb to `to: 1.0`; score bands fall by `from`; grades unique."""
    seen: set[str] = set()
    previous: float | None = None
    for i, band in enumerate(bands):
        path = f"{base}[{i}]"
        if band.grade in seen:
            add(f"{path}.grade", band.grade, "appears twice")
        seen.add(band.grade)
        if by == "percentile":
            if band.from_ is not None:
                add(f"{path}.from", band.from_, "is for `by: score`: percentile bands take `to`")
            if band.to is None:
                add(f"{path}", {"grade": band.grade}, "has no `to` (the band's upper percentile)")
                continue
            if not 0 < band.to <= 1:
                add(f"{path}.to", band.to,
                    "must be in (0, 1]: percentiles are fractions (1.0 is the whole pool)")
            elif previous is not None and band.to <= previous:
                add(f"{path}.to", band.to,
                    f"must be above the band before it ({previous:g}): bands hold grades "
                    f"best first")
            elif i == len(bands) - 1 and band.to != 1.0:
                add(f"{path}.to", band.to, "must be 1.0: the last band ends the pool")
            previous = band.to
        else:
            if band.to is not None:
                add(f"{path}.to", band.to, "is for `by: percentile`: score bands take `from`")
            if band.from_ is None:
                add(f"{path}", {"grade": band.grade}, "has no `from` (the band's lowest score)")
                continue
            if previous is not None and band.from_ >= previous:
                add(f"{path}.from", band.from_,
                    f"must be below the band before it ({previous:g}): bands hold grades "
                    f"best first")
            previous = band.from_


# =============================================================================================
# Loading.


class _PackLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys: PyYAML would silently keep the last one."""


def _construct_mapping(loader: _PackLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, "a key is not a scalar",
                key_node.start_mark) from None
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"duplicate key {key!r}",
                key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_PackLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def shipped_packs() -> list[str]:
    """Ids of the packs shipped in dbt_project/rule_packs/."""
    return sorted(p.stem for p in PACKS_DIR.glob("*.yml"))


def _resolve(ref: str | Path) -> tuple[Path, bool]:
    """A ref is a path when it is a Path, names a file, or looks like one; else a shipped id."""
    if isinstance(ref, Path):
        return ref, False
    path = Path(ref)
    if path.suffix in (".yml", ".yaml") or "/" in ref or "\\" in ref or path.is_file():
        return path, False
    shipped = PACKS_DIR / f"{ref}.yml"
    if shipped.is_file():
        return shipped, True
    raise RulePackError(
        [f"{ref!r} is not a shipped rule pack ({', '.join(shipped_packs()) or 'none'}) nor a "
         f"path to a YAML file"], source=repr(ref))


def validate_pack(data: Any, source: str = "<data>") -> RulePack:
    """Validate already-parsed YAML (a mapping) into a RulePack, or raise RulePackError."""
    if not isinstance(data, Mapping):
        what = "empty" if data is None else f"a {type(data).__name__}"
        raise RulePackError([f"(pack): the document is {what}; expected a mapping of the keys "
                             f"of rule-pack.md"], source=source)
    try:
        pack = RulePack.model_validate(data)
    except ValidationError as exc:
        raise RulePackError([_problem(e) for e in exc.errors()], source=source) from None
    problems = _cross_problems(pack)
    if problems:
        raise RulePackError(problems, source=source)
    pack._source = source
    return pack


def load_pack(ref: str | Path) -> RulePack:
    """Load a pack by shipped id (`zhenhai-2024`) or by path, or raise RulePackError."""
    path, shipped = _resolve(ref)
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RulePackError([f"{path}: no such file"], source=source) from None
    except IsADirectoryError:
        raise RulePackError([f"{path}: is a directory, not a YAML file"], source=source) from None
    except OSError as exc:
        raise RulePackError([f"{path}: cannot be read ({exc.strerror})"], source=source) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RulePackError([f"{path}: is not UTF-8 text (byte {exc.start})"],
                            source=source) from None
    try:
        data = yaml.load(text, Loader=_PackLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        detail = f"{problem} ({context})" if context else problem
        raise RulePackError([f"{path}: {where}not valid YAML: {detail}"],
                            source=source) from None
    pack = validate_pack(data, source=source)
    if shipped and pack.id != path.stem:
        raise RulePackError([f"id: {pack.id!r} differs from the file name {path.name!r}: a "
                             f"shipped pack's id is its file name"], source=source)
    pack._sha256 = hashlib.sha256(raw).hexdigest()
    return pack


# =============================================================================================
# Human summary (`mujun rules check PACK`).


def _fmt(value: float) -> str:
    return f"{value:g}"


_OP_SIGNS = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥", "eq": "="}


def describe_condition(cond: ConditionModel) -> str:
    """One line of readable text for a condition, as the summary and `explain` show it."""
    if isinstance(cond, MetricCompare):
        return f"{cond.metric} {_OP_SIGNS[cond.op]} {_fmt(cond.number)}"
    if isinstance(cond, MetricBelowGroupMean):
        return f"{cond.metric} < its group's mean in the pool"
    if isinstance(cond, FlagCondition):
        return cond.flag
    if isinstance(cond, LandClassCondition):
        return f"land class {cond.land_class}"
    if isinstance(cond, IndustryMajorCondition):
        return f"industry major in {', '.join(cond.industry_major)}"
    if isinstance(cond, IndustryGroupCondition):
        return f"industry group {cond.industry_group}"
    if isinstance(cond, ListCondition):
        return f"on list {cond.list_id}"
    if isinstance(cond, IncidentCondition):
        return (f"{cond.incident.category} incident of severity ≥ "
                f"{cond.incident.min_severity} in the year")
    if isinstance(cond, AllCondition):
        if not cond.all_:
            return "always"
        if len(cond.all_) == 1:
            return describe_condition(cond.all_[0])
        return " and ".join(_nested(c) for c in cond.all_)
    if isinstance(cond, AnyCondition):
        if len(cond.any_) == 1:
            return describe_condition(cond.any_[0])
        return " or ".join(_nested(c) for c in cond.any_)
    raise TypeError(f"not a condition: {cond!r}")


def _nested(cond: ConditionModel) -> str:
    text = describe_condition(cond)
    many = (isinstance(cond, AllCondition) and len(cond.all_) > 1) or (
        isinstance(cond, AnyCondition) and len(cond.any_) > 1)
    return f"({text})" if many else text


def _describe_benchmark(entry: IndicatorEntry) -> str:
    bench = entry.benchmark
    if bench is None:
        return "no benchmark"
    if isinstance(bench, MeanOfBenchmark):
        return f"benchmark {_fmt(bench.multiple)} × pool mean ({bench.mean_of})"
    return "benchmark " + ", ".join(
        _fmt(v) if k == "default" and len(bench) == 1 else f"{k} {_fmt(v)}"
        for k, v in bench.items())


def pack_summary(pack: RulePack) -> str:
    """A short summary a reviewer reads before approving a pack change."""
    lines = [f"{pack.id}: {pack.title}"]
    if pack.based_on:
        lines.append(textwrap.fill(" ".join(pack.based_on.split()), width=100,
                                   initial_indent="  based on: ", subsequent_indent="    "))
    scope = pack.scope
    lines.append(
        "  scope: above scale " + ("evaluated" if scope.above_scale else "excluded")
        + f"; below scale from {_fmt(scope.below_scale_min_land_mu)} mu"
        + f"; exempt when open < {scope.min_years_open} year(s)"
        + (f"; exempt lists: {', '.join(scope.exempt_lists)}" if scope.exempt_lists else ""))
    lines.append("  pools (first match wins):")
    for pool in scope.pools:
        lines.append(f"    {pool.id}: {describe_condition(pool.when)}")
    lines.append("  industry groups: " + "; ".join(
        f"{g} {spec if spec == '*' else ','.join(spec)}"
        for g, spec in pack.industry_groups.items()))
    r = pack.restoration
    cit = (f"high-tech CIT {_fmt(r.high_tech_cit.paid_rate)} → "
           f"{_fmt(r.high_tech_cit.restore_rate)}" if r.high_tech_cit else "no high-tech CIT")
    lines.append(f"  restoration: add back {', '.join(r.add_back) or 'nothing'}; employer "
                 f"social insurance {'yes' if r.social_insurance_employer else 'no'}; {cit}")
    lines.append(f"  energy: electricity {_fmt(pack.energy.electricity_kgce_per_kwh)} kgce/kWh; "
                 f"{len(pack.energy.coefficients)} carrier coefficient(s)")
    lines.append("  indicators (weight, benchmark):")
    for pool, entries in pack.indicators_by_pool().items():
        total = sum(e.weight for e in entries)
        lines.append(f"    {pool} (total weight {_fmt(total)}):")
        for e in entries:
            lines.append(f"      {e.id:<28} {_fmt(e.weight):>5}  {_describe_benchmark(e)}")
    for pool in pack.pool_ids:
        if pool not in pack.indicators_by_pool():
            lines.append(f"    {pool}: no indicators (not scored)")
    s = pack.scoring
    scoring = f"  scoring: {s.method}"
    if s.method == "ratio":
        cap = "no cap" if s.ratio_cap is None else f"capped at {_fmt(s.ratio_cap)}"
        scoring += f" (value / benchmark {cap}, floored at {_fmt(s.ratio_floor or 0.0)})"
    lines.append(f"{scoring}; a missing indicator scores by {s.missing}")
    if s.shortfall_penalty:
        lines.append(f"    shortfall penalty on {', '.join(s.shortfall_penalty.indicators)} when "
                     f"{describe_condition(s.shortfall_penalty.when)}")
    for c in s.coefficients or []:
        tiers = ", ".join(f"{_OP_SIGNS[t.op]} {_fmt(t.bound)} → ×{_fmt(t.x)}" for t in c.tiers)
        target = f"{c.applies_to} points" if c.applies_to else "the total"
        lines.append(f"    coefficient {c.id} on {target} by {c.metric}: {tiers}")
    for b in s.bonuses or []:
        lines.append(f"    bonus {b.id} {b.points:+g} when {describe_condition(b.when)}")
    g = pack.grading
    if g.by == "percentile":
        bands = ", ".join(f"{b.grade} ≤ {_fmt((b.to or 0) * 100)} %" for b in g.bands)
    else:
        bands = ", ".join(f"{b.grade} from {_fmt(b.from_ or 0)}" for b in g.bands)
    lines.append(f"  grading by {g.by}, best first: {bands}")
    for i, rule in enumerate(g.rules or [], 1):
        what = {"cap": f"no better than {rule.grade}", "floor": f"no worse than {rule.grade}",
                "fix": f"set to {rule.grade}", "down": f"{rule.steps} step(s) worse",
                "follow_landlord": "take the landlord's grade"}[rule.kind]
        lines.append(f"    rule {i}. {rule.id} ({rule.kind}): {what} when "
                     f"{describe_condition(rule.when)}")
    for ng in g.not_graded or []:
        lines.append(f"    not graded {ng.id}: T (as {ng.treat_as}) when "
                     f"{describe_condition(ng.when)}")
    if pack.parcels:
        bands = ", ".join(f"{b.grade} from {_fmt(b.from_ or 0)}" for b in pack.parcels.bands)
        lines.append(f"  parcels graded by {pack.parcels.grade_by}: {bands}")
    for rule in pack.low_efficiency or []:
        years = f" in each of {rule.years} years" if rule.years > 1 else ""
        lines.append(f"  low efficiency {rule.id}: {describe_condition(rule.when)}{years}")
    if pack.policies:
        for grade, rates in (pack.policies.electricity_surcharge_yuan_per_kwh or {}).items():
            lines.append(f"  surcharge for {grade}: {', '.join(_fmt(x) for x in rates)} yuan/kWh "
                         f"by consecutive year")
        if pack.policies.subsidy_share:
            lines.append("  subsidy share: " + ", ".join(
                f"{k} {_fmt(v)}" for k, v in pack.policies.subsidy_share.items()))
    if pack.quarterly:
        colours = ", ".join(
            c.colour if c.below_share_of_group_median is None
            else f"{c.colour} < {_fmt(c.below_share_of_group_median)} × median"
            for c in pack.quarterly.colours)
        lines.append(f"  quarterly: {', '.join(pack.quarterly.indicators)}; {colours}")
    return "\n".join(lines)


def check(ref: str | Path) -> str:
    """`mujun rules check PACK`: validate and return the summary, or raise RulePackError."""
    return pack_summary(load_pack(ref))


# =============================================================================================
# Parameter tables for dbt. Fixed schemas whatever the pack: a model never meets a missing
# column because some county left a section out.

_S = pa.string()
_F = pa.float64()
_I = pa.int32()
_B = pa.bool_()
_L = pa.list_(pa.string())


def _schema(*cols: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field("rule_pack", _S), *(pa.field(n, t) for n, t in cols)])


TABLE_SCHEMAS: dict[str, pa.Schema] = {
    "rp_pack": _schema(
        ("title", _S), ("based_on", _S), ("above_scale", _B), ("below_scale_min_land_mu", _F),
        ("min_years_open", _I), ("count_leased_out", _S), ("attached_land", _S),
        ("research_land_exempt", _B), ("social_insurance_employer", _B),
        ("high_tech_paid_rate", _F), ("high_tech_restore_rate", _F),
        ("electricity_kgce_per_kwh", _F), ("electricity_t_per_mwh", _F),
        ("other_energy_t_per_tce", _F), ("scoring_method", _S), ("scoring_missing", _S),
        ("ratio_cap", _F), ("ratio_floor", _F), ("grading_by", _S), ("parcels_grade_by", _S)),
    "rp_restoration_add_back": _schema(("kind", _S), ("subkind", _S)),
    "rp_energy_coefficients": _schema(("carrier", _S), ("unit", _S), ("kgce", _F)),
    "rp_industry_groups": _schema(("group_id", _S), ("major", _S), ("ordinal", _I)),
    "rp_exempt_lists": _schema(("list_id", _S)),
    "rp_pools": _schema(("pool_id", _S), ("ordinal", _I), ("condition_id", _S)),
    "rp_indicators": _schema(
        ("pool_id", _S), ("indicator_id", _S), ("weight", _F), ("ordinal", _I),
        ("benchmark_kind", _S), ("mean_of", _S), ("multiple", _F)),
    "rp_benchmarks": _schema(
        ("pool_id", _S), ("indicator_id", _S), ("industry_group", _S), ("value", _F)),
    "rp_shortfall": _schema(("condition_id", _S), ("indicator_id", _S)),
    "rp_coefficients": _schema(
        ("coefficient_id", _S), ("metric", _S), ("applies_to", _S), ("tier_ordinal", _I),
        ("op", _S), ("bound", _F), ("x", _F)),
    "rp_bonuses": _schema(("bonus_id", _S), ("ordinal", _I), ("condition_id", _S),
                          ("points", _F)),
    "rp_grade_bands": _schema(("band_scope", _S), ("grade", _S), ("ordinal", _I),
                              ("to_share", _F), ("from_score", _F)),
    "rp_grade_rules": _schema(("rule_id", _S), ("ordinal", _I), ("kind", _S), ("grade", _S),
                              ("steps", _I), ("condition_id", _S)),
    "rp_not_graded": _schema(("not_graded_id", _S), ("ordinal", _I), ("condition_id", _S),
                             ("treat_as", _S)),
    "rp_low_efficiency": _schema(("rule_id", _S), ("ordinal", _I), ("condition_id", _S),
                                 ("years", _I)),
    "rp_policy_surcharge": _schema(("grade", _S), ("consecutive_year", _I),
                                   ("yuan_per_kwh", _F)),
    "rp_policy_subsidy": _schema(("grade", _S), ("share", _F)),
    "rp_quarterly_indicators": _schema(("indicator_id", _S), ("ordinal", _I)),
    "rp_quarterly_colours": _schema(("colour", _S), ("ordinal", _I), ("below_share", _F)),
    "rp_conditions": _schema(
        ("condition_id", _S), ("node_id", _I), ("parent_node_id", _I), ("depth", _I),
        ("kind", _S), ("metric", _S), ("op", _S), ("number", _F), ("text", _S),
        ("texts", _L), ("min_severity", _S)),
}


def condition_nodes(condition_id: str, when: ConditionModel) -> list[dict[str, Any]]:
    """Flatten a condition into rp_conditions rows, pre-order: the root is node 0.

    A tree of typed nodes lets SQL evaluate any nesting of all/any with a fixed set of joins
    (leaves are tested per enterprise, then folded up by parent_node_id), so no condition is
    ever turned into SQL text.
    """
    rows: list[dict[str, Any]] = []

    def emit(cond: ConditionModel, parent: int | None, depth: int) -> None:
        row: dict[str, Any] = {
            "condition_id": condition_id, "node_id": len(rows), "parent_node_id": parent,
            "depth": depth, "kind": None, "metric": None, "op": None, "number": None,
            "text": None, "texts": None, "min_severity": None}
        rows.append(row)
        children: list[ConditionModel] = []
        if isinstance(cond, MetricCompare):
            row.update(kind="metric", metric=cond.metric, op=cond.op, number=cond.number)
        elif isinstance(cond, MetricBelowGroupMean):
            row.update(kind="metric_lt_group_mean", metric=cond.metric)
        elif isinstance(cond, FlagCondition):
            row.update(kind="flag", text=cond.flag)
        elif isinstance(cond, LandClassCondition):
            row.update(kind="land_class", text=cond.land_class)
        elif isinstance(cond, IndustryMajorCondition):
            row.update(kind="industry_major", texts=list(cond.industry_major))
        elif isinstance(cond, IndustryGroupCondition):
            row.update(kind="industry_group", text=cond.industry_group)
        elif isinstance(cond, ListCondition):
            row.update(kind="list", text=cond.list_id)
        elif isinstance(cond, IncidentCondition):
            row.update(kind="incident", text=cond.incident.category,
                       min_severity=cond.incident.min_severity)
        elif isinstance(cond, AllCondition):
            row.update(kind="all")
            children = list(cond.all_)
        elif isinstance(cond, AnyCondition):
            row.update(kind="any")
            children = list(cond.any_)
        node_id = row["node_id"]
        for child in children:
            emit(child, node_id, depth + 1)

    emit(when, None, 0)
    return rows


def _table(name: str, pack_id: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = TABLE_SCHEMAS[name]
    columns = {f.name: [pack_id if f.name == "rule_pack" else r.get(f.name) for r in rows]
               for f in schema}
    return pa.Table.from_pydict(columns, schema=schema)


def pack_tables(pack: RulePack) -> dict[str, pa.Table]:
    """The pack as typed tables (see TABLE_SCHEMAS), every row carrying `rule_pack`."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLE_SCHEMAS}
    cit = pack.restoration.high_tech_cit
    rows["rp_pack"].append({
        "title": pack.title, "based_on": pack.based_on,
        "above_scale": pack.scope.above_scale,
        "below_scale_min_land_mu": pack.scope.below_scale_min_land_mu,
        "min_years_open": pack.scope.min_years_open,
        "count_leased_out": pack.land.count_leased_out,
        "attached_land": pack.land.attached_land,
        "research_land_exempt": pack.land.research_land_exempt,
        "social_insurance_employer": pack.restoration.social_insurance_employer,
        "high_tech_paid_rate": cit.paid_rate if cit else None,
        "high_tech_restore_rate": cit.restore_rate if cit else None,
        "electricity_kgce_per_kwh": pack.energy.electricity_kgce_per_kwh,
        "electricity_t_per_mwh": pack.energy.carbon.electricity_t_per_mwh,
        "other_energy_t_per_tce": pack.energy.carbon.other_energy_t_per_tce,
        "scoring_method": pack.scoring.method, "scoring_missing": pack.scoring.missing,
        "ratio_cap": pack.scoring.ratio_cap,
        "ratio_floor": pack.scoring.ratio_floor if pack.scoring.ratio_floor is not None else 0.0,
        "grading_by": pack.grading.by,
        "parcels_grade_by": pack.parcels.grade_by if pack.parcels else None,
    })
    for item in pack.restoration.add_back:
        kind, _, subkind = item.partition(".")
        rows["rp_restoration_add_back"].append({"kind": kind, "subkind": subkind or None})
    for carrier, coef in pack.energy.coefficients.items():
        rows["rp_energy_coefficients"].append(
            {"carrier": carrier, "unit": coef.unit, "kgce": coef.kgce})
    for ordinal, (group, spec) in enumerate(pack.industry_groups.items()):
        for major in (["*"] if spec == "*" else spec):
            rows["rp_industry_groups"].append(
                {"group_id": group, "major": major, "ordinal": ordinal})
    for list_id in pack.scope.exempt_lists or []:
        rows["rp_exempt_lists"].append({"list_id": list_id})
    for ordinal, pool in enumerate(pack.scope.pools):
        rows["rp_pools"].append(
            {"pool_id": pool.id, "ordinal": ordinal, "condition_id": f"pool:{pool.id}"})
    for pool, entries in pack.indicators_by_pool().items():
        for ordinal, entry in enumerate(entries):
            bench = entry.benchmark
            row = {"pool_id": pool, "indicator_id": entry.id, "weight": entry.weight,
                   "ordinal": ordinal, "benchmark_kind": None, "mean_of": None,
                   "multiple": None}
            if isinstance(bench, MeanOfBenchmark):
                row.update(benchmark_kind="mean_of", mean_of=bench.mean_of,
                           multiple=bench.multiple)
            elif bench is not None:
                row.update(benchmark_kind="fixed")
                for group, value in bench.items():
                    rows["rp_benchmarks"].append({"pool_id": pool, "indicator_id": entry.id,
                                                  "industry_group": group, "value": value})
            rows["rp_indicators"].append(row)
    scoring = pack.scoring
    if scoring.shortfall_penalty is not None:
        for ind in scoring.shortfall_penalty.indicators:
            rows["rp_shortfall"].append({"condition_id": "shortfall", "indicator_id": ind})
    for coef in scoring.coefficients or []:
        for ordinal, tier in enumerate(coef.tiers):
            rows["rp_coefficients"].append({
                "coefficient_id": coef.id, "metric": coef.metric, "applies_to": coef.applies_to,
                "tier_ordinal": ordinal, "op": tier.op, "bound": tier.bound, "x": tier.x})
    for ordinal, bonus in enumerate(scoring.bonuses or []):
        rows["rp_bonuses"].append({"bonus_id": bonus.id, "ordinal": ordinal,
                                   "condition_id": f"bonus:{bonus.id}", "points": bonus.points})
    for scope, bands in (("enterprise", pack.grading.bands),
                         ("parcel", pack.parcels.bands if pack.parcels else [])):
        for ordinal, band in enumerate(bands):
            rows["rp_grade_bands"].append({"band_scope": scope, "grade": band.grade,
                                           "ordinal": ordinal, "to_share": band.to,
                                           "from_score": band.from_})
    for ordinal, rule in enumerate(pack.grading.rules or []):
        rows["rp_grade_rules"].append({
            "rule_id": rule.id, "ordinal": ordinal, "kind": rule.kind, "grade": rule.grade,
            "steps": rule.steps, "condition_id": f"rule:{rule.id}"})
    for ordinal, ng in enumerate(pack.grading.not_graded or []):
        rows["rp_not_graded"].append({"not_graded_id": ng.id, "ordinal": ordinal,
                                      "condition_id": f"not_graded:{ng.id}",
                                      "treat_as": ng.treat_as})
    for ordinal, rule in enumerate(pack.low_efficiency or []):
        rows["rp_low_efficiency"].append({"rule_id": rule.id, "ordinal": ordinal,
                                          "condition_id": f"low_efficiency:{rule.id}",
                                          "years": rule.years})
    if pack.policies is not None:
        for grade, rates in (pack.policies.electricity_surcharge_yuan_per_kwh or {}).items():
            for year, rate in enumerate(rates, 1):
                rows["rp_policy_surcharge"].append(
                    {"grade": grade, "consecutive_year": year, "yuan_per_kwh": rate})
        for grade, share in (pack.policies.subsidy_share or {}).items():
            rows["rp_policy_subsidy"].append({"grade": grade, "share": share})
    if pack.quarterly is not None:
        for ordinal, ind in enumerate(pack.quarterly.indicators):
            rows["rp_quarterly_indicators"].append({"indicator_id": ind, "ordinal": ordinal})
        for ordinal, colour in enumerate(pack.quarterly.colours):
            rows["rp_quarterly_colours"].append({
                "colour": colour.colour, "ordinal": ordinal,
                "below_share": colour.below_share_of_group_median})
    for condition_id, _, when in pack.conditions():
        rows["rp_conditions"].extend(condition_nodes(condition_id, when))
    return {name: _table(name, pack.id, table_rows) for name, table_rows in rows.items()}


def write_pack_tables(pack: RulePack, directory: str | Path) -> list[Path]:
    """Write one `<table>.parquet` per pack table into `directory`; return the paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in pack_tables(pack).items():
        path = directory / f"{name}.parquet"
        pq.write_table(table, path)
        paths.append(path)
    return paths
