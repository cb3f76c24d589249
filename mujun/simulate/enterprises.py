"""The enterprises of the county: who they are, and the two registers that list them.

Builds the population once (codes, names, industries, divisions, parks, groups,
opening and deregistration dates, above-scale status per year, high-tech
certificates) and renders `stats.enterprises` and `tax.taxpayers` as versioned
registers: a new version starts whenever a field the register shows changes, so
a server can answer "the register as of the period's last day" (layout.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from mujun.datasets import DATASETS
from mujun.simulate import identifiers, text
from mujun.simulate.defects import DefectLog, Frame, inject_cosmetic
from mujun.simulate.layout import VALID_FROM, VALID_TO
from mujun.simulate.rng import stream
from mujun.simulate.timeline import NAT, Timeline, day, random_days

COUNTY = "330211"
# nine-digit division codes: county + town (synthetic towns beside real-sounding names)
DIVISIONS = tuple(f"{COUNTY}{i:03d}" for i in range(1, 9))
TOWNS = (
    "招宝山街道",
    "蛟川街道",
    "骆驼街道",
    "庄市街道",
    "贵驷街道",
    "澥浦镇",
    "九龙湖镇",
    "临江街道",
)
PARKS = ("宁波石化经济技术开发区", "镇海经济开发区", "镇海科技园区", "澥浦工业园区")

# GB/T 4754-2017 classes by major group, with each major's share of enterprises.
# Petrochemical majors 25–28 make about 10 %, utilities 44–46 about 1.5 % (rule-pack.md
# uses both: their own benchmarks, and "not graded" utilities).
INDUSTRIES: dict[str, tuple[tuple[str, ...], float]] = {
    "13": (("1311", "1320", "1391"), 0.02),
    "14": (("1411", "1431", "1495"), 0.02),
    "15": (("1512", "1523"), 0.01),
    "17": (("1711", "1751", "1762"), 0.05),
    "18": (("1811", "1819"), 0.04),
    "19": (("1910", "1951"), 0.015),
    "20": (("2011", "2031"), 0.015),
    "21": (("2110", "2130"), 0.02),
    "22": (("2221", "2231"), 0.02),
    "23": (("2311", "2319"), 0.015),
    "24": (("2411", "2441"), 0.02),
    "25": (("2511", "2521", "2523"), 0.01),
    "26": (("2614", "2619", "2641", "2651", "2661", "2669"), 0.06),
    "27": (("2710", "2720", "2740"), 0.01),
    "28": (("2821", "2822", "2826"), 0.02),
    "29": (("2913", "2922", "2927"), 0.07),
    "30": (("3011", "3021", "3062"), 0.04),
    "31": (("3110", "3130"), 0.01),
    "32": (("3216", "3251"), 0.015),
    "33": (("3311", "3340", "3389"), 0.09),
    "34": (("3411", "3444", "3484"), 0.12),
    "35": (("3511", "3551", "3581"), 0.06),
    "36": (("3611", "3670"), 0.04),
    "37": (("3731", "3791"), 0.01),
    "38": (("3811", "3841", "3872"), 0.08),
    "39": (("3911", "3961", "3973"), 0.04),
    "40": (("4011", "4021"), 0.02),
    "41": (("4190",), 0.01),
    "42": (("4210", "4220"), 0.01),
    "43": (("4330",), 0.005),
    "44": (("4411", "4415", "4430"), 0.008),
    "45": (("4511",), 0.004),
    "46": (("4610", "4620"), 0.003),
}
PETROCHEM = ("25", "26", "27", "28")
UTILITIES = ("44", "45", "46")

# shares of the population
ABOVE_SCALE_SHARE = 0.22  # 规上 : 规下 about 1 : 3.5
NEW_PER_YEAR = 0.04  # opened within each simulated year
DEREGISTERED_PER_YEAR = 0.015  # deregistered in the tax register within each year
BECOMES_ABOVE = 0.05  # below-scale enterprises that cross the threshold
FALLS_BELOW = 0.02
HIGH_TECH_ABOVE, HIGH_TECH_BELOW = 0.25, 0.05
GROUP_SHARE = 0.10
EXTRA_TAXPAYERS = 0.01  # taxpayers the statistics register does not list


@dataclass
class Population:
    """Entities 0..n_master−1 are in the statistics register; the rest only pay tax."""

    timeline: Timeline
    n_master: int
    uscc: np.ndarray
    name: np.ndarray
    industry: np.ndarray
    division: np.ndarray
    park: np.ndarray
    group: np.ndarray
    opened: np.ndarray
    dereg: np.ndarray
    above: np.ndarray  # (n, years) above scale as of 31 December
    ht_from: np.ndarray
    ht_to: np.ndarray

    @property
    def n(self) -> int:
        return len(self.uscc)

    @property
    def major(self) -> np.ndarray:
        return np.array([c[:2] for c in self.industry.tolist()])

    @property
    def petrochem(self) -> np.ndarray:
        return np.isin(self.major, PETROCHEM)

    @property
    def in_master(self) -> np.ndarray:
        """(n, years): in the statistics register as of 31 December."""
        listed = (np.arange(self.n) < self.n_master)[:, None]
        return listed & self.timeline.on_or_before_year_end(self.opened)

    @property
    def deregistered(self) -> np.ndarray:
        """(n, years): deregistered in the tax register as of 31 December."""
        return self.timeline.on_or_before_year_end(self.dereg)

    @property
    def high_tech(self) -> np.ndarray:
        """(n, years): flag "1" as of 31 December and the certificate overlaps the year."""
        flagged = self.timeline.on_or_before_year_end(self.ht_from)
        return flagged & self.timeline.overlaps_years(self.ht_from, self.ht_to)

    @property
    def active(self) -> np.ndarray:
        """(n, months): trading in the month (opened, not yet deregistered)."""
        return self.timeline.covered_months(self.opened, self.dereg)

    def index_of(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.uscc.tolist())}


def build_population(seed: int, scale: int, timeline: Timeline) -> Population:
    """Draw `scale` enterprises in the statistics register plus a few tax-only ones."""
    rng = stream(seed, "enterprises")
    n_master = int(scale)
    n_extra = max(3, int(round(EXTRA_TAXPAYERS * scale)))
    n = n_master + n_extra
    ny = timeline.n_years

    majors = list(INDUSTRIES)
    weights = np.array([INDUSTRIES[m][1] for m in majors])
    major_idx = rng.choice(len(majors), size=n_master, p=weights / weights.sum())
    classes = np.array([c for m in majors for c in INDUSTRIES[m][0]] + ["5179", "7212"])
    sizes = np.array([len(INDUSTRIES[m][0]) for m in majors] + [2])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    major_idx = np.concatenate([major_idx, np.full(n_extra, len(majors))])  # trade, services
    industry = classes[offsets[major_idx] + (rng.random(n) * sizes[major_idx]).astype(int)]
    major_of = [c[:2] for c in industry.tolist()]

    division = rng.integers(0, len(DIVISIONS), size=n)
    petro = np.isin(np.array(major_of), PETROCHEM)
    park = np.where(rng.random(n) < 0.6, rng.integers(0, len(PARKS), size=n), -1)
    park = np.where(petro & (rng.random(n) < 0.8), 0, park)  # the petrochemical zone

    uscc = identifiers.uscc_batch(rng, f"91{COUNTY}", n)
    name = np.array(identifiers.enterprise_names(rng, major_of), dtype=object)

    # opening dates: most before the window, NEW_PER_YEAR opened within each year
    first, last = timeline.first_day, timeline.last_day
    opened = random_days(rng, day("1985-01-01"), first - 400, n)
    new_year = np.full(n, -1)
    new = rng.random(n_master) < NEW_PER_YEAR * ny
    new_year[:n_master][new] = rng.integers(0, ny, size=int(new.sum()))
    has_new = new_year >= 0
    ystart = timeline.year_starts[np.maximum(new_year, 0)]
    opened = np.where(has_new, random_days(rng, ystart, ystart + 330, n), opened)
    # some opened in the year just before the window: one year open in the first year
    recent = ~has_new & (rng.random(n) < 0.03)
    opened = np.where(recent, random_days(rng, first - 365, first - 1, n), opened)

    # deregistration: old firms only, dated within the window
    dereg = np.full(n, NAT, dtype="datetime64[D]")
    can = ~has_new & (opened < first - 365)
    dr = can & (rng.random(n) < DEREGISTERED_PER_YEAR * ny)
    dereg[dr] = random_days(rng, first + 20, last - 40, int(dr.sum()))

    # above scale per year: a base flag, then some cross the threshold once
    base = rng.random(n) < ABOVE_SCALE_SHARE
    base &= ~(has_new & (rng.random(n) < 0.85))  # new firms start small
    base[n_master:] = False
    above = np.repeat(base[:, None], ny, axis=1)
    if ny > 1:
        change_at = rng.integers(1, ny, size=n)
        up = ~base & ~has_new & (rng.random(n) < BECOMES_ABOVE)
        down = base & (rng.random(n) < FALLS_BELOW)
        cols = np.arange(ny)[None, :] >= change_at[:, None]
        above = np.where(up[:, None] & cols, True, above)
        above = np.where(down[:, None] & cols, False, above)
    above[n_master:] = False

    # high-tech certificates: three years, granted 2016 .. end of window
    ht = rng.random(n) < np.where(base, HIGH_TECH_ABOVE, HIGH_TECH_BELOW)
    ht[n_master:] = False
    ht_from = np.full(n, NAT, dtype="datetime64[D]")
    ht_from[ht] = random_days(rng, day("2016-01-01"), last - 30, int(ht.sum()))
    ht_from = np.where(ht & (ht_from < opened + 365), opened + 365, ht_from)
    ht_from = np.where(ht & (ht_from > last), NAT, ht_from)
    # valid three years to the day before the anniversary
    year_start = ht_from.astype("datetime64[Y]")
    into_year = ht_from - year_start.astype("datetime64[D]")
    ht_to = np.where(
        np.isnat(ht_from), NAT, (year_start + 3).astype("datetime64[D]") + into_year - 1
    )

    # groups: ~10 % belong to one; parents in the county register or outside it
    group = np.full(n, None, dtype=object)
    in_group = np.flatnonzero(rng.random(n_master) < GROUP_SHARE)
    n_groups = max(1, len(in_group) // 3)
    outside = identifiers.uscc_batch(
        rng,
        np.where(rng.random(n_groups) < 0.5, "91330200", "91330206"),
        n_groups,
        set(uscc.tolist()),
    )
    inside = rng.choice(n_master, size=n_groups, replace=False)
    parents = np.where(rng.random(n_groups) < 0.4, uscc[inside], outside)
    members = rng.integers(0, n_groups, size=len(in_group))
    group[in_group] = parents[members]
    # a parent does not belong to its own group
    own = group[in_group] == uscc[in_group]
    group[in_group[own]] = None

    return Population(
        timeline,
        n_master,
        uscc,
        name,
        industry,
        division,
        park,
        group,
        opened,
        dereg,
        above,
        ht_from,
        ht_to,
    )


def _versions(entity_dates: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, ...]:
    """Register versions from change dates: (entity, valid_from, valid_to), sorted."""
    ent = np.concatenate([e for e, _ in entity_dates])
    dates = np.concatenate([d for _, d in entity_dates]).astype("datetime64[D]")
    keep = ~np.isnat(dates)
    ent, dates = ent[keep], dates[keep]
    order = np.lexsort((dates, ent))
    ent, dates = ent[order], dates[order]
    first = np.ones(len(ent), dtype=bool)
    first[1:] = (ent[1:] != ent[:-1]) | (dates[1:] != dates[:-1])
    ent, dates = ent[first], dates[first]
    valid_to = np.full(len(ent), NAT, dtype="datetime64[D]")
    same = ent[1:] == ent[:-1]
    valid_to[:-1][same] = dates[1:][same] - 1
    return ent, dates, valid_to


def stats_register(pop: Population, log: DefectLog, seed: int) -> Frame:
    """`stats.enterprises`: a version per change of the above-scale flag."""
    tl = pop.timeline
    ent_all = np.arange(pop.n_master)
    events = [(ent_all, pop.opened[: pop.n_master])]
    for j in range(1, tl.n_years):
        changed = np.flatnonzero(pop.above[: pop.n_master, j] != pop.above[: pop.n_master, j - 1])
        jan1 = np.full(len(changed), tl.year_start(j))
        events.append((changed, np.maximum(jan1, pop.opened[changed])))
    ent, vfrom, vto = _versions(events)
    year_of = np.clip(
        vfrom.astype("datetime64[Y]").astype(int) + 1970 - tl.years[0], 0, tl.n_years - 1
    )
    above = pop.above[ent, year_of]
    cols = {
        "uscc": text.take(pop.uscc, ent),
        "name": text.take(pa.array(pop.name.tolist(), pa.string()), ent),
        "industry_code": text.take(pop.industry, ent),
        "above_scale": text.take(["0", "1"], above.astype(np.int64)),
        "division_code": text.take(DIVISIONS, pop.division[ent]),
        "park": text.take(PARKS, pop.park[ent]),
        "group_uscc": pa.array(pop.group[ent].tolist(), pa.string()),
        "opened_on": text.dates(pop.opened[ent]),
        VALID_FROM: text.dates(vfrom),
        VALID_TO: text.dates(vto),
    }
    frame = Frame(DATASETS["stats.enterprises"], cols, ent, -1)
    inject_cosmetic(log, stream(seed, "stats.enterprises"), frame)
    return frame


def tax_register(pop: Population, log: DefectLog, seed: int) -> Frame:
    """`tax.taxpayers`: versions at opening, certification and deregistration."""
    ent_all = np.arange(pop.n)
    later_cert = pop.ht_from > pop.opened
    ent, vfrom, vto = _versions(
        [
            (ent_all, pop.opened),
            (ent_all[later_cert], pop.ht_from[later_cert]),
            (ent_all, pop.dereg),
        ]
    )
    flagged = ~np.isnat(pop.ht_from[ent]) & (pop.ht_from[ent] <= vfrom)
    deregistered = ~np.isnat(pop.dereg[ent]) & (pop.dereg[ent] <= vfrom)
    cols = {
        "uscc": text.take(pop.uscc, ent),
        "name": text.take(pa.array(pop.name.tolist(), pa.string()), ent),
        "high_tech": text.take(["0", "1"], flagged.astype(np.int64)),
        "high_tech_valid_from": text.dates(np.where(flagged, pop.ht_from[ent], NAT)),
        "high_tech_valid_to": text.dates(np.where(flagged, pop.ht_to[ent], NAT)),
        "status": text.take(["normal", "deregistered"], deregistered.astype(np.int64)),
        VALID_FROM: text.dates(vfrom),
        VALID_TO: text.dates(vto),
    }
    frame = Frame(DATASETS["tax.taxpayers"], cols, ent, -1)
    inject_cosmetic(log, stream(seed, "tax.taxpayers"), frame)
    return frame
