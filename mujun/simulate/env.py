"""The ecology and environment bureau: pollutant tonnes on two bases, and incidents.

Most emitters report under their discharge permit (`permit_report`); some are
also measured by online monitoring, which wins for that pollutant and year
(feeds.md). Incidents are rare events, environmental or safety, of three
severities, that grade rules cap on.
"""

from __future__ import annotations

import numpy as np

from mujun.datasets import DATASETS
from mujun.simulate import text
from mujun.simulate.defects import DefectLog, Frame, inject_cosmetic, inject_invalid_uscc
from mujun.simulate.economy import Economy
from mujun.simulate.enterprises import Population
from mujun.simulate.rng import stream
from mujun.simulate.timeline import random_days

POLLUTANTS = ("COD", "NH3N", "SO2", "NOX")
BASES = ("permit_report", "monitoring")
HEAVY = ("17", "22", "30", "31", "32", "33")
# tonnes per 100 M yuan of revenue, by pollutant (wastewater: COD, NH3-N; air: SO2, NOx)
TONNES_PER_100M = np.array([4.0, 0.4, 2.5, 5.0])


def emitters(seed: int, pop: Population) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who holds a discharge permit, for which pollutants, and who is monitored."""
    rng = stream(seed, "env")
    n = pop.n
    major = pop.major
    p = np.where(
        pop.petrochem,
        0.8,
        np.where(np.isin(major, HEAVY), 0.5, np.where(pop.above.any(axis=1), 0.2, 0.05)),
    )
    holds = (np.arange(n) < pop.n_master) & (rng.random(n) < p)
    water = rng.random(n) < 0.8
    air = rng.random(n) < 0.7
    which = np.stack([water, water & (rng.random(n) < 0.8), air, air], axis=1)
    which[~which.any(axis=1), 0] = True
    which &= holds[:, None]
    monitored = holds & (rng.random(n) < 0.3)
    return holds, which, monitored


def emissions_year(
    seed: int,
    pop: Population,
    econ: Economy,
    which: np.ndarray,
    monitored: np.ndarray,
    j: int,
    log: DefectLog,
    tonnes: np.ndarray,
) -> Frame:
    """`env.emissions` of year j; adds the truth (monitoring over permit) to `tonnes[:, j]`."""
    year = pop.timeline.years[j]
    rng = stream(seed, "env.emissions", year)
    live = econ.share[:, j] > 0
    e, p = np.nonzero(which & live[:, None])
    permit = np.maximum(
        1,
        np.round(
            econ.revenue_k[e, j]
            / 100_000
            * TONNES_PER_100M[p]
            * rng.lognormal(0, 0.6, len(e))
            * 1000
        ),
    ).astype(np.int64)
    measured = monitored[e] & (rng.random(len(e)) < 0.7)
    monitor = np.maximum(1, np.round(permit * rng.uniform(0.7, 1.3, len(e)))).astype(np.int64)
    winner = np.where(measured, monitor, permit)
    np.add.at(tonnes[:, j], e, winner / 1000.0)
    ent = np.concatenate([e, e[measured]])
    pol = np.concatenate([p, p[measured]])
    basis = np.concatenate([np.zeros(len(e), np.int64), np.ones(int(measured.sum()), np.int64)])
    value = np.concatenate([permit, monitor[measured]])
    order = np.lexsort((basis, pol, ent))
    ent, pol, basis, value = (a[order] for a in (ent, pol, basis, value))
    cols = {
        "uscc": text.take(pop.uscc, ent),
        "year": text.const(str(year), len(ent)),
        "pollutant": text.take(POLLUTANTS, pol),
        "tonnes": text.decimals(value, 3),
        "basis": text.take(BASES, basis),
    }
    frame = Frame(DATASETS["env.emissions"], cols, ent, j)
    inject_invalid_uscc(log, rng, frame)
    inject_cosmetic(log, rng, frame)
    return frame


def incidents(seed: int, pop: Population, log: DefectLog) -> Frame:
    """`env.incidents` over the whole window: about 1 % of enterprise-years have one."""
    rng = stream(seed, "env.incidents")
    tl = pop.timeline
    m = pop.n_master
    act = pop.active[:m].reshape(m, tl.n_years, 12).any(axis=2)
    e, j = np.nonzero(act & (rng.random((m, tl.n_years)) < 0.01))
    start = np.maximum(tl.year_starts[j], pop.opened[e])
    end = np.minimum(
        tl.year_ends[j], np.where(np.isnat(pop.dereg[e]), tl.year_ends[j], pop.dereg[e])
    )
    date = random_days(rng, start, np.maximum(start, end), len(e))
    order = np.lexsort((e, date))
    e, j, date = e[order], j[order], date[order]
    category = (rng.random(len(e)) < 0.4).astype(np.int64)
    severity = rng.choice(3, size=len(e), p=[0.7, 0.25, 0.05])
    year_of = np.array(tl.years)[j]
    serial = np.arange(len(e)) - np.searchsorted(year_of, year_of) + 1
    cols = {
        "incident_id": text.join("SJ", text.integers(year_of), text.zpad(serial, 5)),
        "uscc": text.take(pop.uscc, e),
        "date": text.dates(date),
        "category": text.take(["environmental", "safety"], category),
        "severity": text.take(["general", "major", "serious"], severity),
    }
    frame = Frame(DATASETS["env.incidents"], cols, e, j)
    inject_cosmetic(log, rng, frame)
    return frame
