"""The tax bureau: payments, reliefs and employer social insurance, and the tax truth.

Payments follow the calendar of Chinese tax practice closely enough for the
evaluation to matter: VAT monthly (quarterly for small taxpayers) with its three
surcharges on the same voucher dates, CIT prepaid quarterly with a May
settlement, land taxes twice a year for land holders, environmental tax for
emitters, the rest sparse. The last year's payments are delivered twice: a first
snapshot, and a later one that corrects, adds and withdraws records (feeds.md,
snapshot_id); the truth counts the later one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mujun.datasets import DATASETS
from mujun.simulate import text
from mujun.simulate.defects import DefectLog, Frame, count_for, inject_cosmetic, inject_invalid_uscc
from mujun.simulate.economy import Economy
from mujun.simulate.enterprises import COUNTY, Population
from mujun.simulate.rng import pick, stream, weighted_split

TAX_TYPES = (
    "VAT",
    "CIT",
    "CT",
    "UMCT",
    "EDU",
    "LEDU",
    "PT",
    "ULUT",
    "LVAT",
    "STAMP",
    "RES",
    "ENVT",
    "VVT",
)
T = {name: i for i, name in enumerate(TAX_TYPES)}
SURCHARGE_PERCENT = {"UMCT": 7, "EDU": 3, "LEDU": 2}  # of VAT + consumption tax
RELIEF_KINDS = (
    "VAT_CREDIT_REFUND",
    "EXPORT_REBATE",
    "CT_REFUND",
    "DEFERRAL",
    "PRE_COLLECTION_EXEMPTION",
    "POLICY_RELIEF",
)
POLICY_SUBKINDS = ("RESOURCE_REUSE", "DISABLED_EMPLOYMENT", "OTHER")
QUARTER_MONTHS = np.array([0, 3, 6, 9])  # January, April, July, October
REDELIVERY_LAG = (23, 2)  # days and hours after the first delivery


@dataclass
class TaxSums:
    """(entities, years) integer fen of the final snapshots."""

    paid: np.ndarray
    cit: np.ndarray
    relief: np.ndarray


@dataclass
class TaxProfile:
    """Per-enterprise habits, fixed over the years."""

    monthly_vat: np.ndarray
    settles_in_may: np.ndarray
    stamp: np.ndarray
    ulut_rate: np.ndarray
    pt_rate: np.ndarray
    vvt: np.ndarray
    res: np.ndarray
    per_head: np.ndarray  # employer social insurance per employee and month, yuan


def build_profile(seed: int, pop: Population, land_use_0602: np.ndarray) -> TaxProfile:
    """Habits drawn once, so an enterprise pays the same taxes the same way every year."""
    rng = stream(seed, "tax")
    n = pop.n
    big = pop.above.any(axis=1)
    return TaxProfile(
        monthly_vat=big | (rng.random(n) < 0.6),
        settles_in_may=big & (rng.random(n) < 0.5),
        stamp=rng.random(n) < 0.7,
        ulut_rate=rng.uniform(3.0, 8.0, n),
        pt_rate=rng.uniform(4.0, 12.0, n),
        vvt=np.where(rng.random(n) < 0.6, rng.uniform(300, 6000, n), 0.0),
        res=land_use_0602 | np.isin(pop.industry, ("4610", "4620")),
        per_head=rng.uniform(900.0, 1400.0, n),
    )


def _pairs(ents: np.ndarray, months: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every (enterprise, month) of `ents` × `months` in which the enterprise trades."""
    e = np.repeat(ents, len(months))
    m = np.tile(months, len(ents))
    keep = active[e, m]
    return e[keep], m[keep]


def _cents(rng: np.random.Generator, e: np.ndarray, budget: np.ndarray, n: int) -> np.ndarray:
    """Spread each enterprise's yearly budget (yuan) over its rows, in whole fen."""
    if len(e) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.round(budget[e] * weighted_split(rng, e, n) * 100).astype(np.int64)


def _payments(
    rng: np.random.Generator,
    pop: Population,
    econ: Economy,
    prof: TaxProfile,
    held: np.ndarray,
    emitter: np.ndarray,
    j: int,
) -> tuple[np.ndarray, ...]:
    """Clean payment rows of year j: (entity, month 0-11, tax type, fen)."""
    n = pop.n
    act = pop.active[:, 12 * j : 12 * j + 12]
    every = np.arange(n)
    parts: list[tuple[np.ndarray, np.ndarray, int, np.ndarray]] = []

    monthly = every[prof.monthly_vat]
    quarterly = every[~prof.monthly_vat]
    e1, m1 = _pairs(monthly, np.arange(12), act)
    e2, m2 = _pairs(quarterly, QUARTER_MONTHS, act)
    ve, vm = np.concatenate([e1, e2]), np.concatenate([m1, m2])
    w = weighted_split(rng, ve, n)
    vat = np.round(econ.vat[ve, j] * w * 100).astype(np.int64)
    ct = np.round(econ.ct[ve, j] * w * 100).astype(np.int64)
    parts.append((ve, vm, T["VAT"], vat))
    payer = econ.ct_payer[ve]
    parts.append((ve[payer], vm[payer], T["CT"], ct[payer]))
    for name, pct in SURCHARGE_PERCENT.items():
        parts.append((ve, vm, T[name], (vat + ct) * pct // 100))

    ce, cm = _pairs(every, QUARTER_MONTHS, act)
    se, sm = _pairs(every[prof.settles_in_may], np.array([4]), act)
    ce, cm = np.concatenate([ce, se]), np.concatenate([cm, sm])
    parts.append((ce, cm, T["CIT"], _cents(rng, ce, econ.cit[:, j], n)))

    se, sm = _pairs(every[prof.stamp], QUARTER_MONTHS, act)
    stamp = econ.revenue_k[:, j] * 1000 * 0.0003
    parts.append((se, sm, T["STAMP"], _cents(rng, se, stamp, n)))

    holders = every[held[:, j] > 0]
    le, lm = _pairs(holders, np.array([4, 10]), act)
    parts.append((le, lm, T["ULUT"], _cents(rng, le, held[:, j] * prof.ulut_rate, n)))
    parts.append((le, lm, T["PT"], _cents(rng, le, held[:, j] * prof.pt_rate, n)))

    ee, em = _pairs(every[emitter], QUARTER_MONTHS, act)
    envt = rng.uniform(2_000, 200_000, n)
    parts.append((ee, em, T["ENVT"], _cents(rng, ee, envt, n)))

    re_, rm = _pairs(every[prof.res], QUARTER_MONTHS, act)
    parts.append((re_, rm, T["RES"], _cents(rng, re_, rng.uniform(5_000, 100_000, n), n)))

    vv = every[prof.vvt > 0]
    vm_ = rng.integers(2, 12, len(vv))
    keep = act[vv, vm_]
    parts.append(
        (vv[keep], vm_[keep], T["VVT"], np.round(prof.vvt[vv[keep]] * 100).astype(np.int64))
    )

    lv = every[(held[:, j] > 0) & (rng.random(n) < 0.004)]
    lm_ = rng.integers(0, 12, len(lv))
    keep = act[lv, lm_]
    parts.append(
        (
            lv[keep],
            lm_[keep],
            T["LVAT"],
            np.round(rng.uniform(50_000, 2_000_000, int(keep.sum())) * 100).astype(np.int64),
        )
    )

    e = np.concatenate([p[0] for p in parts])
    m = np.concatenate([p[1] for p in parts])
    t = np.concatenate([np.full(len(p[0]), p[2]) for p in parts])
    c = np.concatenate([p[3] for p in parts])
    keep = c != 0
    return e[keep], m[keep], t[keep], c[keep]


def payments_year(
    seed: int,
    pop: Population,
    econ: Economy,
    prof: TaxProfile,
    held: np.ndarray,
    emitter: np.ndarray,
    j: int,
    log: DefectLog,
    sums: TaxSums,
) -> tuple[Frame, Frame | None]:
    """`tax.payments` of year j: (first delivery, re-delivery or None); adds to `sums`."""
    tl = pop.timeline
    year = tl.years[j]
    rng = stream(seed, "tax.payments", year)
    dataset = "tax.payments"
    e, m, t, c = _payments(rng, pop, econ, prof, held, emitter, j)
    n_base = len(e)

    # reversals: a later voucher cancels all or part of an earlier one
    rev = pick(rng, np.arange(n_base), count_for("reversal", dataset, n_base))
    frac = np.where(rng.random(len(rev)) < 0.5, 1.0, rng.uniform(0.1, 0.9, len(rev)))
    e = np.concatenate([e, e[rev]])
    t = np.concatenate([t, t[rev]])
    m = np.concatenate([m, np.minimum(11, m[rev] + rng.integers(0, 3, len(rev)))])
    c = np.concatenate([c, -np.round(c[rev] * frac).astype(np.int64)])
    final_c, orig_c = c.copy(), c.copy()
    in_final = np.ones(len(e), dtype=bool)
    in_orig = np.ones(len(e), dtype=bool)
    kind = np.zeros(len(e), dtype=np.int8)  # 1 reversal, 2 corrected, 3 added, 4 withdrawn
    kind[n_base:] = 1

    redelivered = j == tl.n_years - 1
    if redelivered:
        base = np.arange(n_base)
        fix = pick(rng, base, count_for("redelivery_corrected", dataset, n_base))
        orig_c[fix] = np.round(c[fix] * rng.choice([0.5, 0.9, 1.1, 1.5, 10.0], len(fix))).astype(
            np.int64
        )
        kind[fix] = 2
        for code, name in ((3, "redelivery_added"), (4, "redelivery_withdrawn")):
            src = pick(rng, base, count_for(name, dataset, n_base))
            amount = np.round(np.abs(c[src]) * rng.uniform(0.1, 1.0, len(src)) + 100).astype(
                np.int64
            )
            e = np.concatenate([e, e[src] if code == 3 else rng.permutation(e[src])])
            t = np.concatenate([t, t[src]])
            m = np.concatenate([m, rng.integers(0, 12, len(src))])
            final_c = np.concatenate(
                [final_c, amount if code == 3 else np.zeros(len(src), np.int64)]
            )
            orig_c = np.concatenate([orig_c, amount if code == 4 else np.zeros(len(src), np.int64)])
            in_final = np.concatenate([in_final, np.full(len(src), code == 3)])
            in_orig = np.concatenate([in_orig, np.full(len(src), code == 4)])
            kind = np.concatenate([kind, np.full(len(src), code, np.int8)])

    # truth: the final snapshot, clean
    sums.paid[:, j] += np.bincount(e, weights=final_c * in_final, minlength=pop.n).astype(np.int64)
    cit = in_final & (t == T["CIT"])
    sums.cit[:, j] += np.bincount(e[cit], weights=final_c[cit], minlength=pop.n).astype(np.int64)

    # delivery order: month by month; voucher numbers run in that order
    order = np.lexsort((rng.random(len(e)), m))
    e, m, t, final_c, orig_c, in_final, in_orig, kind = (
        a[order] for a in (e, m, t, final_c, orig_c, in_final, in_orig, kind)
    )
    serial = np.arange(len(e)) - np.searchsorted(m, m) + 1
    labels = [f"{year}-{k:02d}" for k in range(1, 13)]
    cols = {
        "voucher_id": text.join(
            f"3{COUNTY}{year % 100:02d}", text.zpad(m + 1, 2), text.zpad(serial, 8)
        ),
        "uscc": text.take(pop.uscc, e),
        "month": text.take(labels, m),
        "tax_type": text.take(TAX_TYPES, t),
        "amount_yuan": text.decimals(final_c, 2),
        "_amount_first": text.decimals(orig_c, 2),
    }
    frame = Frame(DATASETS[dataset], cols, e, j)
    log.tag(frame, np.flatnonzero(kind == 1), "reversal")
    for code, name in (
        (2, "redelivery_corrected"),
        (3, "redelivery_added"),
        (4, "redelivery_withdrawn"),
    ):
        rows = np.flatnonzero(kind == code)
        amounts = list(
            zip(frame.values("_amount_first", rows), frame.values("amount_yuan", rows), strict=True)
        )
        log.tag(
            frame,
            rows,
            name,
            [
                {"first": a if code != 3 else None, "final": b if code != 4 else None}
                for a, b in amounts
            ],
        )

    inject_invalid_uscc(log, rng, frame)
    bad = pick(rng, np.flatnonzero(~frame.tainted), count_for("bad_value", dataset, n_base))
    junk = rng.choice(["1,234.50", "N/A", "--", "12.34.56", "", "￥300.00", "壹佰元"], len(bad))
    was = frame.values("amount_yuan", bad)
    frame.replace("amount_yuan", bad, junk.tolist())
    frame.replace("_amount_first", bad, junk.tolist())
    log.tag(frame, bad, "bad_value", [{"amount_yuan": w} for w in was])
    inject_cosmetic(log, rng, frame)

    # duplicate vouchers: the same record delivered again at the end of its month
    dup = pick(
        rng,
        np.flatnonzero(~frame.tainted & in_final & in_orig),
        count_for("duplicate_voucher", dataset, n_base),
    )
    month_end = np.searchsorted(m, m, side="right") - 1
    position = np.concatenate([np.arange(len(e), dtype=np.float64), month_end[dup] + 0.5])
    order = np.argsort(position, kind="stable")
    frame = frame.concat(frame.take(dup)).take(order)
    in_final = np.concatenate([in_final, in_final[dup]])[order]
    in_orig = np.concatenate([in_orig, in_orig[dup]])[order]
    new_pos = np.empty(len(order), dtype=np.int64)
    new_pos[order] = np.arange(len(order))
    log.tag(frame, new_pos[len(e) :], "duplicate_voucher")

    if not redelivered:
        return frame, None
    first = frame.take(np.flatnonzero(in_orig))
    first.columns["amount_yuan"] = first.columns["_amount_first"]
    return first, frame.take(np.flatnonzero(in_final))


RELIEFS = (
    # kind, subkind, share of enterprise-years (above, below scale), rows (min, max)
    ("VAT_CREDIT_REFUND", None, (0.15, 0.05), (1, 2)),
    ("EXPORT_REBATE", None, (1.0, 1.0), (4, 4)),
    ("CT_REFUND", None, (0.7, 0.7), (1, 3)),
    ("DEFERRAL", None, (0.04, 0.04), (1, 2)),
    ("PRE_COLLECTION_EXEMPTION", None, (0.08, 0.08), (1, 4)),
    ("POLICY_RELIEF", "RESOURCE_REUSE", (0.03, 0.03), (1, 4)),
    ("POLICY_RELIEF", "DISABLED_EMPLOYMENT", (0.05, 0.05), (1, 4)),
    ("POLICY_RELIEF", "OTHER", (0.05, 0.05), (1, 3)),
)


def reliefs_year(
    seed: int, pop: Population, econ: Economy, j: int, log: DefectLog, sums: TaxSums
) -> Frame:
    """`tax.reliefs` of year j: every kind, POLICY_RELIEF with its subkinds."""
    year = pop.timeline.years[j]
    rng = stream(seed, "tax.reliefs", year)
    n = pop.n
    act = pop.active[:, 12 * j : 12 * j + 12]
    above = pop.above[:, j]
    budgets = {
        "VAT_CREDIT_REFUND": econ.vat[:, j] * rng.uniform(0.1, 0.5, n),
        "EXPORT_REBATE": np.where(econ.exporter, econ.vat[:, j] * rng.uniform(0.3, 0.9, n), 0),
        "CT_REFUND": np.where(econ.ct_payer, econ.ct[:, j] * rng.uniform(0.02, 0.1, n), 0),
        "DEFERRAL": econ.vat[:, j] * rng.uniform(0.05, 0.3, n),
        "PRE_COLLECTION_EXEMPTION": (econ.vat[:, j] + econ.cit[:, j]) * rng.uniform(0.01, 0.1, n),
        "RESOURCE_REUSE": econ.vat[:, j] * rng.uniform(0.05, 0.5, n),
        "DISABLED_EMPLOYMENT": rng.uniform(2_000, 50_000, n),
        "OTHER": econ.vat[:, j] * rng.uniform(0.01, 0.1, n),
    }
    recycler = np.isin(pop.major, ("42",))
    es, ms, ks, subs, cs = [], [], [], [], []
    for kind, sub, (p_above, p_below), (lo, hi) in RELIEFS:
        p = np.where(above, p_above, p_below)
        if kind == "EXPORT_REBATE":
            p = np.where(econ.exporter, 1.0, 0.0)
        if kind == "CT_REFUND":
            p = np.where(econ.ct_payer, p, 0.0)
        if sub == "RESOURCE_REUSE":
            p = np.where(recycler, 0.9, p)
        chosen = np.flatnonzero((rng.random(n) < p) & act.any(axis=1))
        k = rng.integers(lo, hi + 1, len(chosen))
        e = np.repeat(chosen, k)
        if kind == "EXPORT_REBATE":
            mth = np.tile(np.array([1, 4, 7, 10]), len(chosen))
        else:
            mth = rng.integers(0, 12, len(e))
        keep = act[e, mth]
        e, mth = e[keep], mth[keep]
        c = _cents(rng, e, budgets[sub or kind], n)
        ok = c > 0
        es.append(e[ok])
        ms.append(mth[ok])
        ks.append(np.full(int(ok.sum()), RELIEF_KINDS.index(kind)))
        subs.append(np.full(int(ok.sum()), -1 if sub is None else POLICY_SUBKINDS.index(sub)))
        cs.append(c[ok])
    e, mth, kd, sb, c = (np.concatenate(x) for x in (es, ms, ks, subs, cs))
    sums.relief[:, j] += np.bincount(e, weights=c, minlength=n).astype(np.int64)
    order = np.lexsort((rng.random(len(e)), mth))
    e, mth, kd, sb, c = (a[order] for a in (e, mth, kd, sb, c))
    labels = [f"{year}-{k:02d}" for k in range(1, 13)]
    cols = {
        "relief_id": text.join(f"JM{year % 100:02d}", text.zpad(np.arange(len(e)) + 1, 8)),
        "uscc": text.take(pop.uscc, e),
        "month": text.take(labels, mth),
        "kind": text.take(RELIEF_KINDS, kd),
        "subkind": text.take(POLICY_SUBKINDS, sb),
        "amount_yuan": text.decimals(c, 2),
    }
    frame = Frame(DATASETS["tax.reliefs"], cols, e, j)
    inject_invalid_uscc(log, rng, frame)
    inject_cosmetic(log, rng, frame)
    return frame


def social_insurance_year(
    seed: int, pop: Population, econ: Economy, prof: TaxProfile, j: int, log: DefectLog
) -> Frame:
    """`tax.social_insurance` of year j: the employer's part, per enterprise and month."""
    year = pop.timeline.years[j]
    rng = stream(seed, "tax.social_insurance", year)
    act = pop.active[:, 12 * j : 12 * j + 12] & (econ.employees[:, j] > 0)[:, None]
    m, e = np.nonzero(act.T)  # month by month
    staff = econ.employees[e, j] * rng.uniform(0.95, 1.05, len(e))
    c = np.round(staff * prof.per_head[e] * 100).astype(np.int64)
    labels = [f"{year}-{k:02d}" for k in range(1, 13)]
    cols = {
        "uscc": text.take(pop.uscc, e),
        "month": text.take(labels, m),
        "employer_amount_yuan": text.decimals(c, 2),
    }
    frame = Frame(DATASETS["tax.social_insurance"], cols, e, j)
    inject_invalid_uscc(log, rng, frame)
    inject_cosmetic(log, rng, frame)
    return frame
