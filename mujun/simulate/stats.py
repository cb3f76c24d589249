"""The statistics bureau: annual figures, energy use in mixed units, quarterly YTD.

Money is in thousand yuan as statistical reporting does; most below-scale
enterprises leave value added, R&D staff, graduates and reported energy empty.
Energy quantities come in the units enterprises report them (coal and diesel in
tonnes or kilograms, gas in m³, heat in GJ), which the pipeline must convert to
the rule pack's coefficient units before multiplying (DOMAIN.md: the form's slip).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mujun.datasets import DATASETS
from mujun.simulate import text
from mujun.simulate.defects import DefectLog, Frame, count_for, inject_cosmetic, inject_invalid_uscc
from mujun.simulate.economy import Economy
from mujun.simulate.enterprises import Population
from mujun.simulate.rng import pick, stream

CARRIERS = (
    "natural_gas",
    "raw_coal",
    "gasoline",
    "kerosene",
    "diesel",
    "fuel_oil",
    "lpg",
    "heat",
    "water",
)
# the truth's coefficients (kgce per unit), as rule-pack.md's example pack
COEFFICIENTS = {
    "natural_gas": ("m3", 1.33),
    "raw_coal": ("kg", 0.7143),
    "gasoline": ("kg", 1.4714),
    "kerosene": ("kg", 1.4714),
    "diesel": ("kg", 1.4571),
    "fuel_oil": ("kg", 1.4286),
    "lpg": ("kg", 1.7143),
    "heat": ("GJ", 34.12),
    "water": ("t", 0.0857),
}
ELECTRICITY_KGCE_PER_KWH = 0.1229
# per carrier: share of ordinary / petrochemical reporters using it, quantity per 10 000
# yuan of revenue in the coefficient's unit, and the units it is reported in (with odds)
USE = {
    "natural_gas": (0.35, 0.9, 20.0, 150.0, (("m3", 1.0),)),
    "raw_coal": (0.04, 0.15, 60.0, 200.0, (("t", 0.7), ("kg", 0.3))),
    "gasoline": (0.2, 0.2, 2.0, 2.0, (("kg", 1.0),)),
    "kerosene": (0.01, 0.05, 0.5, 1.0, (("kg", 1.0),)),
    "diesel": (0.3, 0.4, 3.0, 5.0, (("t", 0.5), ("kg", 0.5))),
    "fuel_oil": (0.02, 0.3, 5.0, 30.0, (("t", 1.0),)),
    "lpg": (0.1, 0.1, 2.0, 3.0, (("kg", 1.0),)),
    "heat": (0.1, 0.5, 0.5, 5.0, (("GJ", 1.0),)),
    "water": (0.8, 0.95, 3.0, 20.0, (("t", 1.0),)),
}
_TO_COEF_UNIT = {("t", "kg"): 1000.0, ("kg", "t"): 0.001}


@dataclass
class EnergyPlan:
    """Who reports which carrier in which unit (entities, carriers)."""

    reporter: np.ndarray  # (entities,)
    uses: np.ndarray  # (entities, carriers) bool
    unit: np.ndarray  # (entities, carriers) index into the carrier's units
    intensity: np.ndarray  # (entities, carriers) coefficient units per 10 000 yuan


def plan_energy(seed: int, pop: Population) -> EnergyPlan:
    """Fixed per enterprise, so an enterprise reports the same carriers in the same units."""
    rng = stream(seed, "stats.energy")
    n = pop.n
    petro = pop.petrochem
    reporter = (np.arange(n) < pop.n_master) & (pop.above.any(axis=1) | (rng.random(n) < 0.3))
    k = len(CARRIERS)
    uses = np.zeros((n, k), dtype=bool)
    unit = np.zeros((n, k), dtype=np.int64)
    intensity = np.zeros((n, k))
    for c, name in enumerate(CARRIERS):
        p_plain, p_petro, q_plain, q_petro, units = USE[name]
        uses[:, c] = rng.random(n) < np.where(petro, p_petro, p_plain)
        odds = np.array([o for _, o in units])
        unit[:, c] = rng.choice(len(units), size=n, p=odds / odds.sum())
        intensity[:, c] = np.where(petro, q_petro, q_plain) * rng.lognormal(0, 0.5, n)
    uses &= reporter[:, None]
    return EnergyPlan(reporter, uses, unit, intensity)


def _tenths(values: np.ndarray) -> np.ndarray:
    """Thousand yuan to integer tenths, the one decimal the statistics feeds carry."""
    return np.round(values * 10).astype(np.int64)


def _rows_in_year(pop: Population, econ: Economy, j: int) -> np.ndarray:
    return np.flatnonzero((np.arange(pop.n) < pop.n_master) & (econ.share[:, j] > 0))


def annual_year(
    seed: int, pop: Population, econ: Economy, j: int, energy_tce: np.ndarray, log: DefectLog
) -> Frame:
    """`stats.annual` of year j; `energy_tce` is the truth, reported with some noise."""
    year = pop.timeline.years[j]
    rng = stream(seed, "stats.annual", year)
    e = _rows_in_year(pop, econ, j)
    n = len(e)
    blank = ~pop.above[e, j] & ~econ.detailed[e]
    # reported energy follows the form: it misses some carriers and rounds
    reported = np.round(energy_tce[e, j] * rng.uniform(0.85, 1.1, n) * 100).astype(np.int64)
    cols = {
        "uscc": text.take(pop.uscc, e),
        "year": text.const(str(year), n),
        "output_k": text.decimals(_tenths(econ.output_k[e, j]), 1),
        "value_added_k": text.decimals(_tenths(econ.value_added_k[e, j]), 1, null=blank),
        "revenue_k": text.decimals(_tenths(econ.revenue_k[e, j]), 1),
        "rd_expense_k": text.decimals(_tenths(econ.rd_k[e, j]), 1),
        "employees_avg": text.integers(econ.employees[e, j]),
        "rd_staff": text.integers(econ.rd_staff[e, j], null=blank),
        "degree_staff": text.integers(econ.degree_staff[e, j], null=blank),
        "energy_tce_reported": text.decimals(reported, 2, null=blank),
    }
    frame = Frame(DATASETS["stats.annual"], cols, e, j)
    inject_invalid_uscc(log, rng, frame)
    inject_cosmetic(log, rng, frame)
    return frame


def quarterly_year(seed: int, pop: Population, econ: Economy, j: int, log: DefectLog) -> Frame:
    """`stats.quarterly` of year j: year-to-date, the last quarter equal to the annual."""
    year = pop.timeline.years[j]
    rng = stream(seed, "stats.quarterly", year)
    e = _rows_in_year(pop, econ, j)
    act = pop.active[e, 12 * j : 12 * j + 12]
    weight = rng.gamma(6.0, 1.0, (len(e), 12)) * act
    cum = np.cumsum(weight, axis=1)[:, [2, 5, 8, 11]] / weight.sum(axis=1, keepdims=True)
    quarter_active = act.reshape(len(e), 4, 3).any(axis=2)
    started = np.cumsum(quarter_active, axis=1) > 0
    last_q = 3 - np.argmax(quarter_active[:, ::-1], axis=1)
    present = started & (np.arange(4)[None, :] <= last_q[:, None])
    cum[np.arange(len(e)), last_q] = 1.0
    rows, q = np.nonzero(present.T)[::-1]
    ent = e[rows]
    blank = ~pop.above[ent, j] & ~econ.detailed[ent]

    def ytd(values: np.ndarray) -> np.ndarray:
        return np.round(np.round(values[ent, j] * 10) * cum[rows, q]).astype(np.int64)

    order = np.lexsort((rows, q))  # quarter by quarter
    ent, rows, q, blank = ent[order], rows[order], q[order], blank[order]
    cols = {
        "uscc": text.take(pop.uscc, ent),
        "quarter": text.take([f"{year}Q{k}" for k in range(1, 5)], q),
        "output_k_ytd": text.decimals(ytd(econ.output_k), 1),
        "revenue_k_ytd": text.decimals(ytd(econ.revenue_k), 1),
        "value_added_k_ytd": text.decimals(ytd(econ.value_added_k), 1, null=blank),
    }
    frame = Frame(DATASETS["stats.quarterly"], cols, ent, j)
    inject_cosmetic(log, rng, frame)
    return frame


def energy_use_year(
    seed: int,
    pop: Population,
    econ: Economy,
    plan: EnergyPlan,
    j: int,
    log: DefectLog,
    kgce: np.ndarray,
) -> Frame:
    """`stats.energy_use` of year j; adds each enterprise's fuel kgce to `kgce[:, j]`."""
    year = pop.timeline.years[j]
    rng = stream(seed, "stats.energy_use", year)
    live = econ.share[:, j] > 0
    e, c = np.nonzero(plan.uses & live[:, None])
    coef_qty = econ.revenue_k[e, j] / 10.0 * plan.intensity[e, c]  # coefficient units
    units = [USE[CARRIERS[k]][4] for k in c.tolist()]
    unit = np.array([u[i][0] for u, i in zip(units, plan.unit[e, c].tolist(), strict=True)])
    coef_unit = np.array([COEFFICIENTS[CARRIERS[k]][0] for k in c.tolist()])
    factor = np.array(
        [
            _TO_COEF_UNIT.get((a, b), 1.0)
            for a, b in zip(unit.tolist(), coef_unit.tolist(), strict=True)
        ]
    )
    qty = np.round(coef_qty / factor * 1000).astype(np.int64)  # thousandths
    qty = np.maximum(qty, 1)
    coefficient = np.array([COEFFICIENTS[CARRIERS[k]][1] for k in c.tolist()])
    np.add.at(kgce[:, j], e, qty / 1000.0 * factor * coefficient)
    cols = {
        "uscc": text.take(pop.uscc, e),
        "year": text.const(str(year), len(e)),
        "carrier": text.take(CARRIERS, c),
        "quantity": text.decimals(qty, 3),
        "unit": text.take(
            sorted(set(unit.tolist())) or ["t"], np.searchsorted(sorted(set(unit.tolist())), unit)
        ),
    }
    frame = Frame(DATASETS["stats.energy_use"], cols, e, j)
    dataset = "stats.energy_use"
    # a unit outside m3/t/kg/GJ: oil in barrels
    oils = np.isin(c, [CARRIERS.index(x) for x in ("fuel_oil", "diesel", "gasoline", "kerosene")])
    bad = pick(rng, np.flatnonzero(oils), count_for("unknown_unit", dataset, len(e)))
    barrels = np.round(qty[bad] / 1000 * factor[bad] / 136.4 * 1000).astype(np.int64)  # kg/bbl
    was = list(zip(frame.values("quantity", bad), frame.values("unit", bad), strict=True))
    frame.replace("unit", bad, ["bbl"] * len(bad))
    frame.replace("quantity", bad, text.decimals(barrels, 3).to_pylist())
    log.tag(frame, bad, "unknown_unit", [{"quantity": q, "unit": u} for q, u in was])
    inject_invalid_uscc(log, rng, frame)
    inject_cosmetic(log, rng, frame)
    return frame
