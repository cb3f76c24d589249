"""The power company: accounts, monthly readings, the manual account links, and kWh.

Accounts are drawn so that every branch of rule-pack.md's Electricity linking is
taken: accounts whose holder code is right, null, stale (an old code nobody holds
any more) or a deregistered enterprise's; accounts found through their parcel or
through the holder's name as typed by the power company; transformers shared by a
landlord and its tenants (split by manual links), and accounts nobody can claim.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from mujun.codes import normalise_name
from mujun.datasets import DATASETS
from mujun.simulate import identifiers, text
from mujun.simulate.defects import DefectLog, Frame, count_for, inject_cosmetic, inject_invalid_uscc
from mujun.simulate.enterprises import TOWNS, Population
from mujun.simulate.land import INDUSTRIAL, Land, _shares, others_use
from mujun.simulate.layout import VALID_FROM, VALID_TO
from mujun.simulate.rng import pick, stream
from mujun.simulate.timeline import NAT, day, random_days

ROADS = (
    "海天路",
    "蛟川路",
    "骆兴路",
    "庄俞路",
    "北环路",
    "沿江路",
    "澥浦大道",
    "九龙大道",
    "镇宁路",
    "雄镇路",
    "石化路",
    "临港路",
)
# month-of-year load: summer cooling peak, the Spring Festival trough in February
SEASON = np.array([0.95, 0.72, 1.0, 1.0, 1.02, 1.08, 1.15, 1.17, 1.06, 1.0, 0.98, 0.97])


@dataclass
class Grid:
    """Clean accounts; `kwh` is (accounts, months) of integer kWh (0 when not open)."""

    account_no: np.ndarray
    user: np.ndarray  # who really uses it (a shared account: the landlord), -1 none
    holder_code: np.ndarray  # as the clean register would carry it
    holder_name: np.ndarray
    parcel: np.ndarray
    opened: np.ndarray
    closed: np.ndarray
    transformer: np.ndarray
    address: np.ndarray
    stale_of: np.ndarray  # the deregistered enterprise the feed names instead, -1
    kwh: np.ndarray
    link_account: np.ndarray  # -1: an account no feed delivers
    link_account_no: np.ndarray
    link_entity: np.ndarray
    link_share: np.ndarray  # hundredths
    link_from: np.ndarray
    link_to: np.ndarray
    link_reason: np.ndarray

    @property
    def n(self) -> int:
        return len(self.account_no)


def build_grid(seed: int, pop: Population, kwh_expected: np.ndarray, land: Land) -> Grid:
    """Accounts, monthly kWh and account links; every branch of the linking rule occurs."""
    rng = stream(seed, "grid")
    tl = pop.timeline
    m = pop.n_master
    first, last = tl.first_day, tl.last_day
    use = others_use(land, pop)

    # ---- shared transformers: a landlord and its tenants, or neighbours in a park ------
    shared_users: list[list[int]] = []
    shared_parcel: list[int] = []
    tenant_rows = land.lessee >= 0
    let = np.unique(land.lease_parcel[tenant_rows])
    for p in pick(rng, let, int(round(0.4 * len(let)))).tolist():
        tenants = np.unique(land.lessee[tenant_rows & (land.lease_parcel == p)]).tolist()
        users = [int(land.holder[p]), *[t for t in tenants if t != land.holder[p]]]
        if len(users) > 1:
            shared_users.append(users)
            shared_parcel.append(p)
    for _ in range(max(1, int(round(0.005 * m)))):
        shared_users.append(rng.choice(m, int(rng.choice([2, 3])), replace=False).tolist())
        shared_parcel.append(-1)
    n_shared = len(shared_users)
    portion = np.zeros(pop.n)  # share of an enterprise's use that goes through them
    sole_tenant = np.zeros(pop.n, dtype=bool)
    for users in shared_users:
        portion[users[0]] = max(portion[users[0]], 0.3)
        for u in users[1:]:
            sole = rng.random() < 0.5
            portion[u] = 1.0 if sole else max(portion[u], 0.5)
            sole_tenant[u] |= sole

    # ---- own accounts ------------------------------------------------------------------
    count = rng.choice([0, 1, 2, 3], p=[0.04, 0.6, 0.26, 0.1], size=m)
    count[sole_tenant[:m]] = 0
    own_e = np.repeat(np.arange(m), count)
    slot = np.arange(len(own_e)) - np.repeat(np.cumsum(count) - count, count)
    n_own = len(own_e)

    reg = (land.kind == 0) & (land.holder >= 0)
    exclusive = reg & np.isin(land.land_use, INDUSTRIAL) & ~use.any(axis=1)
    exclusive[land.attached_to[land.attached_to >= 0]] = False  # its attached land has users
    excl_parcel = np.full(pop.n, -1)
    held_parcel = np.full(pop.n, -1)
    idx = np.flatnonzero(exclusive)
    excl_parcel[land.holder[idx][::-1]] = idx[::-1]
    idx = np.flatnonzero(reg)
    held_parcel[land.holder[idx][::-1]] = idx[::-1]

    r = rng.random(n_own)
    type_b = (slot == 0) & (excl_parcel[own_e] >= 0) & (r < 0.3)
    type_c = ~type_b & (r > 0.88)
    type_a = ~type_b & ~type_c

    stale_codes = identifiers.uscc_batch(rng, "91330211", n_own, set(pop.uscc.tolist()))
    holder_code = np.where(type_a, pop.uscc[own_e], None).astype(object)
    stale = type_c & (rng.random(n_own) < 0.4)
    holder_code[stale] = stale_codes[stale]
    names = pop.name[own_e]
    variant = np.array(
        [
            identifiers.name_variant(nm, k)
            for nm, k in zip(names.tolist(), rng.integers(0, 3, n_own).tolist(), strict=True)
        ],
        dtype=object,
    )
    people = np.array(identifiers.person_names(rng, n_own), dtype=object)
    pick_name = rng.random(n_own)
    holder_name = np.where(
        pick_name < 0.7,
        names,
        np.where(pick_name < 0.8, variant, np.where(pick_name < 0.9, people, None)),
    ).astype(object)
    holder_name[type_b] = np.where(rng.random(int(type_b.sum())) < 0.5, names[type_b], None)
    holder_name[type_c] = variant[type_c]
    parcel = np.where(
        type_a & (held_parcel[own_e] >= 0) & (rng.random(n_own) < 0.3), held_parcel[own_e], -1
    )
    parcel[type_b] = excl_parcel[own_e[type_b]]

    e_opened = pop.opened[own_e]
    low = np.maximum(e_opened, day("1995-01-01"))
    high = np.where(rng.random(n_own) < 0.08, last - 60, first - 1)
    opened = random_days(rng, low, np.maximum(high, low), n_own)
    new_firm = e_opened >= first
    opened = np.where(new_firm, e_opened + rng.integers(0, 30, n_own), opened)
    opened = np.minimum(opened, last)
    closed = pop.dereg[own_e].copy()
    # some enterprises switch accounts within the window: the old one closes, a new opens
    switch = np.flatnonzero((slot == 1) & (rng.random(n_own) < 0.15))
    when = random_days(
        rng,
        np.maximum(opened[switch - 1], first) + 30,
        np.maximum(opened[switch - 1], first) + 700,
        len(switch),
    )
    ok = when < np.minimum(last - 30, np.where(np.isnat(closed[switch]), last, closed[switch]))
    switch, when = switch[ok], when[ok]
    closed[switch - 1] = when
    opened[switch] = when + 1

    # ---- shared, unclaimed and stale-holder accounts -----------------------------------
    s_holder = np.array([u[0] for u in shared_users])
    s_parcel = np.array(shared_parcel)
    n_none = max(2, int(round(0.02 * n_own)))
    x_count = count_for("account_of_deregistered", "grid.accounts", n_own + n_shared + n_none)
    dereg_in_window = np.flatnonzero(~np.isnat(pop.dereg[:m]))
    steady = np.flatnonzero(np.isnat(pop.dereg[:m]) & (pop.opened[:m] < first - 365))
    if len(dereg_in_window) == 0 or len(steady) == 0:
        x_count = 0
    x_user = rng.choice(steady, x_count) if x_count else np.zeros(0, np.int64)
    x_stale = rng.choice(dereg_in_window, x_count) if x_count else np.zeros(0, np.int64)
    village = [
        f"{TOWNS[d]}{p}村股份经济合作社"
        for d, p in zip(
            rng.integers(0, len(TOWNS), n_none).tolist(),
            identifiers.person_names(rng, n_none),
            strict=True,
        )
    ]
    people_none = identifiers.person_names(rng, n_none)
    none_names = np.where(
        rng.random(n_none) < 0.5,
        np.array(village, dtype=object),
        np.array(people_none, dtype=object),
    )

    user = np.concatenate([own_e, s_holder, np.full(n_none, -1), x_user]).astype(np.int64)
    holder_code = np.concatenate(
        [
            holder_code,
            pop.uscc[s_holder].astype(object),
            np.full(n_none, None, dtype=object),
            pop.uscc[x_user].astype(object),
        ]
    )
    holder_name = np.concatenate([holder_name, pop.name[s_holder], none_names, pop.name[x_user]])
    parcel = np.concatenate([parcel, s_parcel, np.full(n_none + len(x_user), -1)])
    n_acc = len(user)
    lo = np.where(
        user >= 0, np.maximum(pop.opened[np.maximum(user, 0)], day("1995-01-01")), day("1995-01-01")
    )
    lo = lo[n_own:]
    tail_open = random_days(rng, lo, np.maximum(first - 1, lo), n_acc - n_own)
    opened = np.concatenate([opened, tail_open])
    opened[n_own:] = np.minimum(opened[n_own:], last)
    closed = np.concatenate([closed, np.full(n_acc - n_own, NAT)])
    stale_of = np.concatenate([np.full(n_acc - len(x_user), -1), x_stale])
    order = rng.permutation(n_acc)  # the register is not sorted by anything we know
    transformer = rng.integers(0, max(1, int(n_acc * 0.8)), n_acc)
    div = np.where(user >= 0, pop.division[np.maximum(user, 0)], rng.integers(0, len(TOWNS), n_acc))
    address = np.array(
        [
            f"宁波市镇海区{TOWNS[d]}{ROADS[r]}{k}号"
            for d, r, k in zip(
                div.tolist(),
                rng.integers(0, len(ROADS), n_acc).tolist(),
                rng.integers(1, 999, n_acc).tolist(),
                strict=True,
            )
        ],
        dtype=object,
    )

    # ---- monthly kWh ---------------------------------------------------------------------
    monthly = np.repeat(kwh_expected, 12, axis=1) / 12.0  # (entities, months)
    weights = rng.gamma(3.0, 1.0, n_own)
    sums = np.bincount(own_e, weights=weights, minlength=pop.n)
    own_level = monthly[own_e] * ((1 - portion[own_e]) * weights / sums[own_e])[:, None]
    shared_level = np.zeros((n_shared, tl.n_months))
    for i, users in enumerate(shared_users):
        shared_level[i] = (monthly[users] * portion[users][:, None]).sum(axis=0)
    none_level = np.repeat(rng.lognormal(np.log(4_000), 0.8, n_none)[:, None], tl.n_months, 1)
    x_level = monthly[x_user] * 0.2
    level = np.concatenate([own_level, shared_level, none_level, x_level])
    open_mask = tl.covered_months(opened, closed)
    active = np.ones((n_acc, tl.n_months), dtype=bool)
    active[:n_own] = pop.active[own_e]
    active[n_own + n_shared + n_none :] = pop.active[x_user]
    season = np.tile(SEASON, tl.n_years)[None, :]
    noise = rng.lognormal(0.0, 0.12, (n_acc, tl.n_months))
    kwh = np.round(level * season * noise) * (open_mask & active)
    kwh = kwh.astype(np.int64)
    # an open account reads at least something: standby load of lights and pumps
    kwh = np.where(open_mask & (kwh <= 0), rng.integers(5, 80, (n_acc, tl.n_months)), kwh)

    # ---- manual account links (reference data) -----------------------------------------
    rows: list[tuple[int, int, int, int, int, str]] = []
    for i, users in enumerate(shared_users):
        a = n_own + i
        why = (
            "一表多企：房东与承租企业按分表读数分摊"
            if shared_parcel[i] >= 0
            else "一台变压器供多家企业：按合同容量分摊"
        )
        for u, s in zip(users, _shares(rng, len(users), first_low=40), strict=True):
            rows.append((a, int(u), s, -1, -1, why))
    none_start = n_own + n_shared
    for a in range(none_start, none_start + n_none):
        if rng.random() < 0.3:
            rows.append(
                (
                    a,
                    int(rng.integers(0, m)),
                    100,
                    int(rng.choice(tl.years)),
                    -1,
                    "户名为个人或村集体，经核实为企业实际用电",
                )
            )
    for e in rng.choice(m, 2, replace=False).tolist():
        rows.append((-1, int(e), 100, -1, -1, "户号待核实"))
    link = np.array(rows, dtype=object).reshape(-1, 6)
    link_account = link[:, 0].astype(np.int64)
    numbers = identifiers.digit_codes(rng, n_acc + len(link), 10, first_low=3)
    account_no, unknown_no = numbers[:n_acc], numbers[n_acc:]

    # deliver in the register's own order
    inverse = np.empty(n_acc, dtype=np.int64)
    inverse[order] = np.arange(n_acc)
    link_account = np.where(link_account >= 0, inverse[np.maximum(link_account, 0)], -1)
    link_no = np.where(link_account >= 0, account_no[np.maximum(link_account, 0)], unknown_no)
    return Grid(
        account_no=account_no,
        user=user[order],
        holder_code=holder_code[order],
        holder_name=holder_name[order],
        parcel=parcel[order],
        opened=opened[order],
        closed=closed[order],
        transformer=transformer,
        address=address,
        stale_of=stale_of[order],
        kwh=kwh[order],
        link_account=link_account,
        link_account_no=link_no,
        link_entity=link[:, 1].astype(np.int64),
        link_share=link[:, 2].astype(np.int64),
        link_from=link[:, 3].astype(np.int64),
        link_to=link[:, 4].astype(np.int64),
        link_reason=link[:, 5].astype(str),
    )


def electricity_kwh(grid: Grid, land: Land, pop: Population) -> np.ndarray:
    """(entities, years) kWh by rule-pack.md's Electricity linking, on clean data."""
    tl = pop.timeline
    code_index = pop.index_of()
    holder = np.array(
        [code_index.get(c, -1) if c is not None else -1 for c in grid.holder_code.tolist()]
    )
    names = {normalise_name(nm): i for i, nm in enumerate(pop.name[: pop.n_master].tolist())}
    by_name = np.array(
        [
            names.get(normalise_name(nm), -1) if nm is not None else -1
            for nm in grid.holder_name.tolist()
        ]
    )
    parcel_holder = np.where(grid.parcel >= 0, land.holder[np.maximum(grid.parcel, 0)], -1)
    use = others_use(land, pop)
    in_master, dereg = pop.in_master, pop.deregistered
    out = np.zeros((pop.n, tl.n_years))
    for j, year in enumerate(tl.years):

        def ok(e: np.ndarray, j: int = j) -> np.ndarray:
            safe = np.maximum(e, 0)
            return (e >= 0) & in_master[safe, j] & ~dereg[safe, j]

        year_kwh = grid.kwh[:, 12 * j : 12 * j + 12].sum(axis=1).astype(np.float64)
        p = np.maximum(grid.parcel, 0)
        parcel_ok = (grid.parcel >= 0) & (land.valid_from[p] <= tl.year_end(j)) & ~use[p, j]
        target = np.where(
            ok(holder),
            holder,
            np.where(
                parcel_ok & ok(parcel_holder), parcel_holder, np.where(ok(by_name), by_name, -1)
            ),
        )
        in_force = (
            (grid.link_account >= 0)
            & ((grid.link_from < 0) | (grid.link_from <= year))
            & ((grid.link_to < 0) | (grid.link_to >= year))
        )
        linked = np.zeros(grid.n, dtype=bool)
        linked[grid.link_account[in_force]] = True
        auto = (target >= 0) & ~linked
        acc = np.bincount(target[auto], weights=year_kwh[auto], minlength=pop.n)
        rows = np.flatnonzero(in_force & (grid.link_entity >= 0))
        np.add.at(
            acc,
            grid.link_entity[rows],
            year_kwh[grid.link_account[rows]] * grid.link_share[rows] / 100.0,
        )
        out[:, j] = acc
    return out


# ---- the grid feeds -----------------------------------------------------------------------------


def accounts_frame(grid: Grid, land: Land, pop: Population, log: DefectLog, seed: int) -> Frame:
    """`grid.accounts`, with stale deregistered holders, invalid holder codes, cosmetics."""
    rng = stream(seed, "grid.accounts")
    n = grid.n
    cols = {
        "account_no": text.zpad(grid.account_no, 10),
        "holder_name": pa.array(grid.holder_name.tolist(), pa.string()),
        "holder_uscc": pa.array(grid.holder_code.tolist(), pa.string()),
        "parcel_code": text.take(pa.array(land.code.tolist(), pa.string()), grid.parcel),
        "address": pa.array(grid.address.tolist(), pa.string()),
        "transformer_id": text.join("TX", text.zpad(grid.transformer, 8)),
        "opened_on": text.dates(grid.opened),
        "closed_on": text.dates(grid.closed),
        VALID_FROM: text.dates(grid.opened),
        VALID_TO: text.const(None, n),
    }
    frame = Frame(DATASETS["grid.accounts"], cols, grid.user.copy(), -1)

    # the account still names an enterprise that has been deregistered
    rows = np.flatnonzero(grid.stale_of >= 0)
    z = grid.stale_of[rows]
    frame.replace("holder_uscc", rows, pop.uscc[z].tolist())
    frame.replace("holder_name", rows, pop.name[z].tolist())
    log.tag(
        frame,
        rows,
        "account_of_deregistered",
        [
            {"named": pop.uscc[a], "used_by": pop.uscc[b]}
            for a, b in zip(z.tolist(), grid.user[rows].tolist(), strict=True)
        ],
    )
    log.touch(z, -1)

    code_index = pop.index_of()
    own_code = np.array(
        [
            c is not None and code_index.get(c, -1) == u
            for c, u in zip(grid.holder_code.tolist(), grid.user.tolist(), strict=True)
        ]
    )
    linked = np.zeros(n, dtype=bool)
    linked[grid.link_account[grid.link_account >= 0]] = True
    inject_invalid_uscc(log, rng, frame, "holder_uscc", eligible=own_code & ~linked)
    inject_cosmetic(log, rng, frame)
    return frame


def consumption_frame(grid: Grid, pop: Population, log: DefectLog, seed: int, j: int) -> Frame:
    """`grid.consumption` of one year, month by month, in account order."""
    rng = stream(seed, "grid.consumption", pop.timeline.years[j])
    months = np.arange(12 * j, 12 * j + 12)
    open_mask = pop.timeline.covered_months(grid.opened, grid.closed)[:, months]
    m_idx, a_idx = np.nonzero(open_mask.T)  # month-major delivery order
    n = len(a_idx)
    labels = pop.timeline.month_labels()
    kwh = grid.kwh[a_idx, months[m_idx]]
    cols = {
        "account_no": text.zpad(grid.account_no[a_idx], 10),
        "month": text.take(labels, months[m_idx]),
        "kwh": text.integers(kwh),
        "reading": text.const("actual", n),
    }
    frame = Frame(DATASETS["grid.consumption"], cols, grid.user[a_idx], j)
    dataset = "grid.consumption"

    est = pick(rng, np.arange(n), count_for("estimated_reading", dataset, n))
    frame.replace("reading", est, ["estimated"] * len(est))
    log.tag(frame, est, "estimated_reading")

    # the same account-month delivered actual and estimated: actual wins, in either order
    dup = pick(rng, np.flatnonzero(~frame.tainted), count_for("actual_and_estimated", dataset, n))
    extra = frame.take(dup)
    guess = np.maximum(1, np.round(kwh[dup] * rng.uniform(0.7, 1.3, len(dup)))).astype(np.int64)
    extra.columns["kwh"] = text.integers(guess)
    extra.columns["reading"] = text.const("estimated", len(dup))
    frame.tainted[dup] = True
    before = rng.random(len(dup)) < 0.5
    position = np.concatenate([np.arange(n, dtype=np.float64), dup + np.where(before, -0.5, 0.5)])
    combined = frame.concat(extra)
    order = np.argsort(position, kind="stable")
    frame = combined.take(order)
    new_pos = np.empty(len(order), dtype=np.int64)
    new_pos[order] = np.arange(len(order))
    log.tag(
        frame,
        new_pos[n:],
        "actual_and_estimated",
        [
            {"actual_kwh": str(k), "order": "estimated first" if b else "actual first"}
            for k, b in zip(kwh[dup].tolist(), before.tolist(), strict=True)
        ],
    )
    inject_cosmetic(log, rng, frame)
    return frame
