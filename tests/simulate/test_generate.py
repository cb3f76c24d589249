"""The generator: byte-stable output, the feed contract's shape, defects at their rates,
and a truth that an independent reading of the feed files reproduces.

The independent reading (`_recompute`) is written from feeds.md and rule-pack.md
alone, in plain Python over the files, so it shares no code with the generator.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mujun.codes import (
    is_valid_account_no,
    is_valid_parcel_code,
    is_valid_uscc,
    normalise_code,
    normalise_name,
)
from mujun.datasets import DATASETS
from mujun.periods import Period
from mujun.simulate import layout
from mujun.simulate.defects import COSMETIC_FIELDS, DEFECT_RATES
from mujun.simulate.generate import simulate

SCALE = 2000
YEARS = (2022, 2023, 2024)
USCC_FIELDS = {"uscc", "holder_uscc", "lessor_uscc", "lessee_uscc", "user_uscc", "group_uscc"}
CODE_FIELDS = USCC_FIELDS | {"parcel_code", "attached_to", "account_no"}
DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("county")
    simulate(out, seed=7, scale=SCALE, years=YEARS)
    return out


@pytest.fixture(scope="module")
def feeds(county) -> dict[str, list[dict]]:
    return {
        name: pq.read_table(layout.feed_path(county, ds)).to_pylist()
        for name, ds in DATASETS.items()
    }


@pytest.fixture(scope="module")
def defects(county) -> list[dict]:
    return pq.read_table(layout.truth_path(county, "defects")).to_pylist()


@pytest.fixture(scope="module")
def meta(county) -> dict:
    return json.loads((county / layout.SIMULATION_FILE).read_text(encoding="utf-8"))


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# ---- determinism ------------------------------------------------------------------------


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path):
    first = simulate(tmp_path / "a", seed=3, scale=300, years=(2023, 2024))
    simulate(tmp_path / "b", seed=3, scale=300, years=(2023, 2024))
    simulate(tmp_path / "c", seed=4, scale=300, years=(2023, 2024))
    a, b, c = (_digests(tmp_path / x) for x in "abc")
    assert a == b
    assert len(a) > 20
    assert set(a) == set(c)
    differing = [k for k in a if a[k] != c[k]]
    assert len(differing) >= len(a) - 2, "another seed should change (almost) every file"
    assert first.counts["tax.payments"] > 0


def test_running_again_into_the_same_folder_replaces_the_county(tmp_path):
    simulate(tmp_path, seed=1, scale=200, years=(2022, 2023, 2024))
    simulate(tmp_path, seed=1, scale=200, years=(2024,))
    meta = json.loads((tmp_path / layout.SIMULATION_FILE).read_text())
    assert meta["years"] == [2024]
    months = {
        r["month"][:4]
        for r in pq.read_table(layout.feed_path(tmp_path, DATASETS["tax.payments"])).to_pylist()
    }
    assert months == {"2024"}


# ---- the contract's shape ---------------------------------------------------------------


def test_every_feed_has_exactly_the_contract_columns_all_strings(county):
    for name, dataset in DATASETS.items():
        schema = pq.read_schema(layout.feed_path(county, dataset))
        expected = list(dataset.fields)
        if dataset.grain == "register":
            expected += [layout.VALID_FROM, layout.VALID_TO]
        assert schema.names == expected, name
        assert all(str(t) == "string" for t in schema.types), name


def test_registers_hold_non_overlapping_versions_per_key(feeds):
    for name, dataset in DATASETS.items():
        if dataset.grain != "register":
            continue
        versions = defaultdict(list)
        for row in feeds[name]:
            key = tuple(normalise_code(row[k]) for k in dataset.key)
            versions[key].append((row[layout.VALID_FROM], row[layout.VALID_TO]))
        for key, spans in versions.items():
            spans.sort(key=lambda s: s[0] or "")
            for (_start, end), (nxt, _) in zip(spans, spans[1:], strict=False):
                assert end is not None and end < nxt, (name, key, spans)
            for start, end in spans:
                assert end is None or start is None or start <= end, (name, key)


def test_values_are_plain_strings_of_the_right_form(feeds, defects):
    bad_values = {json.loads(d["key"])["voucher_id"] for d in defects if d["defect"] == "bad_value"}
    units = {"m3", "t", "kg", "GJ"}
    for row in feeds["tax.payments"]:
        assert re.fullmatch(r"[0-9]{4}-[0-9]{2}", row["month"])
        assert DECIMAL.match(row["amount_yuan"] or "") or row["voucher_id"] in bad_values
    for row in feeds["stats.energy_use"]:
        assert DECIMAL.match(row["quantity"])
        assert row["unit"] in units or row["unit"] == "bbl"
    for row in feeds["tax.taxpayers"]:
        assert row["high_tech"] in ("0", "1") and row["status"] in ("normal", "deregistered")
    kinds = {r["kind"] for r in feeds["tax.reliefs"]}
    assert kinds == {
        "VAT_CREDIT_REFUND",
        "EXPORT_REBATE",
        "CT_REFUND",
        "DEFERRAL",
        "PRE_COLLECTION_EXEMPTION",
        "POLICY_RELIEF",
    }
    subkinds = {(r["kind"], r["subkind"]) for r in feeds["tax.reliefs"]}
    assert {s for k, s in subkinds if k == "POLICY_RELIEF"} == {
        "RESOURCE_REUSE",
        "DISABLED_EMPLOYMENT",
        "OTHER",
    }
    assert all(s is None for k, s in subkinds if k != "POLICY_RELIEF")
    assert {r["tax_type"] for r in feeds["tax.payments"]} == {
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
    }


def test_the_county_looks_like_one(feeds):
    firms = {}
    for row in feeds["stats.enterprises"]:
        firms[normalise_code(row["uscc"])] = row  # the latest version wins
    assert len(firms) == SCALE
    above = sum(r["above_scale"] == "1" for r in firms.values())
    assert 3 <= (len(firms) - above) / above <= 5
    majors = Counter(r["industry_code"][:2] for r in firms.values())
    petro = sum(majors[m] for m in ("25", "26", "27", "28")) / len(firms)
    assert 0.06 <= petro <= 0.15
    assert sum(majors[m] for m in ("44", "45", "46")) > 0
    assert len({r["division_code"] for r in firms.values()}) == 8
    assert all(re.fullmatch(r"[0-9]{9}", r["division_code"]) for r in firms.values())
    assert 0.05 <= sum(r["group_uscc"] is not None for r in firms.values()) / len(firms) <= 0.15
    parcels = {normalise_code(r["parcel_code"]) for r in feeds["land.parcels"]}
    assert 2 <= SCALE / len(parcels) <= 5
    accounts = {normalise_code(r["account_no"]) for r in feeds["grid.accounts"]}
    assert 1 <= len(accounts) / SCALE <= 3
    kinds = Counter(r["kind"] for r in feeds["land.parcels"])
    assert set(kinds) == {"registered", "de_facto", "attached"}
    uses = Counter(r["land_use"] for r in feeds["land.parcels"])
    assert uses["0601"] > len(parcels) / 2 and uses["0603"] > 0
    assert any(r["lessee_uscc"] is None for r in feeds["land.leases"])
    statuses = Counter(r["status"] for r in feeds["tax.taxpayers"])
    assert statuses["deregistered"] > 0
    assert {r["reading"] for r in feeds["grid.consumption"]} == {"actual", "estimated"}
    assert {r["basis"] for r in feeds["env.emissions"]} == {"permit_report", "monitoring"}


def test_parcel_outlines_are_polygons_near_zhenhai_that_do_not_overlap(feeds, defects):
    in_mu = {json.loads(d["key"])["parcel_code"] for d in defects if d["defect"] == "area_in_mu"}
    boxes = []
    for row in feeds["land.parcels"]:
        if row["geometry"] is None:
            continue
        shape = json.loads(row["geometry"])
        assert shape["type"] == "Polygon"
        ring = shape["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) == 5
        lons = [p[0] for p in ring]
        lats = [p[1] for p in ring]
        assert 121.4 < min(lons) < max(lons) < 122.0 and 29.8 < min(lats) < max(lats) < 30.3
        if normalise_code(row["parcel_code"]) not in in_mu:
            width = (max(lons) - min(lons)) * 111_320 * 0.8667
            height = (max(lats) - min(lats)) * 110_574
            assert width * height == pytest.approx(float(row["area_m2"]), rel=0.01, abs=20)
        boxes.append((min(lons), min(lats), max(lons), max(lats)))
    boxes.sort()
    for i, (_x0, y0, x1, y1) in enumerate(boxes):
        for a0, b0, _a1, b1 in boxes[i + 1 :]:
            if a0 >= x1:
                break
            assert not (b0 < y1 and y0 < b1), "parcels overlap"


def test_quarterly_figures_are_year_to_date_and_end_at_the_annual(feeds):
    annual = {(normalise_code(r["uscc"]), r["year"]): r for r in feeds["stats.annual"]}
    runs = defaultdict(list)
    for r in feeds["stats.quarterly"]:
        runs[(normalise_code(r["uscc"]), r["quarter"][:4])].append(r)
    checked = 0
    for key, rows in runs.items():
        rows.sort(key=lambda r: r["quarter"])
        values = [Decimal(r["output_k_ytd"]) for r in rows]
        assert values == sorted(values)
        if key in annual:
            assert rows[-1]["output_k_ytd"] == annual[key]["output_k"]
            assert rows[-1]["revenue_k_ytd"] == annual[key]["revenue_k"]
            checked += 1
    assert checked > SCALE


# ---- codes and defects -----------------------------------------------------------------


def test_codes_are_valid_after_normalisation_unless_tagged_invalid(feeds, defects):
    invalid = Counter(
        (d["dataset"], json.loads(d["detail"])["field"])
        for d in defects
        if d["defect"] == "invalid_uscc"
    )
    found = Counter()
    for name, rows in feeds.items():
        for row in rows:
            for field in CODE_FIELDS & row.keys():
                code = normalise_code(row[field])
                if code is None:
                    continue
                if field in USCC_FIELDS:
                    found[(name, field)] += not is_valid_uscc(code)
                elif field == "account_no":
                    assert is_valid_account_no(code), (name, row)
                else:
                    assert is_valid_parcel_code(code), (name, row)
    assert +found == invalid
    assert sum(invalid.values()) > 0


def test_cosmetic_codes_are_exactly_the_tagged_ones_and_normalise_back(feeds, defects):
    tagged = Counter(
        (d["dataset"], json.loads(d["detail"])["field"])
        for d in defects
        if d["defect"] == "cosmetic_code"
    )
    found = Counter()
    variants = Counter()
    for name, rows in feeds.items():
        for row in rows:
            for field in CODE_FIELDS & row.keys():
                raw = row[field]
                if raw is not None and raw != normalise_code(raw):
                    found[(name, field)] += 1
                    variants[
                        "fullwidth"
                        if any(ord(c) > 0xFF00 for c in raw)
                        else "padded"
                        if raw != raw.strip()
                        else "lowercase"
                    ] += 1
    assert +found == tagged
    assert set(variants) == {"fullwidth", "padded", "lowercase"}
    for d in defects:
        if d["defect"] == "cosmetic_code":
            detail = json.loads(d["detail"])
            assert d["touches_truth"] is False
            assert normalise_code(detail["code"]) == detail["code"]


def _population(name: str, defect: str, feeds, county, meta) -> int:
    if defect.startswith("redelivery_"):
        redelivery = next(r for r in meta["redeliveries"] if r["dataset"] == name)
        return pq.read_metadata(county / redelivery["path"]).num_rows
    return len(feeds[name])


def test_defects_are_injected_at_the_documented_rates(feeds, defects, county, meta):
    assert meta["defect_rates"] == DEFECT_RATES
    counts = Counter((d["defect"], d["dataset"]) for d in defects)
    for defect, per_dataset in DEFECT_RATES.items():
        for name, rate in per_dataset.items():
            fields = len(COSMETIC_FIELDS[name]) if defect == "cosmetic_code" else 1
            expected = rate * _population(name, defect, feeds, county, meta) * fields
            got = counts[(defect, name)]
            assert abs(got - expected) <= max(len(YEARS) + 2, 0.15 * expected), (
                defect,
                name,
                got,
                expected,
            )
            if expected >= 1:
                assert got > 0, (defect, name)
    recorded = {k: dict(v) for k, v in meta["defect_counts"].items()}
    assert recorded == {
        d: {n: c for (dd, n), c in sorted(counts.items()) if dd == d}
        for d in sorted({d for d, _ in counts})
    }


def test_duplicates_and_double_readings_are_what_the_contract_undoes(feeds, defects):
    vouchers = Counter(r["voucher_id"] for r in feeds["tax.payments"])
    repeated = {v for v, c in vouchers.items() if c > 1}
    tagged = {
        json.loads(d["key"])["voucher_id"]
        for d in defects
        if d["defect"] == "duplicate_voucher" and d["year"] != YEARS[-1]
    }
    assert repeated >= tagged and tagged
    readings = defaultdict(list)
    for r in feeds["grid.consumption"]:
        readings[(normalise_code(r["account_no"]), r["month"])].append(r["reading"])
    doubled = {k for k, v in readings.items() if len(v) > 1}
    assert all(sorted(readings[k]) == ["actual", "estimated"] for k in doubled)
    assert len(doubled) == sum(d["defect"] == "actual_and_estimated" for d in defects)


def test_the_redelivery_corrects_adds_and_withdraws_what_is_tagged(county, feeds, defects, meta):
    (entry,) = meta["redeliveries"]
    period = Period.parse(entry["period"])
    dataset = DATASETS[entry["dataset"]]
    assert entry["path"] == layout.redelivery_path(Path(), dataset, period).as_posix()
    first_time = layout.base_delivery_time(dataset.source, period)
    assert datetime.strptime(entry["delivered_at"], "%Y%m%dT%H%M") > first_time
    later = {r["voucher_id"]: r for r in pq.read_table(county / entry["path"]).to_pylist()}
    first = {
        r["voucher_id"]: r for r in feeds["tax.payments"] if r["month"].startswith(entry["period"])
    }
    assert all(r["month"].startswith(entry["period"]) for r in later.values())
    tags = defaultdict(set)
    for d in defects:
        if d["defect"].startswith("redelivery_"):
            tags[d["defect"]].add(json.loads(d["key"])["voucher_id"])
    assert set(later) - set(first) == tags["redelivery_added"]
    assert set(first) - set(later) == tags["redelivery_withdrawn"]
    changed = {
        v for v in set(first) & set(later) if first[v]["amount_yuan"] != later[v]["amount_yuan"]
    }
    assert changed == tags["redelivery_corrected"]


# ---- reference files -----------------------------------------------------------------


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_reference_files_carry_who_and_why_and_some_match_nothing(county, feeds):
    ref = layout.reference_dir(county)
    files = sorted(p.relative_to(ref).as_posix() for p in ref.rglob("*.csv"))
    assert files == [
        "account_links.csv",
        "enterprise_parcel_links.csv",
        "lists/green_factory.csv",
        "lists/industry_leader.csv",
        "lists/research_platform.csv",
        "lists/specialised.csv",
        "objections.csv",
        "research_land.csv",
    ]
    firms = {normalise_code(r["uscc"]) for r in feeds["stats.enterprises"]}
    parcels = {normalise_code(r["parcel_code"]) for r in feeds["land.parcels"]}
    accounts = {normalise_code(r["account_no"]) for r in feeds["grid.accounts"]}
    for name in files:
        rows = _csv(ref / name)
        assert rows, name
        assert all(r["changed_by"] and r["reason"] for r in rows), name
    links = _csv(ref / "account_links.csv")
    assert any(r["account_no"] not in accounts for r in links)
    shares = defaultdict(Decimal)
    for r in links:
        if r["account_no"] in accounts:
            shares[r["account_no"]] += Decimal(r["share"])
    assert set(shares.values()) == {Decimal("1.00")}
    plinks = _csv(ref / "enterprise_parcel_links.csv")
    assert any(r["parcel_code"] not in parcels for r in plinks)
    assert any(r["uscc"] not in firms for r in _csv(ref / "lists/green_factory.csv"))
    objections = _csv(ref / "objections.csv")
    assert {r["figure"] for r in objections} <= {
        "land_area_mu",
        "revenue_wan",
        "tax_restored_wan",
        "electricity_kwh",
        "employees_avg",
    }
    assert any(r["uscc"] not in firms for r in objections)


# ---- the truth ---------------------------------------------------------------------------


def test_truth_has_one_row_per_enterprise_and_year(county, feeds):
    truth = pq.read_table(layout.truth_path(county, "enterprise_year"))
    assert truth.column_names == [
        "uscc",
        "year",
        "land_area_mu",
        "tax_paid_wan",
        "tax_restored_wan",
        "electricity_kwh",
        "energy_tce",
        "emissions_t",
        "defect_touched",
    ]
    rows = truth.to_pylist()
    assert len({(r["uscc"], r["year"]) for r in rows}) == len(rows)
    assert {r["year"] for r in rows} == set(YEARS)
    touched = sum(r["defect_touched"] for r in rows) / len(rows)
    assert 0.01 < touched < 0.25
    assert all(is_valid_uscc(r["uscc"]) for r in rows)


def test_a_restored_tax_recomputed_by_hand_from_the_feed_files(county, meta):
    """Restored tax of untouched enterprise-years, from the files with pyarrow alone."""
    truth = pq.read_table(layout.truth_path(county, "enterprise_year")).to_pylist()
    last = YEARS[-1]
    redelivered = county / meta["redeliveries"][0]["path"]
    taxpayers = pq.read_table(layout.feed_path(county, DATASETS["tax.taxpayers"])).to_pylist()
    high_tech = {}
    for r in taxpayers:  # as of 31 December of `last`
        if r["_valid_from"] <= f"{last}-12-31" and (r["_valid_to"] or "9999") >= f"{last}-12-31":
            high_tech[normalise_code(r["uscc"])] = (
                r["high_tech"] == "1" and r["high_tech_valid_to"] >= f"{last}-01-01"
            )
    payments = pq.read_table(redelivered).to_pylist()
    reliefs = pq.read_table(layout.feed_path(county, DATASETS["tax.reliefs"])).to_pylist()
    paid, cit, relief = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
    seen = set()
    for r in payments:
        if r["voucher_id"] in seen:
            continue
        seen.add(r["voucher_id"])
        if DECIMAL.match(r["amount_yuan"] or ""):
            paid[normalise_code(r["uscc"])] += Decimal(r["amount_yuan"])
            if r["tax_type"] == "CIT":
                cit[normalise_code(r["uscc"])] += Decimal(r["amount_yuan"])
    for r in reliefs:
        if r["month"].startswith(str(last)):
            relief[normalise_code(r["uscc"])] += Decimal(r["amount_yuan"])
    chosen = [
        t
        for t in truth
        if t["year"] == last
        and not t["defect_touched"]
        and high_tech.get(t["uscc"])
        and cit[t["uscc"]] > 0
        and relief[t["uscc"]] > 0
    ][:5]
    assert len(chosen) >= 2
    for t in chosen:
        u = t["uscc"]
        expected = (paid[u] + relief[u] + cit[u] * (Decimal("0.25") / Decimal("0.15") - 1)) / 10000
        assert t["tax_restored_wan"] == pytest.approx(float(expected), rel=1e-12)
        assert t["tax_paid_wan"] == pytest.approx(float(paid[u] / 10000), rel=1e-12)


def test_every_untouched_figure_matches_an_independent_reading(county):
    truth = pq.read_table(layout.truth_path(county, "enterprise_year")).to_pylist()
    got = _recompute(county)
    mismatches = defaultdict(list)
    for row in truth:
        if row["defect_touched"]:
            continue
        mine = got[(row["uscc"], row["year"])]
        for figure, value in mine.items():
            if abs(value - row[figure]) > 1e-6 * max(1.0, abs(value)):
                mismatches[figure].append((row["uscc"], row["year"], row[figure], value))
    assert not mismatches, {k: v[:3] for k, v in mismatches.items()}
    assert sum(1 for r in truth if r["land_area_mu"] > 0) > SCALE / 5


# ---- an independent reading of feeds.md and rule-pack.md ----------------------------------

_INDUSTRIAL = {"0601", "0602", "0604"}
_KGCE = {
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


def _read(path: Path) -> list[dict]:
    rows = pq.read_table(path).to_pylist()
    for row in rows:
        for field in CODE_FIELDS & row.keys():
            row[field] = normalise_code(row[field])
    return rows


def _as_of(rows: list[dict], day: str) -> list[dict]:
    return [
        r
        for r in rows
        if (r["_valid_from"] or "") <= day and (r["_valid_to"] is None or r["_valid_to"] >= day)
    ]


def _first_per_key(rows: list[dict], key: tuple[str, ...]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        k = tuple(row[f] for f in key)
        if k not in seen:
            seen.add(k)
            out.append(row)
    return out


def _in_force(row: dict, year: int) -> bool:
    return (not row["year_from"] or int(row["year_from"]) <= year) and (
        not row["year_to"] or int(row["year_to"]) >= year
    )


def _recompute(root: Path) -> dict[tuple[str, int], dict[str, float]]:
    meta = json.loads((root / layout.SIMULATION_FILE).read_text(encoding="utf-8"))
    data = {name: _read(layout.feed_path(root, ds)) for name, ds in DATASETS.items()}
    later = {(r["dataset"], r["period"]): _read(root / r["path"]) for r in meta["redeliveries"]}
    ref = layout.reference_dir(root)
    plinks = _csv(ref / "enterprise_parcel_links.csv")
    alinks = _csv(ref / "account_links.csv")
    out = {}
    for year in meta["years"]:
        start, end, ys = f"{year}-01-01", f"{year}-12-31", str(year)
        master = {
            r["uscc"]: r for r in _as_of(data["stats.enterprises"], end) if is_valid_uscc(r["uscc"])
        }
        taxpayers = {r["uscc"]: r for r in _as_of(data["tax.taxpayers"], end)}
        deregistered = {u for u, r in taxpayers.items() if r["status"] == "deregistered"}

        # restored tax
        pays = later.get(("tax.payments", ys)) or [
            r for r in data["tax.payments"] if r["month"].startswith(ys)
        ]
        paid, cit, relief = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
        for r in _first_per_key(pays, ("voucher_id",)):
            if is_valid_uscc(r["uscc"]) and DECIMAL.match(r["amount_yuan"] or ""):
                paid[r["uscc"]] += Decimal(r["amount_yuan"])
                if r["tax_type"] == "CIT":
                    cit[r["uscc"]] += Decimal(r["amount_yuan"])
        for r in _first_per_key(
            [r for r in data["tax.reliefs"] if r["month"].startswith(ys)], ("relief_id",)
        ):
            if is_valid_uscc(r["uscc"]) and DECIMAL.match(r["amount_yuan"] or ""):
                relief[r["uscc"]] += Decimal(r["amount_yuan"])

        # land
        parcels = {r["parcel_code"]: r for r in _as_of(data["land.parcels"], end)}
        area = {
            c: Decimal(r["area_m2"]) for c, r in parcels.items() if r["land_use"] in _INDUSTRIAL
        }
        links = [r for r in plinks if _in_force(r, year)]
        linked = {r["parcel_code"] for r in links if r["parcel_code"] in area}
        land = defaultdict(Decimal)
        for c, r in parcels.items():
            if r["kind"] == "registered" and c in area and c not in linked and r["holder_uscc"]:
                land[r["holder_uscc"]] += area[c]
        leases = [
            r
            for r in _as_of(data["land.leases"], end)
            if r["start_date"] <= end
            and r["end_date"] >= start
            and r["parcel_code"] in area
            and r["parcel_code"] not in linked
        ]
        by_parcel = defaultdict(list)
        for r in sorted(leases, key=lambda r: (r["start_date"], r["lease_id"])):
            by_parcel[r["parcel_code"]].append(r)
        for c, rows in by_parcel.items():
            merged, lessor = {}, {}
            for r in rows:
                size = Decimal(r["leased_land_m2"])
                trial = {**merged, r["lessee_uscc"]: max(merged.get(r["lessee_uscc"], 0), size)}
                if size > area[c] or sum(trial.values()) > area[c]:
                    continue  # lease_exceeds_parcel
                merged = trial
                lessor[r["lessee_uscc"]] = r["lessor_uscc"]
            for lessee, size in merged.items():
                if lessee:
                    land[lessee] += size
                if lessor[lessee]:
                    land[lessor[lessee]] -= size
        latest = {}
        for r in _as_of(data["land.surveys"], end):
            c = r["parcel_code"]
            if (
                r["surveyed_on"] <= end
                and c in area
                and c not in linked
                and parcels[c]["kind"] != "registered"
            ):
                k = (c, r["user_uscc"])
                if k not in latest or latest[k]["surveyed_on"] < r["surveyed_on"]:
                    latest[k] = r
        for (_, user), r in latest.items():
            land[user] += Decimal(r["occupied_m2"])
        for r in links:
            if r["parcel_code"] in area:
                land[r["uscc"]] += Decimal(r["share"]) * area[r["parcel_code"]]

        # electricity
        ok = set(master) - deregistered
        by_name = defaultdict(list)
        for u, r in master.items():
            by_name[normalise_name(r["name"])].append(u)
        users = defaultdict(set)
        for r in leases:
            users[r["parcel_code"]].add(r["lessee_uscc"])
        for c, user in latest:
            users[c].add(user)
        for r in links:
            users[r["parcel_code"]].add(r["uscc"])
        best = {}
        for r in data["grid.consumption"]:
            k = (r["account_no"], r["month"])
            if r["month"].startswith(ys) and (
                k not in best or (best[k]["reading"] == "estimated" and r["reading"] == "actual")
            ):
                best[k] = r
        kwh = defaultdict(float)
        for (account, _), r in best.items():
            kwh[account] += float(r["kwh"])
        shared = defaultdict(list)
        for r in alinks:
            if _in_force(r, year):
                shared[r["account_no"]].append(r)
        electricity = defaultdict(float)
        for r in _as_of(data["grid.accounts"], end):
            account = r["account_no"]
            if account in shared:
                for link in shared[account]:
                    electricity[link["uscc"]] += kwh[account] * float(link["share"])
                continue
            parcel = parcels.get(r["parcel_code"])
            names = (
                [u for u in by_name.get(normalise_name(r["holder_name"]), []) if u in ok]
                if r["holder_name"]
                else []
            )
            if r["holder_uscc"] in ok:
                electricity[r["holder_uscc"]] += kwh[account]
            elif (
                parcel
                and parcel["holder_uscc"] in ok
                and not users[r["parcel_code"]] - {parcel["holder_uscc"]}
            ):
                electricity[parcel["holder_uscc"]] += kwh[account]
            elif len(names) == 1:
                electricity[names[0]] += kwh[account]

        # energy and emissions
        kgce = defaultdict(float)
        for r in _first_per_key(
            [r for r in data["stats.energy_use"] if r["year"] == ys],
            ("uscc", "year", "carrier", "unit"),
        ):
            if not is_valid_uscc(r["uscc"]) or r["carrier"] not in _KGCE:
                continue
            unit, coefficient = _KGCE[r["carrier"]]
            factor = {(unit, unit): 1.0, ("t", "kg"): 1000.0, ("kg", "t"): 0.001}.get(
                (r["unit"], unit)
            )
            if factor is not None:
                kgce[r["uscc"]] += float(r["quantity"]) * factor * coefficient
        tonnes = {}
        for r in data["env.emissions"]:
            if r["year"] == ys and is_valid_uscc(r["uscc"]):
                k = (r["uscc"], r["pollutant"])
                if k not in tonnes or r["basis"] == "monitoring":
                    tonnes[k] = float(r["tonnes"])
        emissions = defaultdict(float)
        for (u, _), t in tonnes.items():
            emissions[u] += t

        for u in master:
            t = taxpayers.get(u)
            high_tech = (
                t is not None
                and t["high_tech"] == "1"
                and t["high_tech_valid_from"] <= end
                and t["high_tech_valid_to"] >= start
            )
            restored = paid[u] + relief[u] + (cit[u] * 2 / 3 if high_tech else 0)
            out[(u, year)] = {
                "land_area_mu": float(land[u] * 15 / 10000),
                "tax_paid_wan": float(paid[u] / 10000),
                "tax_restored_wan": float(restored / 10000),
                "electricity_kwh": electricity[u],
                "energy_tce": (electricity[u] * 0.1229 + kgce[u]) / 1000,
                "emissions_t": emissions[u],
            }
    return out
