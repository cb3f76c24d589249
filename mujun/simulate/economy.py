"""What each enterprise does in a year: revenue, output, staff, energy and tax budgets.

These are the hidden "real" figures the bureaus then report, each in its own way:
the statistics bureau in thousand yuan, the tax bureau as vouchers, the grid as
monthly meter readings. One place decides them so that the feeds agree with each
other the way real feeds roughly do (tax grows with revenue, kWh with output).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mujun.simulate.enterprises import Population
from mujun.simulate.rng import stream

THRESHOLD_K = 20_000.0  # 规模以上: annual main-business revenue of 20 M yuan

# kWh per yuan of revenue, by industry major (the rest: DEFAULT_KWH_PER_YUAN)
KWH_PER_YUAN = {
    "17": 0.10,
    "22": 0.12,
    "25": 0.03,
    "26": 0.10,
    "28": 0.14,
    "29": 0.07,
    "30": 0.18,
    "31": 0.22,
    "32": 0.16,
    "33": 0.06,
    "42": 0.08,
    "44": 0.09,
    "45": 0.02,
    "46": 0.25,
}
DEFAULT_KWH_PER_YUAN = 0.035


@dataclass
class Economy:
    """(entities, years) arrays; money in yuan unless the name says thousand (`_k`)."""

    share: np.ndarray  # share of the year the enterprise traded
    revenue_k: np.ndarray
    output_k: np.ndarray
    value_added_k: np.ndarray
    rd_k: np.ndarray
    employees: np.ndarray
    rd_staff: np.ndarray
    degree_staff: np.ndarray
    detailed: np.ndarray  # (entities,) below scale but reports the detailed fields
    kwh: np.ndarray  # expected electricity use
    vat: np.ndarray
    cit: np.ndarray
    ct: np.ndarray
    exporter: np.ndarray  # (entities,)
    ct_payer: np.ndarray  # (entities,)


def build_economy(seed: int, pop: Population) -> Economy:
    """Figures per enterprise and year, consistent with the above-scale flag of each year."""
    rng = stream(seed, "economy")
    n, ny = pop.n, pop.timeline.n_years
    active = pop.active.reshape(n, ny, 12)
    share = active.sum(axis=2) / 12.0

    base_above = pop.above.any(axis=1)
    level = np.where(
        base_above, rng.lognormal(np.log(60_000), 0.9, n), rng.lognormal(np.log(3_500), 0.9, n)
    )
    growth = np.exp(np.cumsum(rng.normal(0.04, 0.12, (n, ny)), axis=1))
    full = level[:, None] * growth
    # keep the full-year revenue on the right side of the threshold each year
    lift = THRESHOLD_K * (1.02 + 0.3 * rng.random((n, ny)))
    drop = THRESHOLD_K * (0.4 + 0.55 * rng.random((n, ny)))
    full = np.where(pop.above & (full < THRESHOLD_K * 1.02), lift, full)
    full = np.where(~pop.above & (full > THRESHOLD_K * 0.98), drop, full)
    revenue_k = full * share

    output_k = revenue_k * rng.uniform(0.9, 1.1, (n, ny))
    value_added_k = output_k * rng.uniform(0.15, 0.35, (n, 1))
    rd_rate = np.where(base_above, rng.uniform(0.0, 0.05, n), rng.uniform(0.0, 0.02, n))
    rd_rate = np.where(rng.random(n) < np.where(base_above, 0.2, 0.6), 0.0, rd_rate)
    rd_k = revenue_k * rd_rate[:, None]
    per_head_k = rng.uniform(500.0, 1500.0, n)
    employees = np.where(share > 0, np.maximum(3, np.round(full / per_head_k[:, None])), 0)
    rd_staff = np.where(
        rd_rate[:, None] > 0, np.round(employees * rng.uniform(0.02, 0.15, (n, 1))), 0
    )
    degree_staff = np.round(employees * rng.uniform(0.05, 0.4, (n, 1)))
    detailed = rng.random(n) < 0.15

    major = pop.major
    intensity = np.array([KWH_PER_YUAN.get(m, DEFAULT_KWH_PER_YUAN) for m in major.tolist()])
    intensity = intensity * rng.lognormal(0.0, 0.35, n)
    kwh = revenue_k * 1000.0 * intensity[:, None]

    yuan = revenue_k * 1000.0
    vat = yuan * rng.uniform(0.012, 0.035, (n, 1))
    cit = yuan * rng.uniform(0.002, 0.012, (n, 1)) * np.where(pop.high_tech, 0.6, 1.0)
    ct_payer = np.isin(pop.industry, ("2511", "2521"))
    ct = np.where(ct_payer[:, None], yuan * rng.uniform(0.04, 0.08, (n, 1)), 0.0)
    exporter = rng.random(n) < np.where(base_above, 0.35, 0.12)
    return Economy(
        share,
        revenue_k,
        output_k,
        value_added_k,
        rd_k,
        employees,
        rd_staff,
        degree_staff,
        detailed,
        kwh,
        vat,
        cit,
        ct,
        exporter,
        ct_payer,
    )
