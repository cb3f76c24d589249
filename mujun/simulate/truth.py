"""What a correct pipeline should recover, per enterprise and year, and how it is defined.

Computed from the simulator's clean internal data (never from the feed files) by
rule-pack.md's Semantics under one stated method, TRUTH_METHOD, which
simulation.json repeats. Money is summed in integer fen and only the final
division to 万元 is floating point; figures are float64. Rows whose figures some
defect changes carry `defect_touched`; compare only the others.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from mujun.simulate.enterprises import Population
from mujun.simulate.stats import COEFFICIENTS, ELECTRICITY_KGCE_PER_KWH
from mujun.simulate.tax import RELIEF_KINDS, TaxSums

TRUTH_METHOD = {
    "land": {
        "count_leased_out": "subtract",
        "attached_land": "add",
        "research_land_exempt": False,
        "manual_links": "applied",
    },
    "restoration": {
        "add_back": list(RELIEF_KINDS),
        "social_insurance_employer": False,
        "high_tech_cit": {"paid_rate": 0.15, "restore_rate": 0.25},
    },
    "energy": {
        "electricity_kgce_per_kwh": ELECTRICITY_KGCE_PER_KWH,
        "coefficients": {k: {"unit": u, "kgce": c} for k, (u, c) in COEFFICIENTS.items()},
        "convert": "t <-> kg x 1000",
    },
    "emissions": "COD+NH3N+SO2+NOX tonnes, monitoring over permit_report per pollutant",
    "snapshots": "the greatest snapshot of each dataset and period (re-deliveries count)",
    "objections_applied": False,
    "rows": "every enterprise in stats.enterprises as of 31 December of the year",
    "numbers": "float64; money summed in integer fen, land in centi-m2, then divided",
}
TRUTH_COLUMNS = (
    "uscc",
    "year",
    "land_area_mu",
    "tax_paid_wan",
    "tax_restored_wan",
    "electricity_kwh",
    "energy_tce",
    "emissions_t",
    "defect_touched",
)


def figures(
    pop: Population,
    land_m2: np.ndarray,
    tax: TaxSums,
    kwh: np.ndarray,
    fuel_kgce: np.ndarray,
    emissions_t: np.ndarray,
) -> dict[str, np.ndarray]:
    """(entities, years) arrays of every truth figure."""
    high_tech = pop.high_tech
    # restore_rate / paid_rate − 1 = 2/3: kept exact in thirds of a fen until the end
    thirds = 3 * (tax.paid + tax.relief) + 2 * tax.cit * high_tech
    return {
        "land_area_mu": land_m2 * 15 / 10000,
        "tax_paid_wan": tax.paid / 1_000_000,
        "tax_restored_wan": thirds / 3_000_000,
        "electricity_kwh": kwh,
        "energy_tce": (kwh * ELECTRICITY_KGCE_PER_KWH + fuel_kgce) / 1000,
        "emissions_t": emissions_t,
    }


def enterprise_year(
    pop: Population, values: dict[str, np.ndarray], touched: np.ndarray
) -> pa.Table:
    """One row per enterprise in the register as of 31 December and year, by year and USCC."""
    e, j = np.nonzero(pop.in_master)
    years = np.array(pop.timeline.years)[j]
    order = np.lexsort((pop.uscc[e], years))
    e, j, years = e[order], j[order], years[order]
    cols = {
        "uscc": pa.array(pop.uscc[e].tolist(), pa.string()),
        "year": pa.array(years, pa.int32()),
    }
    for name in TRUTH_COLUMNS[2:-1]:
        cols[name] = pa.array(values[name][e, j], pa.float64())
    cols["defect_touched"] = pa.array(touched[e, j], pa.bool_())
    return pa.table(cols)
