"""The closed vocabularies of a rule pack (contract/rule-pack.md, contract/feeds.md), as data.

A rule pack may only name what is listed here: base figures, indicators, carriers, units,
relief kinds, flags, land classes, severities, rule kinds. Keeping them in one module lets
the validator (`mujun.rulepack`), the dbt models (through the pack tables) and the docs agree
on one list, and lets a reviewer see in one place what a county can configure and what it
cannot: a new indicator is a change to this file and to the SQL, never to a pack alone.
"""

from __future__ import annotations

from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------
# Base figures per enterprise and year (rule-pack.md "Metric and indicator vocabulary").
# Units as marts.md publishes them: money in 万元, land in 亩, energy in tce.

BASE_METRIC_UNITS: dict[str, str] = {
    "land_area_mu": "亩",
    "tax_paid_wan": "万元",
    "tax_restored_wan": "万元",
    "output_wan": "万元",
    "value_added_wan": "万元",
    "revenue_wan": "万元",
    "rd_expense_wan": "万元",
    "employees_avg": "persons",
    "rd_staff": "persons",
    "degree_staff": "persons",
    "electricity_kwh": "kWh",
    "energy_tce": "tce",
    "emissions_t": "t",
    "co2_t": "t",
    "water_t": "t",
    "tenant_count": "enterprises",
    "years_open": "years",
}
BASE_METRICS: tuple[str, ...] = tuple(BASE_METRIC_UNITS)


# ---------------------------------------------------------------------------------------------
# Derived denominators: figures that are not base figures because they depend on a pack
# parameter. `revenue_per_tce_electricity` divides by electricity in tce, which is
# kWh × the pack's `energy.electricity_kgce_per_kwh` / 1000 (application form, seed 003 §10).


@dataclass(frozen=True)
class DerivedFigure:
    """A figure computed from one base figure and one pack parameter: base × parameter × scale."""

    id: str
    base: str
    pack_parameter: str
    scale: float
    unit: str


DERIVED_FIGURES: dict[str, DerivedFigure] = {
    "electricity_tce": DerivedFigure(
        id="electricity_tce", base="electricity_kwh",
        pack_parameter="electricity_kgce_per_kwh", scale=1 / 1000, unit="tce"),
}


# ---------------------------------------------------------------------------------------------
# Indicators. value = numerator × numerator_scale / (denominator × denominator_scale); a
# denominator of zero or null makes the value null (never infinite).


@dataclass(frozen=True)
class Indicator:
    """One indicator of the vocabulary, with the scale factors that give it its unit.

    The scales are kept beside the formula so that SQL never carries a bare 10000 whose
    reason a reader has to guess (output_per_kwh is yuan per kWh from 万元 and kWh).
    """

    id: str
    numerator: str
    denominator: str
    unit: str
    label_zh: str
    numerator_scale: float = 1.0
    denominator_scale: float = 1.0

    @property
    def factor(self) -> float:
        """The single multiplier SQL applies: value = factor × numerator / denominator."""
        return self.numerator_scale / self.denominator_scale

    @property
    def formula(self) -> str:
        """The formula as rule-pack.md writes it, for summaries and docs."""
        num = self.numerator
        if self.numerator_scale != 1.0:
            num = f"{num} × {self.numerator_scale:g}"
        den = self.denominator
        if self.denominator_scale != 1.0:
            den = (f"({den} / {1 / self.denominator_scale:g})" if self.denominator_scale < 1
                   else f"({den} × {self.denominator_scale:g})")
        return f"{num} / {den}"


_INDICATOR_LIST: tuple[Indicator, ...] = (
    Indicator("tax_per_mu", "tax_restored_wan", "land_area_mu", "万元/亩", "亩均税收"),
    Indicator("value_added_per_mu", "value_added_wan", "land_area_mu", "万元/亩", "亩均增加值"),
    Indicator("output_per_mu", "output_wan", "land_area_mu", "万元/亩", "亩均产值"),
    Indicator("revenue_per_mu", "revenue_wan", "land_area_mu", "万元/亩", "亩均营业收入"),
    Indicator("labour_productivity", "value_added_wan", "employees_avg", "万元/人",
              "全员劳动生产率"),
    Indicator("revenue_per_employee", "revenue_wan", "employees_avg", "万元/人", "人均营业收入"),
    Indicator("rd_share", "rd_expense_wan", "revenue_wan", "fraction",
              "研发经费支出占营业收入比重"),
    Indicator("value_added_per_tce", "value_added_wan", "energy_tce", "万元/tce", "单位能耗增加值"),
    Indicator("output_per_tce", "output_wan", "energy_tce", "万元/tce", "单位能耗产值"),
    Indicator("revenue_per_tce", "revenue_wan", "energy_tce", "万元/tce", "单位能耗营业收入"),
    Indicator("revenue_per_tce_electricity", "revenue_wan", "electricity_tce", "万元/tce",
              "单位电耗营业收入"),
    Indicator("output_per_kwh", "output_wan", "electricity_kwh", "元/kWh", "度电产值",
              numerator_scale=10000.0),
    Indicator("value_added_per_emission_t", "value_added_wan", "emissions_t", "万元/t",
              "单位排放增加值"),
    Indicator("talent_density", "degree_staff", "employees_avg", "fraction", "人才密度"),
    Indicator("value_added_per_co2_t", "value_added_wan", "co2_t", "万元/t",
              "单位碳排放增加值 (碳效)"),
    Indicator("tax_per_kwh", "tax_restored_wan", "electricity_kwh", "万元/万kWh", "单位电耗税收",
              denominator_scale=1 / 10000),
    Indicator("tax_per_tce", "tax_restored_wan", "energy_tce", "万元/tce", "单位能耗税收"),
    Indicator("revenue_per_emission_t", "revenue_wan", "emissions_t", "万元/t", "单位排放营业收入"),
    Indicator("tax_per_emission_t", "tax_restored_wan", "emissions_t", "万元/t", "单位排放税收"),
    Indicator("value_added_per_water_t", "value_added_wan", "water_t", "万元/t", "单位水耗增加值"),
)
INDICATORS: dict[str, Indicator] = {i.id: i for i in _INDICATOR_LIST}

# A condition's `metric` (and a coefficient's) may name a base figure or an indicator.
METRICS: tuple[str, ...] = BASE_METRICS + tuple(INDICATORS)


# ---------------------------------------------------------------------------------------------
# Energy (feeds.md stats.energy_use; rule-pack.md "Energy").

CARRIERS: tuple[str, ...] = (
    "natural_gas", "raw_coal", "gasoline", "kerosene", "diesel", "fuel_oil", "lpg", "heat",
    "water",
)
UNITS: tuple[str, ...] = ("m3", "t", "kg", "GJ")
# co2_t leaves water out: its kgce is the energy of supplying it, not a fuel burnt.
CARRIERS_WITHOUT_CO2: tuple[str, ...] = ("water",)


# ---------------------------------------------------------------------------------------------
# Tax restoration (feeds.md tax.reliefs). `add_back` names a kind, or KIND.SUBKIND where the
# kind has subkinds (only POLICY_RELIEF does).

RELIEF_KINDS: tuple[str, ...] = (
    "VAT_CREDIT_REFUND", "EXPORT_REBATE", "CT_REFUND", "DEFERRAL", "PRE_COLLECTION_EXEMPTION",
    "POLICY_RELIEF",
)
RELIEF_SUBKINDS: dict[str, tuple[str, ...]] = {
    "POLICY_RELIEF": ("RESOURCE_REUSE", "DISABLED_EMPLOYMENT", "OTHER"),
}
POLICY_RELIEF_SUBKINDS: tuple[str, ...] = RELIEF_SUBKINDS["POLICY_RELIEF"]

TAX_TYPES: tuple[str, ...] = (
    "VAT", "CIT", "CT", "UMCT", "EDU", "LEDU", "PT", "ULUT", "LVAT", "STAMP", "RES", "ENVT", "VVT",
)
POLLUTANTS: tuple[str, ...] = ("COD", "NH3N", "SO2", "NOX")


# ---------------------------------------------------------------------------------------------
# Conditions (rule-pack.md "Conditions").

FLAGS: tuple[str, ...] = ("above_scale", "below_scale", "high_tech")
LAND_CLASSES: tuple[str, ...] = ("own_self_use", "own_with_lease", "tenant", "no_land")
INCIDENT_CATEGORIES: tuple[str, ...] = ("environmental", "safety")
# Ordered: `min_severity: major` matches major and serious.
SEVERITIES: tuple[str, ...] = ("general", "major", "serious")
COMPARISON_OPS: tuple[str, ...] = ("lt", "le", "gt", "ge", "eq")
# The kinds of node a `when` flattens to in the rp_conditions table.
CONDITION_KINDS: tuple[str, ...] = (
    "all", "any", "metric", "metric_lt_group_mean", "flag", "land_class", "industry_major",
    "industry_group", "list", "incident",
)
# The deepest node a `when` may have (root = 0): dbt's evaluate_conditions macro folds this
# many levels (var `condition_max_depth` in dbt_project/dbt_project.yml). A deeper node would be
# silently ignored there, so the validator refuses it; keep the two equal.
MAX_CONDITION_DEPTH = 6
# Local reference lists the seeds name; any snake_case list id is accepted (a list with no
# file is empty and reported), these are the ones the shipped packs use and the docs list.
KNOWN_LISTS: tuple[str, ...] = (
    "green_factory", "specialised", "research_platform", "industry_leader",
)


# ---------------------------------------------------------------------------------------------
# Enumerations of pack keys.

COUNT_LEASED_OUT: tuple[str, ...] = ("subtract", "keep")
ATTACHED_LAND: tuple[str, ...] = ("add", "ignore")
SCORING_METHODS: tuple[str, ...] = ("ratio", "minmax")
MISSING_POLICIES: tuple[str, ...] = ("zero", "pool_mean", "exclude")
GRADING_BY: tuple[str, ...] = ("percentile", "score")
MEAN_OF: tuple[str, ...] = ("this_year", "prior_year")
GRADE_RULE_KINDS: tuple[str, ...] = ("cap", "floor", "down", "fix", "follow_landlord")
# Rule kinds that name a band grade; `down` takes `steps`, `follow_landlord` takes neither.
GRADE_RULE_KINDS_WITH_GRADE: tuple[str, ...] = ("cap", "floor", "fix")
COEFFICIENT_OPS: tuple[str, ...] = ("ge", "gt", "le", "lt")
PARCEL_GRADE_BY: tuple[str, ...] = ("tax_per_mu",)
BAND_SCOPES: tuple[str, ...] = ("enterprise", "parcel")
# `T` is the grade of a `not_graded` enterprise (ranked, not graded): never a band.
RESERVED_GRADE = "T"

# Why an enterprise is not evaluated, in the order the first that applies is given.
EXCLUSION_REASONS: tuple[str, ...] = (
    "deregistered", "new_enterprise", "above_scale_excluded", "exempt_list", "below_min_land",
    "no_pool", "no_indicators_for_pool",
)
