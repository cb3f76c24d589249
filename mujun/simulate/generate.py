"""Build a synthetic county: the five bureaus' feeds, reference files and the truth.

`simulate(out, seed, scale, years)` writes the layout of layout.py. Same seed,
scale and years give the same bytes in every file, so a county can be compared
across machines and runs; nothing in the output depends on the clock.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np

from mujun.datasets import DATASETS
from mujun.periods import Period
from mujun.simulate import layout
from mujun.simulate.defects import DEFECT_RATES, DefectLog, Frame
from mujun.simulate.economy import build_economy
from mujun.simulate.enterprises import build_population, stats_register, tax_register
from mujun.simulate.env import emissions_year, emitters, incidents
from mujun.simulate.grid import accounts_frame, build_grid, consumption_frame, electricity_kwh
from mujun.simulate.land import (
    build_land,
    held_m2,
    land_m2,
    leases_frame,
    parcels_frame,
    surveys_frame,
)
from mujun.simulate.reference import write_reference
from mujun.simulate.stats import (
    ELECTRICITY_KGCE_PER_KWH,
    annual_year,
    energy_use_year,
    plan_energy,
    quarterly_year,
)
from mujun.simulate.tax import (
    REDELIVERY_LAG,
    TaxSums,
    build_profile,
    payments_year,
    reliefs_year,
    social_insurance_year,
)
from mujun.simulate.timeline import Timeline
from mujun.simulate.truth import TRUTH_METHOD, enterprise_year, figures
from mujun.simulate.writer import FeedWriter, feed_schema, write_parquet

FORMAT_VERSION = 1
MAX_SCALE = 1_000_000


@dataclass
class SimulationSummary:
    """What `simulate` wrote: counts per dataset, where, and how long it took."""

    out: Path
    seed: int
    scale: int
    years: tuple[int, ...]
    counts: dict[str, int]
    redeliveries: list[dict]
    reference: dict[str, int]
    defects: int
    truth_rows: int
    elapsed_s: float
    paths: dict[str, Path] = field(default_factory=dict)


class _Feeds:
    """Open writers for every dataset; frames are appended as they are made."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.writers = {
            name: FeedWriter(layout.feed_path(out, ds), feed_schema(ds))
            for name, ds in DATASETS.items()
        }

    def add(self, frame: Frame) -> None:
        self.writers[frame.dataset.full_name].write(frame.table())

    def close(self) -> dict[str, int]:
        for w in self.writers.values():
            w.close()
        return {name: w.rows for name, w in self.writers.items()}


def _clear(out: Path) -> None:
    """Remove what an earlier simulation wrote here (and only that)."""
    for sub in ("feeds", layout.TRUTH_DIR, layout.REFERENCE_DIR):
        if (out / sub).is_dir():
            shutil.rmtree(out / sub)
    (out / layout.SIMULATION_FILE).unlink(missing_ok=True)


def simulate(
    out: Path, seed: int = 1, scale: int = 1000, years: tuple[int, ...] = (2022, 2023, 2024)
) -> SimulationSummary:
    """Generate a county of `scale` enterprises over `years` into `out`."""
    started = time.perf_counter()
    if not 10 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between 10 and {MAX_SCALE}, got {scale}")
    tl = Timeline(tuple(years))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clear(out)

    pop = build_population(seed, scale, tl)
    econ = build_economy(seed, pop)
    land = build_land(seed, pop)
    grid = build_grid(seed, pop, econ.kwh, land)
    log = DefectLog(pop.uscc, tl.years)
    feeds = _Feeds(out)

    # registers
    feeds.add(stats_register(pop, log, seed))
    feeds.add(tax_register(pop, log, seed))
    protected = np.zeros(land.n_parcels, dtype=bool)
    protected[grid.parcel[grid.parcel >= 0]] = True
    parcels, mu_parcels = parcels_frame(land, pop, log, seed, protected)
    feeds.add(parcels)
    feeds.add(leases_frame(land, pop, log, seed, protected, mu_parcels))
    feeds.add(surveys_frame(land, pop, log, seed))
    feeds.add(accounts_frame(grid, land, pop, log, seed))

    # periodic feeds, year by year
    held = held_m2(land, pop)
    holds_0602 = np.zeros(pop.n, dtype=bool)
    holds_0602[land.holder[(land.land_use == "0602") & (land.holder >= 0)]] = True
    profile = build_profile(seed, pop, holds_0602)
    permit, which, monitored = emitters(seed, pop)
    plan = plan_energy(seed, pop)
    tax = TaxSums(*(np.zeros((pop.n, tl.n_years), dtype=np.int64) for _ in range(3)))
    kwh = electricity_kwh(grid, land, pop)
    kgce = np.zeros((pop.n, tl.n_years))
    tonnes = np.zeros((pop.n, tl.n_years))
    redeliveries = []
    for j, year in enumerate(tl.years):
        first, final = payments_year(seed, pop, econ, profile, held, permit, j, log, tax)
        feeds.add(first)
        if final is not None:
            redeliveries.append(_redeliver(out, final, year))
        feeds.add(reliefs_year(seed, pop, econ, j, log, tax))
        feeds.add(social_insurance_year(seed, pop, econ, profile, j, log))
        feeds.add(consumption_frame(grid, pop, log, seed, j))
        feeds.add(energy_use_year(seed, pop, econ, plan, j, log, kgce))
        energy_tce = (kwh * ELECTRICITY_KGCE_PER_KWH + kgce) / 1000
        feeds.add(annual_year(seed, pop, econ, j, energy_tce, log))
        feeds.add(quarterly_year(seed, pop, econ, j, log))
        feeds.add(emissions_year(seed, pop, econ, which, monitored, j, log, tonnes))
    feeds.add(incidents(seed, pop, log))
    counts = feeds.close()

    values = figures(pop, land_m2(land, pop), tax, kwh, kgce, tonnes)
    truth = enterprise_year(pop, values, log.touched)
    write_parquet(layout.truth_path(out, "enterprise_year"), truth)
    defects = log.table()
    write_parquet(layout.truth_path(out, "defects"), defects)
    reference = write_reference(out, seed, pop, land, grid, values, econ.revenue_k, econ.employees)

    meta = {
        "format_version": FORMAT_VERSION,
        "seed": seed,
        "scale": scale,
        "years": list(tl.years),
        "defect_rates": DEFECT_RATES,
        "truth_method": TRUTH_METHOD,
        "redeliveries": redeliveries,
        "counts": counts,
        "defect_counts": {k: dict(sorted(v.items())) for k, v in sorted(log.counts.items())},
        "reference": reference,
    }
    (out / layout.SIMULATION_FILE).write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return SimulationSummary(
        out=out,
        seed=seed,
        scale=scale,
        years=tl.years,
        counts=counts,
        redeliveries=redeliveries,
        reference=reference,
        defects=defects.num_rows,
        truth_rows=truth.num_rows,
        elapsed_s=round(time.perf_counter() - started, 3),
        paths={
            "simulation": out / layout.SIMULATION_FILE,
            "feeds": out / "feeds",
            "truth": out / layout.TRUTH_DIR,
            "reference": layout.reference_dir(out),
        },
    )


def _redeliver(out: Path, frame: Frame, year: int) -> dict:
    """Write the later, complete delivery of one dataset and year; its simulation.json entry."""
    dataset = frame.dataset
    period = Period(year)
    path = layout.redelivery_path(out, dataset, period)
    write_parquet(path, frame.table())
    days, hours = REDELIVERY_LAG
    when = layout.base_delivery_time(dataset.source, period) + timedelta(days=days, hours=hours)
    return {
        "dataset": dataset.full_name,
        "period": str(period),
        "delivered_at": f"{when:%Y%m%dT%H%M}",
        "path": path.relative_to(out).as_posix(),
        "records": len(frame),
    }
