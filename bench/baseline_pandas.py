"""The zhenhai-2024 evaluation in plain pandas, written the way an analyst would.

This is the benchmark's baseline, not the product: one readable script that reads
the same landed Parquet (`$MUJUN_HOME/landing/...`, the latest complete snapshot of
each dataset for the year) and the same reference CSVs as the pipeline, and grades
the enterprises the way `dbt_project/` and docs/contract/rule-pack.md say. The
structure of the zhenhai-2024 method (two pools by the above-scale flag, ratio
scoring with no cap, percentile bands, no grade rules) is written into the code; its
numbers (weights, benchmarks, bands, energy coefficients, restored relief kinds,
exempt lists, scope thresholds) are read from the pack's YAML.

    python -m bench.baseline_pandas --home HOME --reference DIR [--year 2024] [--out grades.csv]

`evaluate(home, reference, pack_path, year)` returns a DataFrame with one row per
enterprise of the statistics register: uscc, pool, evaluated, exclusion_reason,
score_total, rank_in_pool, grade (null when not evaluated).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
PACK = REPO / "dbt_project" / "rule_packs" / "zhenhai-2024.yml"
M2_TO_MU = 0.0015  # 1 mu = 10000/15 m²
# Land and money are summed as integers (1e-8 m², fen), because they are sums with
# subtractions (land let out, tax reversals) whose exact zero matters: a land area of
# 1e-13 mu instead of 0 would make tax per mu enormous instead of null.
LAND_UNIT = 10**8

# ---------------------------------------------------------------------------------------
# The data dictionary: each dataset's typed columns (feeds.md) and its record key.
# Types: text, uscc/parcel/account (a code that must be valid, when it is the key or the
# enterprise), *_ref (a code that may be invalid: then null), decimal:<scale>, integer,
# date, month, flag.

DATASETS = {
    "stats.enterprises": ({"uscc": "uscc", "name": "text", "industry_code": "text",
                           "above_scale": "flag", "division_code": "text", "park": "text",
                           "group_uscc": "uscc_ref", "opened_on": "date"}, ["uscc"]),
    "tax.taxpayers": ({"uscc": "uscc", "name": "text", "high_tech": "flag",
                       "high_tech_valid_from": "date", "high_tech_valid_to": "date",
                       "status": "text"}, ["uscc"]),
    "tax.payments": ({"voucher_id": "text", "uscc": "uscc", "month": "month",
                      "tax_type": "text", "amount_yuan": "decimal:2"}, ["voucher_id"]),
    "tax.reliefs": ({"relief_id": "text", "uscc": "uscc", "month": "month", "kind": "text",
                     "subkind": "text", "amount_yuan": "decimal:2"}, ["relief_id"]),
    "land.parcels": ({"parcel_code": "parcel", "kind": "text", "attached_to": "parcel_ref",
                      "land_use": "text", "area_m2": "decimal:2", "holder_uscc": "uscc_ref",
                      "holder_name": "text", "division_code": "text", "park": "text",
                      "geometry": "text", "registered_on": "date"}, ["parcel_code"]),
    "land.leases": ({"lease_id": "text", "parcel_code": "parcel_ref", "lessor_uscc": "uscc_ref",
                     "lessee_uscc": "uscc_ref", "lessee_name": "text",
                     "leased_land_m2": "decimal:2", "start_date": "date", "end_date": "date"},
                    ["lease_id"]),
    "land.surveys": ({"survey_id": "text", "parcel_code": "parcel_ref", "user_uscc": "uscc_ref",
                      "user_name": "text", "occupied_m2": "decimal:2", "surveyed_on": "date"},
                     ["survey_id"]),
    "stats.annual": ({"uscc": "uscc", "year": "integer", "output_k": "decimal:3",
                      "value_added_k": "decimal:3", "revenue_k": "decimal:3",
                      "rd_expense_k": "decimal:3", "employees_avg": "decimal:2",
                      "rd_staff": "decimal:2", "degree_staff": "decimal:2",
                      "energy_tce_reported": "decimal:4"}, ["uscc", "year"]),
    "stats.energy_use": ({"uscc": "uscc", "year": "integer", "carrier": "text",
                          "quantity": "decimal:4", "unit": "text"},
                         ["uscc", "year", "carrier", "unit"]),
    "grid.accounts": ({"account_no": "account", "holder_name": "text", "holder_uscc": "uscc_ref",
                       "parcel_code": "parcel_ref", "address": "text", "transformer_id": "text",
                       "opened_on": "date", "closed_on": "date"}, ["account_no"]),
    "grid.consumption": ({"account_no": "account", "month": "month", "kwh": "decimal:3",
                          "reading": "text"}, ["account_no", "month"]),
    "env.emissions": ({"uscc": "uscc", "year": "integer", "pollutant": "text",
                       "tonnes": "decimal:6", "basis": "text"},
                      ["uscc", "year", "pollutant", "basis"]),
}

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


# ---------------------------------------------------------------------------------------
# Codes and values.

def normalise(values: pd.Series, upper: bool = True) -> pd.Series:
    """NFKC, white space removed (codes also upper-cased); done once per distinct value."""
    def one(text):
        if not isinstance(text, str):
            return None
        text = "".join(unicodedata.normalize("NFKC", text).split())
        return text.upper() if upper else text
    uniques = values.dropna().unique()
    return values.map(dict(zip(uniques, map(one, uniques), strict=True)))


def valid_uscc(code) -> bool:
    if not isinstance(code, str) or len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        return False
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


def code_valid(codes: pd.Series, kind: str) -> pd.Series:
    if kind.startswith("uscc"):
        uniques = codes.dropna().unique()
        return codes.map(dict(zip(uniques, map(valid_uscc, uniques), strict=True))) \
            .fillna(False).astype(bool)
    pattern = r"[0-9]{12}[A-Z]{2}[0-9]{5}" if kind.startswith("parcel") else r"[0-9]{10}"
    return codes.str.fullmatch(pattern).fillna(False).astype(bool)


def parse(raw: pd.Series, kind: str) -> pd.Series:
    """The typed value, NaN/NaT/None where the string does not parse."""
    if kind.startswith("decimal"):
        scale = int(kind.split(":")[1])
        ok = raw.str.fullmatch(rf"-?[0-9]{{1,{24 - scale}}}([.][0-9]{{1,{scale}}})?")
        return pd.to_numeric(raw.where(ok.fillna(False).astype(bool)), errors="coerce")
    if kind == "integer":
        ok = raw.str.fullmatch(r"-?[0-9]{1,9}").fillna(False).astype(bool)
        return pd.to_numeric(raw.where(ok), errors="coerce").astype("Int64")
    if kind == "date":
        ok = raw.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fillna(False).astype(bool)
        return pd.to_datetime(raw.where(ok), format="%Y-%m-%d", errors="coerce")
    if kind == "month":
        ok = raw.str.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])").fillna(False).astype(bool)
        return raw.where(ok)
    if kind == "flag":
        return raw.map({"1": True, "0": False})
    raise ValueError(kind)


# ---------------------------------------------------------------------------------------
# Reading: the latest complete snapshot of each dataset for the year, typed and cleaned.

def snapshot_files(landing: Path, dataset: str, period: str) -> list[Path]:
    source, name = dataset.split(".")
    best = None
    for manifest_path in (landing / source / name / f"period={period}").glob("snapshot=*/"
                                                                             "manifest.json"):
        manifest = json.loads(manifest_path.read_text())
        if manifest["records"] == manifest["total"] and (
                best is None or manifest["snapshot_id"] > best[0]["snapshot_id"]):
            best = (manifest, manifest_path.parent)
    if best is None:
        raise FileNotFoundError(f"{dataset} {period}: nothing landed under {landing}")
    return [best[1] / f["path"] for f in best[0]["files"]]


def load(landing: Path, dataset: str, year: int) -> pd.DataFrame:
    """The dataset's valid records: typed, codes normalised, bad and duplicate records dropped."""
    columns, key = DATASETS[dataset]
    raw = pd.concat([pd.read_parquet(p) for p in snapshot_files(landing, dataset, str(year))],
                    ignore_index=True)
    df = pd.DataFrame({"_record_no": raw["_record_no"]})
    bad = raw["_nonstring_fields"].notna()
    for name, kind in columns.items():
        if kind in ("uscc", "parcel", "account"):
            df[name] = normalise(raw[name])
        elif kind.endswith("_ref"):
            code = normalise(raw[name])
            df[name] = code.where(code_valid(code, kind))
        elif kind == "text":
            df[name] = raw[name]
        else:
            df[name] = parse(raw[name], kind)
            bad |= raw[name].notna() & df[name].isna()
    if "year" not in columns:
        df["year"] = year
    keep = ~bad
    for name in set(key) | {"uscc"}:
        if columns.get(name) in ("uscc", "parcel", "account"):
            keep &= code_valid(df[name], columns[name])
    if dataset == "stats.energy_use":
        keep &= df["unit"].isin(["m3", "t", "kg", "GJ"])
    # a later record with a key already delivered is a duplicate (even when the first was
    # bad); for meter readings an actual reading wins over an estimated one
    order = ["_record_no"]
    if dataset == "grid.consumption":
        df["_estimated"] = df["reading"] != "actual"
        order = ["_estimated", "_record_no"]
    first = df.sort_values(order).groupby(key, dropna=False, sort=False).cumcount() == 0
    return df[keep & first.reindex(df.index)].reset_index(drop=True)


def exact(values: pd.Series, scale: int) -> pd.Series:
    """A decimal with at most `scale` places as an integer count of 10^-scale."""
    return (values * 10**scale).round().astype("Int64")


def read_csv(path: Path, **typed) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=list(typed))
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    for name, kind in typed.items():
        df[name] = pd.to_numeric(df[name], errors="raise") if kind == "number" else df[name]
    return df


def in_year(df: pd.DataFrame, year: int) -> pd.Series:
    frm = pd.to_numeric(df["year_from"])
    to = pd.to_numeric(df["year_to"])
    return (frm.isna() | (frm <= year)) & (to.isna() | (to >= year))


# ---------------------------------------------------------------------------------------
# The evaluation.

def land_uses(parcels, leases, surveys, links, research, pack, year):
    """Signed m² per parcel and enterprise: held, let, leased, surveyed, research, linked."""
    land = pack["land"]
    industrial = parcels[parcels["land_use"].isin(["0601", "0602", "0604"])]
    y_start, y_end = pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year}-12-31")

    held = industrial[(industrial["kind"] == "registered") & industrial["holder_uscc"].notna()]
    uses = [pd.DataFrame({"parcel_code": held["parcel_code"], "uscc": held["holder_uscc"],
                          "role": "held", "units": exact(held["area_m2"], 8)})]

    # leases overlapping the year; one parcel and lessee counts once, at its largest area;
    # then in order of start date a lease that overfills its parcel is refused
    lz = leases[(leases["start_date"].isna() | (leases["start_date"] <= y_end))
                & (leases["end_date"].isna() | (leases["end_date"] >= y_start))].copy()
    lz["lessee_key"] = lz["lessee_uscc"].fillna("lease:" + lz["lease_id"])
    lz = lz.sort_values(["leased_land_m2", "lease_id"], ascending=[False, True],
                        na_position="last")
    lz = lz.drop_duplicates(["parcel_code", "lessee_key"])
    lz = lz.merge(industrial[["parcel_code", "area_m2"]], on="parcel_code")
    lz = lz.sort_values(["parcel_code", "start_date", "lease_id"], na_position="first")
    lz["lease_cents"], lz["parcel_cents"] = exact(lz["leased_land_m2"], 2), exact(lz["area_m2"], 2)
    accepted = []
    for _, group in lz.groupby("parcel_code", sort=False):
        so_far = 0
        for area, parcel_area in zip(group["lease_cents"], group["parcel_cents"], strict=True):
            ok = not (pd.isna(area) or pd.isna(parcel_area)) and so_far + area <= parcel_area
            accepted.append(ok)
            so_far += area if ok else 0
    lz["accepted"] = pd.Series(accepted, index=lz.index, dtype=bool)
    ok_leases = lz[lz["accepted"]]
    if land["count_leased_out"] == "subtract":
        out = ok_leases[ok_leases["lessor_uscc"].notna()]
        uses.append(pd.DataFrame({"parcel_code": out["parcel_code"], "uscc": out["lessor_uscc"],
                                  "role": "leased_out", "units": -exact(out["leased_land_m2"], 8)}))
    inn = ok_leases[ok_leases["lessee_uscc"].notna()]
    uses.append(pd.DataFrame({"parcel_code": inn["parcel_code"], "uscc": inn["lessee_uscc"],
                              "role": "leased_in", "units": exact(inn["leased_land_m2"], 8)}))

    # surveys: the latest one (dated by the year's end) per parcel and user, on de facto
    # parcels and, when the pack adds them, attached ones
    kinds = ["de_facto"] + (["attached"] if land["attached_land"] == "add" else [])
    sv = surveys[surveys["user_uscc"].notna()
                 & (surveys["surveyed_on"].isna() | (surveys["surveyed_on"] <= y_end))]
    sv = sv.merge(industrial[industrial["kind"].isin(kinds)][["parcel_code"]], on="parcel_code")
    sv = sv.sort_values(["surveyed_on", "survey_id"], ascending=False, na_position="last",
                        kind="stable")
    sv = sv.drop_duplicates(["parcel_code", "user_uscc"])
    uses.append(pd.DataFrame({"parcel_code": sv["parcel_code"], "uscc": sv["user_uscc"],
                              "role": "surveyed", "units": exact(sv["occupied_m2"], 8)}))

    if land["research_land_exempt"]:
        # never more than its user has on that parcel (a stale or wrong list row)
        rl = research[research["parcel_code"].isin(industrial["parcel_code"])]
        before = pd.concat(uses, ignore_index=True).groupby(["parcel_code", "uscc"])["units"].sum()
        has = before.reindex(pd.MultiIndex.from_frame(rl[["parcel_code", "uscc"]]))
        has = has.fillna(0).clip(lower=0).to_numpy(dtype="int64")
        units = np.minimum(exact(rl["area_m2"], 8).to_numpy(dtype="int64"), has)
        uses.append(pd.DataFrame({"parcel_code": rl["parcel_code"], "uscc": rl["uscc"],
                                  "role": "research_land", "units": -units}))
    automatic = pd.concat(uses, ignore_index=True)

    # a reference link replaces every automatic user of its parcel
    lk = links[in_year(links, year)].merge(industrial[["parcel_code", "area_m2"]],
                                           on="parcel_code")
    linked = pd.DataFrame({"parcel_code": lk["parcel_code"], "uscc": lk["uscc"],
                           "role": "reference_link",
                           "units": exact(lk["area_m2"], 2) * exact(lk["share"], 6)})
    automatic = automatic[~automatic["parcel_code"].isin(linked["parcel_code"])]
    return pd.concat([automatic, linked], ignore_index=True)


def account_owners(accounts, master, parcels, uses, account_links, year):
    """Each account's enterprise(s) and share: reference link, holder, parcel holder, name."""
    live = master[~master["deregistered"]]
    by_ref = accounts[["account_no"]].merge(
        account_links[in_year(account_links, year)][["account_no", "uscc", "share"]],
        on="account_no")
    by_ref["precedence"] = 1
    by_holder = accounts.merge(live[["uscc"]], left_on="holder_uscc", right_on="uscc")
    by_holder = by_holder[["account_no", "uscc"]].assign(share=1.0, precedence=2)
    shared = uses[uses["role"].isin(["leased_in", "surveyed", "reference_link"])]
    shared = shared.merge(parcels[["parcel_code", "holder_uscc"]], on="parcel_code")
    shared = shared[shared["uscc"].notna() & (shared["uscc"] != shared["holder_uscc"])]
    shared = shared["parcel_code"]
    sole = parcels[parcels["holder_uscc"].notna() & ~parcels["parcel_code"].isin(shared)]
    by_parcel = accounts[["account_no", "parcel_code"]].merge(
        sole[["parcel_code", "holder_uscc"]], on="parcel_code")
    by_parcel = by_parcel.merge(live[["uscc"]], left_on="holder_uscc", right_on="uscc")
    by_parcel = by_parcel[["account_no", "uscc"]].assign(share=1.0, precedence=3)
    names = accounts.assign(name_key=normalise(accounts["holder_name"], upper=False))
    by_name = names[["account_no", "name_key"]].merge(
        live.assign(name_key=normalise(live["enterprise_name"], upper=False))[["uscc",
                                                                               "name_key"]],
        on="name_key")
    by_name = by_name[by_name.groupby("account_no")["uscc"].transform("size") == 1]
    by_name = by_name[["account_no", "uscc"]].assign(share=1.0, precedence=4)
    links = pd.concat([by_ref, by_holder, by_parcel, by_name], ignore_index=True)
    best = links.groupby("account_no")["precedence"].transform("min")
    return links[links["precedence"] == best]


def evaluate(home: Path, reference: Path, pack_path: Path = PACK, year: int = 2024
             ) -> pd.DataFrame:
    pack = yaml.safe_load(pack_path.read_text(encoding="utf-8"))
    landing = home / "landing"
    data = {name: load(landing, name, year) for name in DATASETS}

    # reference files
    links = read_csv(reference / "enterprise_parcel_links.csv", share="number")
    account_links = read_csv(reference / "account_links.csv", share="number")
    research = read_csv(reference / "research_land.csv", area_m2="number")
    objections = read_csv(reference / "objections.csv", corrected_value="number")

    # the enterprise master: statistics register + tax register status + industry group
    ent = data["stats.enterprises"]
    tp = data["tax.taxpayers"]
    master = ent.rename(columns={"name": "enterprise_name"}).merge(
        tp[["uscc", "status", "high_tech"]], on="uscc", how="left")
    master["deregistered"] = master["status"].eq("deregistered")
    master["years_open"] = year - master["opened_on"].dt.year
    major = master["industry_code"].str[:2]
    master["industry_group"] = "default"
    for group, majors in reversed(list(pack["industry_groups"].items())):
        if majors != "*":
            master.loc[major.isin(majors), "industry_group"] = group
    master = master.set_index("uscc")

    # land
    parcels = data["land.parcels"]
    uses = land_uses(parcels, data["land.leases"], data["land.surveys"], links, research,
                     pack, year)
    fig = pd.DataFrame(index=master.index)
    fig["land_area_mu"] = uses.groupby("uscc")["units"].sum().astype(float) \
        * M2_TO_MU / LAND_UNIT
    fig["years_open"] = master["years_open"]

    # taxes: every payment in the year + the reliefs the pack adds back, in 万元
    payments = data["tax.payments"]
    paid = exact(payments["amount_yuan"], 2).groupby(payments["uscc"]).sum()
    add_back = [item.partition(".") for item in pack["restoration"]["add_back"]]
    rel = data["tax.reliefs"]
    restored = np.zeros(len(rel), dtype=bool)
    for kind, _, subkind in add_back:
        restored |= (rel["kind"] == kind) & ((rel["subkind"] == subkind) if subkind else True)
    rel = rel[restored]
    reliefs = exact(rel["amount_yuan"], 2).groupby(rel["uscc"]).sum()
    fig["tax_paid_wan"] = paid.astype(float) / 1_000_000
    fig["tax_restored_wan"] = paid.add(reliefs, fill_value=0).astype(float) / 1_000_000

    # statistics (thousand yuan → 万元)
    annual = data["stats.annual"]
    annual = annual[annual["year"] == year].set_index("uscc")
    for column in ("output", "value_added", "revenue", "rd_expense"):
        fig[f"{column}_wan"] = annual[f"{column}_k"] * 0.1
    fig["employees_avg"] = annual["employees_avg"]

    # electricity through the accounts' owners, then energy in tce
    owners = account_owners(data["grid.accounts"], master.reset_index(), parcels, uses,
                            account_links, year)
    kwh = data["grid.consumption"].merge(owners, on="account_no")
    fig["electricity_kwh"] = (kwh["kwh"] * kwh["share"]).groupby(kwh["uscc"]).sum()
    energy = pack["energy"]
    fuels = data["stats.energy_use"]
    fuels = fuels[fuels["year"] == year].copy()
    coefficient = fuels["carrier"].map({c: v["unit"] for c, v in energy["coefficients"].items()})
    factor = np.select([fuels["unit"] == coefficient,
                        (fuels["unit"] == "t") & (coefficient == "kg"),
                        (fuels["unit"] == "kg") & (coefficient == "t")], [1.0, 1000.0, 0.001],
                       np.nan)
    kgce = fuels["carrier"].map({c: v["kgce"] for c, v in energy["coefficients"].items()})
    fuels["tce"] = fuels["quantity"] * factor * kgce / 1000
    fuel_tce = fuels.dropna(subset=["tce"]).groupby("uscc")["tce"].sum()
    fig["energy_tce"] = (fig["electricity_kwh"].fillna(0) * energy["electricity_kgce_per_kwh"]
                         / 1000 + fuel_tce.reindex(fig.index).fillna(0))

    # main pollutants, the monitored figure winning over the permit report
    em = data["env.emissions"]
    em = em[(em["year"] == year) & em["pollutant"].isin(["COD", "NH3N", "SO2", "NOX"])].copy()
    em["monitored"] = em["basis"] == "monitoring"
    em = em.sort_values("monitored", ascending=False, kind="stable") \
        .drop_duplicates(["uscc", "pollutant"])
    fig["emissions_t"] = em.groupby("uscc")["tonnes"].sum()

    zero = ["land_area_mu", "tax_paid_wan", "tax_restored_wan", "electricity_kwh",
            "emissions_t"]
    fig[zero] = fig[zero].fillna(0)

    # approved objections replace the figure they correct
    ob = objections[objections["approved_by"].notna()].copy()
    ob["uscc"] = normalise(ob["uscc"])
    ob = ob[pd.to_numeric(ob["year"]) == year]
    for (uscc, figure), value in ob.groupby(["uscc", "figure"])["corrected_value"].max().items():
        if figure in fig.columns and uscc in fig.index:
            fig.loc[uscc, figure] = value

    # indicators (null where the denominator is zero or null)
    def ratio(num, den):
        return (fig[num] / fig[den].where(fig[den] != 0)).astype(float)
    ind = pd.DataFrame({
        "tax_per_mu": ratio("tax_restored_wan", "land_area_mu"),
        "value_added_per_mu": ratio("value_added_wan", "land_area_mu"),
        "value_added_per_tce": ratio("value_added_wan", "energy_tce"),
        "value_added_per_emission_t": ratio("value_added_wan", "emissions_t"),
        "labour_productivity": ratio("value_added_wan", "employees_avg"),
        "rd_share": ratio("rd_expense_wan", "revenue_wan"),
    })

    # scope: the first reason that applies, else the first pool that matches
    scope = pack["scope"]
    exempt = set()
    for list_id in scope.get("exempt_lists") or []:
        members = read_csv(reference / "lists" / f"{list_id}.csv")
        exempt |= set(normalise(members[in_year(members, year)]["uscc"]).dropna())
    above = master["above_scale"]
    out = pd.DataFrame(index=master.index)
    out["pool"] = np.where(above.eq(True), "above_scale",
                           np.where(above.eq(False), "below_scale", None))
    reason = pd.Series(None, index=master.index, dtype=object)
    conditions = [
        ("no_pool", out["pool"].isna()),
        ("below_min_land", above.eq(False)
         & (fig["land_area_mu"] < scope["below_scale_min_land_mu"])),
        ("exempt_list", pd.Series(master.index.isin(exempt), index=master.index)),
        ("new_enterprise", fig["years_open"] < scope["min_years_open"]),
        ("deregistered", master["deregistered"]),
    ]
    for name, holds in conditions:  # the last assignment wins: the first reason listed
        reason[holds.fillna(False).astype(bool)] = name
    out["exclusion_reason"] = reason
    out["evaluated"] = reason.isna()

    # points: weight × max(value / benchmark, 0); a missing value scores 0
    out["score_total"] = np.nan
    for pool, entries in pack["indicators"].items():
        members = out.index[out["evaluated"] & (out["pool"] == pool)]
        total = pd.Series(0.0, index=members)
        for entry in entries:
            value = ind.loc[members, entry["id"]]
            bench = entry["benchmark"]
            if "mean_of" in bench:  # this_year: the pool's mean (the only kind zhenhai uses)
                benchmark = pd.Series(value.mean() * bench["multiple"], index=members)
            else:
                groups = master.loc[members, "industry_group"]
                benchmark = groups.map(bench).fillna(bench["default"]).astype(float)
            r = value / benchmark.where(benchmark != 0)
            total += (entry["weight"] * r.clip(lower=0)).fillna(0)
        out.loc[members, "score_total"] = total

    # rank in pool (ties share the better rank) and the percentile bands
    evaluated = out[out["evaluated"]].copy()
    evaluated["rounded"] = evaluated["score_total"].round(6)
    evaluated["rank_in_pool"] = evaluated.groupby("pool")["rounded"].rank(method="min",
                                                                         ascending=False)
    size = evaluated.groupby("pool")["rounded"].transform("size")
    evaluated["grade"] = pack["grading"]["bands"][-1]["grade"]
    for band in reversed(pack["grading"]["bands"]):  # best band last, so it wins
        within = evaluated["rank_in_pool"] * 1_000_000 <= round(band["to"] * 1_000_000) * size
        evaluated.loc[within, "grade"] = band["grade"]
    out = out.join(evaluated[["rank_in_pool", "grade"]])
    out.index.name = "uscc"
    return out.reset_index()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True, help="the warehouse (MUJUN_HOME)")
    parser.add_argument("--reference", type=Path, required=True, help="reference folder")
    parser.add_argument("--pack", type=Path, default=PACK)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--out", type=Path, help="write uscc,pool,grade,... as CSV")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = evaluate(args.home, args.reference, args.pack, args.year)
    seconds = time.perf_counter() - started
    print(result.groupby(["pool", "grade"], dropna=False).size().to_string())
    print(f"{len(result)} enterprises, {int(result['evaluated'].sum())} evaluated, "
          f"{seconds:.1f} s")
    if args.out:
        result.to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
