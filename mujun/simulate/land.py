"""Land: parcels, leases and surveys, the manual parcel links, and land per enterprise.

The county's land is drawn so that every case of rule-pack.md's Land semantics
occurs: enterprises with several parcels (一企多地), parcels split between
enterprises by a manual link (多企共地), lessors letting part of a parcel to
tenants (some of them people), de facto and attached land known only from
surveys, re-surveys, non-industrial parcels that must not count, parcels whose
title names no code, and enterprises with no land at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from mujun.datasets import DATASETS
from mujun.simulate import geometry, identifiers, text
from mujun.simulate.defects import DefectLog, Frame, count_for, inject_cosmetic, inject_invalid_uscc
from mujun.simulate.enterprises import COUNTY, DIVISIONS, PARKS, Population
from mujun.simulate.layout import VALID_FROM, VALID_TO
from mujun.simulate.rng import pick, stream
from mujun.simulate.timeline import NAT, day, random_days

INDUSTRIAL = ("0601", "0602", "0604")  # 工矿仓储用地 as the evaluation counts it
NON_INDUSTRIAL = ("0701", "0505", "0603", "0507")
KINDS = ("registered", "de_facto", "attached")
M2_PER_MU = 10000 / 15


@dataclass
class Land:
    """Clean land records. Areas in centi-m² (int64); -1 means none."""

    # parcels
    code: np.ndarray
    kind: np.ndarray
    attached_to: np.ndarray
    land_use: np.ndarray
    area_c: np.ndarray
    holder: np.ndarray  # entity of holder_uscc (-1: null or a code not in the register)
    holder_code: np.ndarray  # the code as the title carries it (or None)
    holder_name: np.ndarray
    title_holder: np.ndarray  # who the title means (for name-only titles), else -1
    division: np.ndarray
    park: np.ndarray
    registered_on: np.ndarray
    valid_from: np.ndarray
    geometry: pa.Array
    # leases
    lease_id: np.ndarray
    lease_parcel: np.ndarray
    lessee: np.ndarray  # entity, -1 a person, -2 a code not in the register
    lessee_code: np.ndarray
    lessee_name: np.ndarray
    lease_area_c: np.ndarray
    lease_start: np.ndarray
    lease_end: np.ndarray
    # surveys
    survey_id: np.ndarray
    survey_parcel: np.ndarray
    survey_user: np.ndarray
    survey_area_c: np.ndarray
    survey_date: np.ndarray
    # manual enterprise-parcel links (reference data)
    link_parcel: np.ndarray  # -1: a parcel no feed delivers
    link_code: np.ndarray
    link_entity: np.ndarray
    link_share: np.ndarray  # hundredths
    link_from: np.ndarray  # year, -1 open
    link_to: np.ndarray
    link_reason: np.ndarray
    # research land (reference data, not exempted by the truth's method)
    research_code: np.ndarray
    research_area_c: np.ndarray
    research_entity: np.ndarray

    @property
    def n_parcels(self) -> int:
        return len(self.code)

    @property
    def industrial(self) -> np.ndarray:
        return np.isin(self.land_use, INDUSTRIAL)

    @property
    def lessor(self) -> np.ndarray:
        return self.holder[self.lease_parcel]


def _ids(prefix: str, dates: np.ndarray, serials: np.ndarray) -> np.ndarray:
    """Register ids such as ZL2023000123: a prefix, the year of the date, a serial."""
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    return np.array(
        [f"{prefix}{y}{s:06d}" for y, s in zip(years.tolist(), serials.tolist(), strict=True)],
        dtype="<U16",
    )


def _shares(rng: np.random.Generator, k: int, first_low: int = 30) -> list[int]:
    """k shares in hundredths summing to exactly 100, each at least 5."""
    if k == 1:
        return [100]
    first = int(rng.integers(first_low, 100 - 5 * (k - 1) + 1))
    rest = 100 - first
    cuts = (
        sorted(rng.choice(np.arange(5, rest - 4), size=k - 2, replace=False).tolist())
        if k > 2
        else []
    )
    parts = np.diff([0, *cuts, rest]).tolist()
    return [first, *parts]


def build_land(seed: int, pop: Population) -> Land:
    """Parcels, leases, surveys, parcel links and research land of the county (clean)."""
    rng = stream(seed, "land")
    tl = pop.timeline
    m = pop.n_master
    first, last = tl.first_day, tl.last_day
    big = pop.above[:m].any(axis=1)

    # ---- registered parcels ------------------------------------------------------------
    holders = np.flatnonzero(rng.random(m) < np.where(big, 0.6, 0.1))
    if len(holders) < 2:  # a tiny county still has land
        holders = np.sort(rng.choice(m, 2, replace=False))
    per = rng.choice([1, 2, 3, 4], p=[0.75, 0.17, 0.06, 0.02], size=len(holders))
    ind_holder = np.repeat(holders, per)  # 一企多地
    ni_holder = holders[rng.random(len(holders)) < 0.08]  # a dormitory, an office plot
    n_ind = len(ind_holder)
    n_out = max(2, int(round(0.02 * n_ind)))  # held by a park committee etc.
    reg_holder = np.concatenate([ind_holder, ni_holder, np.full(n_out, -1)])
    n_reg = len(reg_holder)
    is_big = np.where(reg_holder >= 0, big[np.maximum(reg_holder, 0)], True)
    area_m2 = np.where(
        is_big, rng.lognormal(np.log(20_000), 0.8, n_reg), rng.lognormal(np.log(4_000), 0.7, n_reg)
    )
    area_m2 = np.clip(area_m2, 600, 400_000)
    land_use = np.concatenate(
        [
            rng.choice(np.array(INDUSTRIAL), p=[0.9, 0.03, 0.07], size=n_ind),
            rng.choice(np.array(NON_INDUSTRIAL), size=len(ni_holder)),
            np.full(n_out, "0601"),
        ]
    )
    outside_codes = identifiers.uscc_batch(
        rng,
        np.where(rng.random(n_out) < 0.5, "11330211", "91330200"),
        n_out,
        set(pop.uscc.tolist()),
    )
    holder_code = np.array(
        [pop.uscc[h] if h >= 0 else None for h in reg_holder.tolist()], dtype=object
    )
    holder_code[n_reg - n_out :] = outside_codes
    holder_name = np.array(
        [pop.name[h] if h >= 0 else None for h in reg_holder.tolist()], dtype=object
    )
    holder_name[n_reg - n_out :] = [
        f"宁波市镇海区{x}开发建设管理委员会" if c.startswith("11") else f"宁波{x}置业有限公司"
        for x, c in zip(identifiers.person_names(rng, n_out), outside_codes.tolist(), strict=True)
    ]
    title_holder = np.full(n_reg, -1)
    # old titles that name the holder but carry no code: nobody counts them
    name_only = pick(rng, np.arange(n_ind), max(1, int(round(0.02 * n_ind))) if n_ind >= 5 else 0)
    title_holder[name_only] = reg_holder[name_only]
    holder_code[name_only] = None
    holder = reg_holder.copy()
    holder[name_only] = -1

    opened = np.where(reg_holder >= 0, pop.opened[np.maximum(reg_holder, 0)], day("1990-01-01"))
    low = np.maximum(opened + 30, day("1995-01-01"))
    high = np.where(rng.random(n_reg) < 0.1, last - 30, first - 1)
    registered_on = random_days(rng, low, np.maximum(high, low), n_reg)
    registered_on = np.minimum(registered_on, last - 1)

    # ---- de facto and attached parcels, known through surveys ----------------------------
    n_df = max(2, int(round(0.10 * n_ind)))
    n_att = max(2, int(round(0.07 * n_ind)))
    non_holders = np.setdiff1d(np.arange(m), holders)
    df_users = np.where(
        rng.random(n_df) < 0.6, rng.choice(holders, n_df), rng.choice(non_holders, n_df)
    )
    df_two = rng.random(n_df) < 0.2
    df_second = rng.choice(non_holders, n_df)
    df_second = np.where(df_second == df_users, -1, df_second)
    df_two &= df_second >= 0
    df_area = np.clip(rng.lognormal(np.log(3_000), 0.7, n_df), 300, 60_000)

    targets = np.flatnonzero(holder[:n_ind] >= 0)
    n_att = n_att if len(targets) else 0
    att_target = rng.choice(targets, n_att) if n_att else np.zeros(0, np.int64)
    att_user = np.where(
        rng.random(n_att) < 0.85, holder[att_target], rng.choice(non_holders, n_att)
    )
    att_area = np.clip(rng.lognormal(np.log(1_500), 0.6, n_att), 200, 20_000)

    n_parcels = n_reg + n_df + n_att
    kind = np.concatenate(
        [np.zeros(n_reg, np.int8), np.ones(n_df, np.int8), np.full(n_att, 2, np.int8)]
    )
    attached_to = np.concatenate([np.full(n_reg + n_df, -1), att_target])
    land_use = np.concatenate(
        [land_use, rng.choice(["0601", "0604"], p=[0.9, 0.1], size=n_df), land_use[att_target]]
    )
    area_c = np.round(np.concatenate([area_m2, df_area, att_area]) * 100).astype(np.int64)
    holder = np.concatenate([holder, np.full(n_df + n_att, -1)])
    title_holder = np.concatenate([title_holder, np.full(n_df + n_att, -1)])
    holder_code = np.concatenate([holder_code, np.full(n_df + n_att, None, dtype=object)])
    holder_name = np.concatenate([holder_name, np.full(n_df + n_att, None, dtype=object)])
    owner_like = np.concatenate([reg_holder, df_users, att_user])
    division = np.where(
        owner_like >= 0,
        pop.division[np.maximum(owner_like, 0)],
        rng.integers(0, len(DIVISIONS), n_parcels),
    )
    division[n_reg + n_df :] = division[att_target]
    park = np.where(owner_like >= 0, pop.park[np.maximum(owner_like, 0)], 0)
    park[n_reg + n_df :] = park[att_target]

    # surveys: one per (parcel, user), a re-survey for some (the latest before 31 Dec counts)
    s_parcel = np.concatenate(
        [n_reg + np.arange(n_df), n_reg + np.flatnonzero(df_two), n_reg + n_df + np.arange(n_att)]
    )
    s_user = np.concatenate([df_users, df_second[df_two], att_user])
    frac = np.concatenate(
        [
            np.where(df_two, rng.uniform(0.3, 0.55, n_df), rng.uniform(0.7, 1.0, n_df)),
            rng.uniform(0.2, 0.45, int(df_two.sum())),
            rng.uniform(0.7, 1.0, n_att),
        ]
    )
    s_area = np.round(area_c[s_parcel] * frac).astype(np.int64)
    s_low = np.maximum(pop.opened[s_user] + 30, day("2018-01-01"))
    s_date = random_days(rng, s_low, np.maximum(last - 30, s_low), len(s_user))
    again = rng.random(len(s_user)) < 0.3
    r_date = s_date[again] + rng.integers(180, 900, int(again.sum()))
    keep = r_date <= last - 1
    r_idx = np.flatnonzero(again)[keep]
    s_parcel = np.concatenate([s_parcel, s_parcel[r_idx]])
    s_user = np.concatenate([s_user, s_user[r_idx]])
    s_area = np.concatenate(
        [s_area, np.round(s_area[r_idx] * rng.uniform(0.8, 1.0, len(r_idx))).astype(np.int64)]
    )
    s_date = np.concatenate([s_date, r_date[keep]])
    s_order = np.lexsort((s_parcel, s_date))
    s_parcel, s_user, s_area, s_date = (a[s_order] for a in (s_parcel, s_user, s_area, s_date))
    survey_id = _ids("DC", s_date, np.arange(len(s_date)) + 1)
    first_survey_i = np.full(n_parcels, np.iinfo(np.int64).max)
    np.minimum.at(first_survey_i, s_parcel, s_date.astype(np.int64))
    first_survey = np.where(
        first_survey_i == np.iinfo(np.int64).max, NAT, first_survey_i.astype("datetime64[D]")
    )
    registered_on = np.concatenate([registered_on, np.full(n_df + n_att, NAT)])
    valid_from = np.where(kind == 0, registered_on, first_survey)

    # ---- leases --------------------------------------------------------------------------
    lettable = np.flatnonzero((kind == 0) & (holder >= 0) & np.isin(land_use, INDUSTRIAL))
    leased = lettable[rng.random(len(lettable)) < 0.3]
    n_tenants = rng.choice([1, 2, 3], p=[0.55, 0.3, 0.15], size=len(leased))
    l_parcel = np.repeat(leased, n_tenants)
    slot = np.arange(len(l_parcel)) - np.repeat(np.cumsum(n_tenants) - n_tenants, n_tenants)
    budget_total = rng.uniform(0.3, 0.85, len(leased))
    raw = rng.gamma(2.0, 1.0, len(l_parcel))
    sums = np.bincount(np.repeat(np.arange(len(leased)), n_tenants), weights=raw)
    budget = raw / np.repeat(sums, n_tenants) * np.repeat(budget_total, n_tenants)
    who = rng.random(len(l_parcel))
    lessee = rng.choice(non_holders, len(l_parcel))
    lessee = np.where((slot == 0) & (who < 0.1), -1, lessee)  # a person
    lessee = np.where((who >= 0.1) & (who < 0.15), -2, lessee)  # not in the register
    n_unknown = int((lessee == -2).sum())
    unknown_codes = identifiers.uscc_batch(rng, "92330211", n_unknown, set(pop.uscc.tolist()))
    people = identifiers.person_names(rng, len(l_parcel))
    lessee_code = np.full(len(l_parcel), None, dtype=object)
    lessee_name = np.array(people, dtype=object)
    ent_rows = lessee >= 0
    lessee_code[ent_rows] = pop.uscc[lessee[ent_rows]]
    lessee_name[ent_rows] = pop.name[lessee[ent_rows]]
    lessee_code[lessee == -2] = unknown_codes
    lessee_name[lessee == -2] = [
        f"宁波市镇海区{p}五金加工厂" for p in np.array(people, dtype=object)[lessee == -2].tolist()
    ]
    l_area = np.round(area_c[l_parcel] * budget * rng.uniform(0.6, 1.0, len(l_parcel)))
    l_low = np.maximum(registered_on[l_parcel], day("2016-01-01"))
    l_low = np.where(ent_rows, np.maximum(l_low, pop.opened[np.maximum(lessee, 0)]), l_low)
    l_low = np.minimum(l_low, last - 1)
    l_start = random_days(rng, l_low, np.maximum(last - 60, l_low), len(l_parcel))
    l_end = l_start + 365 * rng.integers(1, 6, len(l_parcel)) - 1
    # renewals: same parcel and lessee, back to back, counted once at the larger area
    renew = ent_rows & (rng.random(len(l_parcel)) < 0.25) & (l_end + 1 <= last - 1)
    r = np.flatnonzero(renew)
    r_start = l_end[r] + 1
    l_parcel = np.concatenate([l_parcel, l_parcel[r]])
    lessee = np.concatenate([lessee, lessee[r]])
    lessee_code = np.concatenate([lessee_code, lessee_code[r]])
    lessee_name = np.concatenate([lessee_name, lessee_name[r]])
    l_area = np.concatenate(
        [l_area, np.round(area_c[l_parcel[r]] * budget[r] * rng.uniform(0.6, 1.0, len(r)))]
    )
    l_start = np.concatenate([l_start, r_start])
    l_end = np.concatenate([l_end, r_start + 365 * rng.integers(1, 4, len(r)) - 1])
    l_order = np.lexsort((l_parcel, l_start))
    l_parcel, lessee, lessee_code, lessee_name, l_area, l_start, l_end = (
        a[l_order] for a in (l_parcel, lessee, lessee_code, lessee_name, l_area, l_start, l_end)
    )
    lease_id = _ids("ZL", l_start, np.arange(len(l_start)) + 1)

    # ---- manual parcel links (reference data) ---------------------------------------------
    link_rows: list[tuple[int, int, int, int, int, str]] = []
    busy = np.zeros(n_parcels, dtype=bool)
    busy[leased] = True
    busy[att_target] = True
    splittable = np.flatnonzero((kind == 0) & (holder >= 0) & np.isin(land_use, INDUSTRIAL) & ~busy)
    group_of = pop.group[:m]
    for p in pick(rng, splittable, max(1, int(round(0.03 * n_ind)))).tolist():
        h = int(holder[p])
        mates = np.flatnonzero(group_of == pop.group[h]) if pop.group[h] is not None else []
        mates = [x for x in list(mates) if x != h]
        k = int(rng.choice([2, 3], p=[0.7, 0.3]))
        others = (
            mates[: k - 1]
            if len(mates) >= k - 1
            else rng.choice(non_holders, k - 1, replace=False).tolist()
        )
        y_from = -1 if rng.random() < 0.5 else int(rng.choice(tl.years))
        for e, s in zip([h, *others], _shares(rng, k), strict=True):
            link_rows.append((p, int(e), s, y_from, -1, "多企共地：按实际占用面积分割"))
    for p in range(n_reg - n_out, n_reg):
        if rng.random() < 0.6:
            k = int(rng.choice([1, 2], p=[0.6, 0.4]))
            users = rng.choice(non_holders, k, replace=False).tolist()
            for e, s in zip(users, _shares(rng, k), strict=True):
                link_rows.append((p, int(e), s, -1, -1, "管委会名下宗地：由实际使用企业分摊"))
    for p in name_only.tolist():
        if rng.random() < 0.5:
            link_rows.append(
                (p, int(title_holder[p]), 100, -1, -1, "权证无统一社会信用代码：按权利人名称认定")
            )
    for e in rng.choice(m, 2, replace=False).tolist():  # rows that match no parcel
        link_rows.append((-1, int(e), 100, -1, -1, "宗地代码待核实"))
    link = np.array(link_rows, dtype=object).reshape(-1, 6)
    link_parcel = link[:, 0].astype(np.int64)

    # ---- parcel codes (GB/T 37346: county, district, sub-district, feature, serial) --------
    feature = np.where(kind == 0, np.where(rng.random(n_parcels) < 0.85, "GB", "JB"), "GW")
    sub = rng.integers(1, 13, n_parcels)
    district_key = division * 100 + sub
    order = np.lexsort((rng.random(n_parcels), district_key))
    serial = np.empty(n_parcels, dtype=np.int64)
    ranks = np.arange(n_parcels) - np.searchsorted(district_key[order], district_key[order])
    serial[order] = ranks + 1
    code = np.array(
        [
            f"{DIVISIONS[d]}{s:03d}{f}{k:05d}"
            for d, s, f, k in zip(
                division.tolist(), sub.tolist(), feature.tolist(), serial.tolist(), strict=True
            )
        ]
    )
    unknown_parcels = np.array([f"{COUNTY}009001GB{90001 + i:05d}" for i in range(len(link))])
    link_code = np.where(link_parcel >= 0, code[np.maximum(link_parcel, 0)], unknown_parcels)

    # ---- research land (reference data) ---------------------------------------------------
    r_parcels = pick(
        rng,
        np.flatnonzero((kind == 0) & (holder >= 0) & np.isin(land_use, INDUSTRIAL)),
        max(1, int(round(0.01 * len(holders)))),
    )
    research_code = np.concatenate([code[r_parcels], [f"{COUNTY}009002GB00001"]])
    research_area_c = np.concatenate(
        [
            np.round(area_c[r_parcels] * rng.uniform(0.05, 0.3, len(r_parcels))).astype(np.int64),
            [250_000],
        ]
    )
    research_entity = np.concatenate([holder[r_parcels], rng.choice(m, 1)])

    # ---- outlines --------------------------------------------------------------------------
    x0, y0, x1, y1 = geometry.rectangles(rng, area_c / 100.0, attached_to)
    geo = geometry.geojson(x0, y0, x1, y1, rng.random(n_parcels) < 0.03)

    return Land(
        code=code,
        kind=kind,
        attached_to=attached_to,
        land_use=land_use,
        area_c=area_c,
        holder=holder,
        holder_code=holder_code,
        holder_name=holder_name,
        title_holder=title_holder,
        division=division,
        park=park,
        registered_on=registered_on,
        valid_from=valid_from,
        geometry=geo,
        lease_id=lease_id,
        lease_parcel=l_parcel,
        lessee=lessee,
        lessee_code=lessee_code,
        lessee_name=lessee_name,
        lease_area_c=l_area.astype(np.int64),
        lease_start=l_start,
        lease_end=l_end,
        survey_id=survey_id,
        survey_parcel=s_parcel,
        survey_user=s_user,
        survey_area_c=s_area,
        survey_date=s_date,
        link_parcel=link_parcel,
        link_code=link_code,
        link_entity=link[:, 1].astype(np.int64),
        link_share=link[:, 2].astype(np.int64),
        link_from=link[:, 3].astype(np.int64),
        link_to=link[:, 4].astype(np.int64),
        link_reason=link[:, 5].astype(str),
        research_code=research_code,
        research_area_c=research_area_c,
        research_entity=research_entity,
    )


# ---- figures the truth and other modules need ------------------------------------------------


def _links_in_year(land: Land, year: int) -> np.ndarray:
    """Rows of the link table in force in `year` (null bounds are open)."""
    return (
        (land.link_parcel >= 0)
        & ((land.link_from < 0) | (land.link_from <= year))
        & ((land.link_to < 0) | (land.link_to >= year))
    )


def land_m2(land: Land, pop: Population) -> np.ndarray:
    """(entities, years) land area in m² by the truth's method (rule-pack.md, Land).

    count_leased_out subtract, attached_land add, research land not exempted,
    manual links applied.
    """
    tl = pop.timeline
    out = np.zeros((pop.n, tl.n_years))
    industrial = land.industrial
    for j, year in enumerate(tl.years):
        end = tl.year_end(j)
        in_register = ~np.isnat(land.valid_from) & (land.valid_from <= end)
        counted = in_register & industrial
        rows = _links_in_year(land, year)
        linked = np.zeros(land.n_parcels, dtype=bool)
        linked[land.link_parcel[rows]] = True
        area = land.area_c.astype(np.float64)
        acc = np.zeros(pop.n)

        own = counted & (land.kind == 0) & ~linked & (land.holder >= 0)
        np.add.at(acc, land.holder[own], area[own])

        lp = land.lease_parcel
        overl = (
            (land.lease_start <= end)
            & (land.lease_end >= tl.year_start(j))
            & counted[lp]
            & ~linked[lp]
        )
        idx = np.flatnonzero(overl)
        # one lessee, one parcel: counted once at the largest area
        lessee_key = np.where(land.lessee >= 0, land.lessee, -1 - np.arange(len(lp)))[idx]
        order = np.lexsort((-land.lease_area_c[idx], lessee_key, lp[idx]))
        idx = idx[order]
        key_sorted = np.stack([lp[idx], lessee_key[order]], axis=1)
        first = np.ones(len(idx), dtype=bool)
        first[1:] = np.any(key_sorted[1:] != key_sorted[:-1], axis=1)
        idx = idx[first]
        tenants = idx[land.lessee[idx] >= 0]
        np.add.at(acc, land.lessee[tenants], land.lease_area_c[tenants].astype(np.float64))
        lessors = land.holder[lp[idx]]
        ok = lessors >= 0
        np.subtract.at(acc, lessors[ok], land.lease_area_c[idx][ok].astype(np.float64))

        sp = land.survey_parcel
        sv = np.flatnonzero(
            (land.survey_date <= end) & counted[sp] & ~linked[sp] & (land.kind[sp] > 0)
        )
        # the latest survey per (parcel, user)
        order = np.lexsort((-land.survey_date[sv].astype(np.int64), land.survey_user[sv], sp[sv]))
        sv = sv[order]
        first = np.ones(len(sv), dtype=bool)
        first[1:] = (sp[sv][1:] != sp[sv][:-1]) | (
            land.survey_user[sv][1:] != land.survey_user[sv][:-1]
        )
        sv = sv[first]
        np.add.at(acc, land.survey_user[sv], land.survey_area_c[sv].astype(np.float64))

        lk = np.flatnonzero(
            rows & counted[np.maximum(land.link_parcel, 0)] & (land.link_entity >= 0)
        )
        np.add.at(
            acc, land.link_entity[lk], area[land.link_parcel[lk]] * land.link_share[lk] / 100.0
        )
        out[:, j] = acc / 100.0
    return out


def held_m2(land: Land, pop: Population) -> np.ndarray:
    """(entities, years) m² of registered land held (any use): the land-tax base."""
    tl = pop.timeline
    out = np.zeros((pop.n, tl.n_years))
    own = (land.kind == 0) & (land.holder >= 0)
    for j in range(tl.n_years):
        rows = own & (land.valid_from <= tl.year_end(j))
        out[:, j] = np.bincount(
            land.holder[rows], weights=land.area_c[rows] / 100.0, minlength=pop.n
        )
    return out


def others_use(land: Land, pop: Population) -> np.ndarray:
    """(parcels, years): someone besides the holder uses the parcel in the year.

    The grid's parcel fallback links an account to the parcel's holder only when
    nobody else uses that parcel (rule-pack.md, Electricity).
    """
    tl = pop.timeline
    out = np.zeros((land.n_parcels, tl.n_years), dtype=bool)
    for j, year in enumerate(tl.years):
        overl = (land.lease_start <= tl.year_end(j)) & (land.lease_end >= tl.year_start(j))
        out[land.lease_parcel[overl], j] = True
        sv = land.survey_date <= tl.year_end(j)
        other = sv & (land.survey_user != land.holder[land.survey_parcel])
        out[land.survey_parcel[other], j] = True
        lk = _links_in_year(land, year)
        lk &= land.link_entity != land.holder[np.maximum(land.link_parcel, 0)]
        out[land.link_parcel[lk], j] = True
    return out


def users_of(land: Land) -> list[np.ndarray]:
    """Every enterprise that takes land from each parcel (for tagging defects)."""
    pairs = [
        (np.arange(land.n_parcels), land.holder),
        (land.lease_parcel, land.lessee),
        (land.lease_parcel, land.holder[land.lease_parcel]),
        (land.survey_parcel, land.survey_user),
        (land.link_parcel, land.link_entity),
    ]
    p = np.concatenate([a for a, _ in pairs])
    e = np.concatenate([b for _, b in pairs])
    ok = (p >= 0) & (e >= 0)
    p, e = p[ok], e[ok]
    order = np.argsort(p, kind="stable")
    p, e = p[order], e[order]
    bounds = np.searchsorted(p, np.arange(land.n_parcels + 1))
    return [np.unique(e[bounds[i] : bounds[i + 1]]) for i in range(land.n_parcels)]


# ---- the land feeds ---------------------------------------------------------------------------


def parcels_frame(
    land: Land, pop: Population, log: DefectLog, seed: int, protected: np.ndarray
) -> tuple[Frame, np.ndarray]:
    """`land.parcels`, with areas typed in mu, invalid holder codes and cosmetic codes.

    `protected` parcels (those an account's parcel fallback relies on) keep their
    holder code valid, so a defect here touches only the parcel's own users.
    """
    rng = stream(seed, "land.parcels")
    n = land.n_parcels
    attached = np.where(land.attached_to >= 0, land.code[np.maximum(land.attached_to, 0)], None)
    cols = {
        "parcel_code": pa.array(land.code.tolist(), pa.string()),
        "kind": text.take(KINDS, land.kind.astype(np.int64)),
        "attached_to": pa.array(attached.tolist(), pa.string()),
        "land_use": pa.array(land.land_use.tolist(), pa.string()),
        "area_m2": text.decimals(land.area_c, 2),
        "holder_uscc": pa.array(land.holder_code.tolist(), pa.string()),
        "holder_name": pa.array(land.holder_name.tolist(), pa.string()),
        "division_code": text.take(DIVISIONS, land.division),
        "park": text.take(PARKS, land.park),
        "geometry": land.geometry,
        "registered_on": text.dates(land.registered_on),
        VALID_FROM: text.dates(land.valid_from),
        VALID_TO: text.const(None, n),
    }
    frame = Frame(DATASETS["land.parcels"], cols, land.holder.copy(), -1)
    users = users_of(land)

    # a title's area typed in mu instead of m² (about 1/667 of the real one); surveyed land
    # keeps its measured area, as no rule quarantines a survey larger than its parcel
    rows = pick(
        rng,
        np.flatnonzero(land.industrial & (land.kind == 0)),
        count_for("area_in_mu", "land.parcels", n),
    )
    mu_c = np.round(land.area_c[rows] / M2_PER_MU).astype(np.int64)
    frame.replace("area_m2", rows, text.decimals(mu_c, 2).to_pylist())
    log.tag(
        frame,
        rows,
        "area_in_mu",
        [{"area_m2": f"{a / 100:.2f}"} for a in land.area_c[rows].tolist()],
    )
    for p in rows.tolist():
        log.touch(users[p], -1)

    # not on let parcels: the lessor would still subtract its leases from nothing held, and a
    # negative land area is a figure no bureau would send back for correction
    let = np.zeros(n, dtype=bool)
    let[land.lease_parcel] = True
    inject_invalid_uscc(log, rng, frame, "holder_uscc", eligible=~protected & ~let)
    inject_cosmetic(log, rng, frame)
    mu_parcels = np.zeros(n, dtype=bool)
    mu_parcels[rows] = True
    return frame, mu_parcels


def leases_frame(
    land: Land,
    pop: Population,
    log: DefectLog,
    seed: int,
    protected: np.ndarray,
    mu_parcels: np.ndarray,
) -> Frame:
    """`land.leases`, with oversized leases appended (quarantined as lease_exceeds_parcel)."""
    rng = stream(seed, "land.leases")
    n = len(land.lease_id)
    lessor = land.holder[land.lease_parcel]
    entity = np.where(land.lessee >= 0, land.lessee, lessor)

    # leases larger than their parcel, dated after every other lease of it: a pipeline
    # that quarantines them recovers the clean figures exactly
    candidates = np.flatnonzero(
        (land.kind == 0) & (land.holder >= 0) & land.industrial & ~protected & ~mu_parcels
    )
    extra_p = pick(rng, candidates, count_for("lease_exceeds_parcel", "land.leases", n))
    k = len(extra_p)
    latest = np.where(np.isnat(land.registered_on), 0, land.registered_on.astype(np.int64))
    np.maximum.at(latest, land.lease_parcel, land.lease_start.astype(np.int64))
    tl = pop.timeline
    start = np.maximum(
        latest[extra_p].astype("datetime64[D]") + 1, land.registered_on[extra_p]
    ) + rng.integers(1, 60, k)
    start = np.minimum(start, tl.last_day - 1)
    non_holder = np.setdiff1d(np.arange(pop.n_master), land.holder)
    x_lessee = rng.choice(non_holder, k)
    x_person = rng.random(k) < 0.3
    ids = _ids("ZL", start, n + 1 + np.arange(k))
    people = identifiers.person_names(rng, k)
    all_parcel = np.concatenate([land.lease_parcel, extra_p])
    lessee_code = np.concatenate([land.lessee_code, np.where(x_person, None, pop.uscc[x_lessee])])
    lessee_name = np.concatenate(
        [land.lessee_name, np.where(x_person, np.array(people, dtype=object), pop.name[x_lessee])]
    )
    area = np.concatenate(
        [
            land.lease_area_c,
            np.round(land.area_c[extra_p] * rng.uniform(1.05, 1.6, k)).astype(np.int64),
        ]
    )
    starts = np.concatenate([land.lease_start, start])
    ends = np.concatenate([land.lease_end, start + 365 * rng.integers(1, 4, k) - 1])
    lessor_code = [land.holder_code[p] for p in all_parcel.tolist()]
    cols = {
        "lease_id": pa.array(np.concatenate([land.lease_id, ids]).tolist(), pa.string()),
        "parcel_code": pa.array(land.code[all_parcel].tolist(), pa.string()),
        "lessor_uscc": pa.array(lessor_code, pa.string()),
        "lessee_uscc": pa.array(lessee_code.tolist(), pa.string()),
        "lessee_name": pa.array(lessee_name.tolist(), pa.string()),
        "leased_land_m2": text.decimals(area, 2),
        "start_date": text.dates(starts),
        "end_date": text.dates(ends),
        VALID_FROM: text.dates(starts),
        VALID_TO: text.const(None, n + k),
    }
    x_entity = np.where(x_person, land.holder[extra_p], x_lessee)
    frame = Frame(DATASETS["land.leases"], cols, np.concatenate([entity, x_entity]), -1)
    extra_rows = n + np.arange(k)
    log.tag(
        frame,
        extra_rows,
        "lease_exceeds_parcel",
        [{"parcel_area_m2": f"{a / 100:.2f}"} for a in land.area_c[extra_p].tolist()],
    )
    rows = inject_invalid_uscc(
        log, rng, frame, "lessee_uscc", eligible=np.r_[land.lessee >= 0, np.zeros(k, dtype=bool)]
    )
    # an unknown lessee is merged apart from its other leases, so the lessor's figure moves
    log.touch(lessor[rows], -1)
    inject_cosmetic(log, rng, frame)
    return frame


def surveys_frame(land: Land, pop: Population, log: DefectLog, seed: int) -> Frame:
    """`land.surveys`: the evidence for de facto and attached land (cosmetic codes only)."""
    rng = stream(seed, "land.surveys")
    n = len(land.survey_id)
    cols = {
        "survey_id": pa.array(land.survey_id.tolist(), pa.string()),
        "parcel_code": pa.array(land.code[land.survey_parcel].tolist(), pa.string()),
        "user_uscc": text.take(pop.uscc, land.survey_user),
        "user_name": text.take(pa.array(pop.name.tolist(), pa.string()), land.survey_user),
        "occupied_m2": text.decimals(land.survey_area_c, 2),
        "surveyed_on": text.dates(land.survey_date),
        VALID_FROM: text.dates(land.survey_date),
        VALID_TO: text.const(None, n),
    }
    frame = Frame(DATASETS["land.surveys"], cols, land.survey_user.copy(), -1)
    inject_cosmetic(log, rng, frame)
    return frame
