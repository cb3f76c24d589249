"""The evaluation office's own files: links, honour lists, research land, objections.

Written as UTF-8 CSV with a header under DIR/reference/ (docs/reference-data.md
is the format). Every row says who changed it and why, as the office's files
under version control do. A few rows on purpose name an enterprise, parcel or
account no feed delivers, so reconciliation has something to report.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mujun.simulate import identifiers
from mujun.simulate.enterprises import Population
from mujun.simulate.grid import Grid
from mujun.simulate.land import Land
from mujun.simulate.layout import reference_dir
from mujun.simulate.rng import pick, stream
from mujun.simulate.writer import write_csv

LISTS = {
    # list id: (share of above-scale, share of below-scale, why an enterprise is on it)
    "green_factory": (0.03, 0.0, "省级绿色工厂名单"),
    "specialised": (0.06, 0.01, "专精特新中小企业认定"),
    "research_platform": (0.015, 0.0, "省级企业研究院/研发平台认定，按办法免评"),
    "industry_leader": (0.01, 0.0, "细分行业龙头企业认定"),
}
OBJECTION_FIGURES = (
    "land_area_mu",
    "revenue_wan",
    "tax_restored_wan",
    "electricity_kwh",
    "employees_avg",
)
# who keeps each file: the office itself, or the bureau whose data a row corrects
STAFF = {
    "land": ("王芳（县自然资源局）", "李强（县亩均办）"),
    "grid": ("陈静（县供电公司）", "李强（县亩均办）"),
    "lists": ("赵敏（县经信局）", "李强（县亩均办）"),
    "research": ("孙磊（县科技局）",),
    "objections": ("李强（县亩均办）", "张伟（县税务局）", "刘洋（县统计局）"),
}
EVIDENCE = {
    "land_area_mu": "不动产权证书及宗地图复核",
    "revenue_wan": "经审计的年度财务报表",
    "tax_restored_wan": "税务局出具的完税证明及退税明细",
    "electricity_kwh": "供电公司分表抄见电量确认单",
    "employees_avg": "社保缴纳人数清单",
}


def _year(value: int) -> str | None:
    return None if value < 0 else str(value)


def _share(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def write_reference(
    root: Path,
    seed: int,
    pop: Population,
    land: Land,
    grid: Grid,
    truth: dict[str, np.ndarray],
    revenue_k: np.ndarray,
    employees: np.ndarray,
) -> dict[str, int]:
    """Write every reference file; returns rows per file (relative path)."""
    rng = stream(seed, "reference")
    ref = reference_dir(root)
    counts: dict[str, int] = {}

    def staff(k: int, who: str) -> list[str]:
        pool = STAFF[who]
        return [pool[i] for i in rng.integers(0, len(pool), k).tolist()]

    unknown = identifiers.uscc_batch(rng, "91330211", 8, set(pop.uscc.tolist()))

    rows = zip(
        land.link_code.tolist(),
        pop.uscc[land.link_entity].tolist(),
        [_share(s) for s in land.link_share.tolist()],
        [_year(y) for y in land.link_from.tolist()],
        [_year(y) for y in land.link_to.tolist()],
        staff(len(land.link_code), "land"),
        land.link_reason.tolist(),
        strict=True,
    )
    counts["enterprise_parcel_links.csv"] = write_csv(
        ref / "enterprise_parcel_links.csv",
        ("parcel_code", "uscc", "share", "year_from", "year_to", "changed_by", "reason"),
        rows,
    )

    rows = zip(
        [f"{a:010d}" for a in grid.link_account_no.tolist()],
        pop.uscc[grid.link_entity].tolist(),
        [_share(s) for s in grid.link_share.tolist()],
        [_year(y) for y in grid.link_from.tolist()],
        [_year(y) for y in grid.link_to.tolist()],
        staff(len(grid.link_entity), "grid"),
        grid.link_reason.tolist(),
        strict=True,
    )
    counts["account_links.csv"] = write_csv(
        ref / "account_links.csv",
        ("account_no", "uscc", "share", "year_from", "year_to", "changed_by", "reason"),
        rows,
    )

    tl = pop.timeline
    m = pop.n_master
    big = pop.above[:m].any(axis=1)
    for i, (list_id, (p_above, p_below, why)) in enumerate(LISTS.items()):
        members = np.sort(
            np.concatenate(
                [
                    pick(rng, np.flatnonzero(big), max(1, int(round(p_above * big.sum())))),
                    pick(rng, np.flatnonzero(~big), int(round(p_below * (~big).sum()))),
                ]
            )
        )
        since = rng.choice([tl.years[0] - 2, tl.years[0] - 1, *tl.years], len(members))
        until = np.where(
            rng.random(len(members)) < 0.15,
            np.minimum(since + rng.integers(1, 3, len(members)), tl.years[-1]),
            -1,
        )
        entries = [
            (pop.uscc[e], str(a), _year(b), who, why)
            for e, a, b, who in zip(
                members.tolist(),
                since.tolist(),
                until.tolist(),
                staff(len(members), "lists"),
                strict=True,
            )
        ]
        if i < 2:
            entries.append((unknown[i], str(tl.years[0]), None, staff(1, "lists")[0], why))
        counts[f"lists/{list_id}.csv"] = write_csv(
            ref / "lists" / f"{list_id}.csv",
            ("uscc", "year_from", "year_to", "changed_by", "reason"),
            entries,
        )

    rows = [
        (
            c,
            f"{a / 100:.2f}",
            pop.uscc[e] if e >= 0 else unknown[2],
            who,
            "研发中试用地，经科技局认定",
        )
        for c, a, e, who in zip(
            land.research_code.tolist(),
            land.research_area_c.tolist(),
            land.research_entity.tolist(),
            staff(len(land.research_code), "research"),
            strict=True,
        )
    ]
    counts["research_land.csv"] = write_csv(
        ref / "research_land.csv", ("parcel_code", "area_m2", "uscc", "changed_by", "reason"), rows
    )

    # objections: the original value is the truth's (or the statistics') figure
    in_master = pop.in_master[:m]
    e_obj = pick(rng, np.arange(m), max(3, int(round(0.005 * m))))
    entries = []
    for e in e_obj.tolist():
        years = np.flatnonzero(in_master[e])
        if len(years) == 0:
            continue
        j = int(rng.choice(years))
        figure = OBJECTION_FIGURES[int(rng.integers(0, len(OBJECTION_FIGURES)))]
        if figure == "revenue_wan":
            original = revenue_k[e, j] / 10.0
        elif figure == "employees_avg":
            original = float(employees[e, j])
        else:
            original = float(truth[figure][e, j])
        corrected = original * rng.uniform(1.05, 1.4) if original > 0 else rng.uniform(1, 50)
        digits = 0 if figure in ("employees_avg", "electricity_kwh") else 4
        approved = np.datetime64(f"{tl.years[j] + 1}-03-01") + int(rng.integers(0, 60))
        who = staff(1, "objections")[0]
        entries.append(
            (
                pop.uscc[e],
                str(tl.years[j]),
                figure,
                f"{original:.{digits}f}",
                f"{corrected:.{digits}f}",
                "县亩均论英雄改革领导小组办公室",
                str(approved),
                EVIDENCE[figure],
                who,
                "企业异议，经核实予以更正",
            )
        )
    entries.append(
        (
            unknown[3],
            str(tl.years[-1]),
            "land_area_mu",
            "12.0000",
            "15.0000",
            "县亩均论英雄改革领导小组办公室",
            f"{tl.years[-1] + 1}-03-15",
            EVIDENCE["land_area_mu"],
            staff(1, "objections")[0],
            "企业异议，经核实予以更正",
        )
    )
    counts["objections.csv"] = write_csv(
        ref / "objections.csv",
        (
            "uscc",
            "year",
            "figure",
            "original_value",
            "corrected_value",
            "approved_by",
            "approved_on",
            "evidence",
            "changed_by",
            "reason",
        ),
        entries,
    )
    return counts
