"""`mujun explain USCC --year Y`: how an enterprise's grade came about, from the trace.

Reads the current publication's audit.evaluation_trace (every step from source
records to grade) and prints it step by step. Voucher ids and account numbers are
published as keyed hashes; they are resolved here, for the engineer running the
command, with the key kept in the warehouse and the landed records of the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from mujun.codes import normalise_code
from mujun.publish import SENSITIVE_DATASETS, keyed_hash_sql, publish_key

STEP_TITLES = {
    "scope": "Scope", "land": "Land (m² → mu)", "tax": "Tax paid and restored (万元)",
    "electricity": "Electricity (kWh)", "energy": "Energy (tce)", "emissions": "Emissions (t)",
    "statistics": "Statistics (万元, persons)", "objection": "Adjudicated objections",
    "indicator": "Indicators: points (value, benchmark, weight)",
    "score": "Coefficients and bonuses",
    "rank": "Rank", "grade_rule": "Grade rules, in the pack's order", "grade": "Final grade",
}


class ExplainError(LookupError):
    """Nothing to explain (exit 1), or an ambiguous request (exit 2 when `usage`)."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass
class Explanation:
    uscc: str
    year: int
    rule_pack: str
    summary: dict
    steps: list[dict]

    def render(self) -> str:
        s = self.summary
        lines = [f"{self.uscc} {s.get('enterprise_name') or ''} — {self.year}, rule pack "
                 f"{self.rule_pack}",
                 f"  pool {s.get('pool')}, evaluated {s.get('evaluated')}"
                 + (f" ({s.get('exclusion_reason')})" if s.get("exclusion_reason") else "")
                 + f", score {_fmt(s.get('score_total'))}, rank {s.get('rank_in_pool')}, "
                   f"bands give {s.get('grade_by_score')}, final grade {s.get('grade')}"]
        current = None
        for step in self.steps:
            if step["step"] != current:
                current = step["step"]
                lines.append(f"\n{STEP_TITLES.get(current, current)}")
            source = " ".join(x for x in (step["dataset"], step["snapshot_id"],
                                          step["record_key"]) if x)
            lines.append(f"  {step['figure']:<28} {step['item'] or '':<30} "
                         f"{_fmt(step['amount']):>18}  {source}"
                         + (f"  [{step['detail']}]" if step["detail"] else ""))
        return "\n".join(lines)


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.6f}".rstrip("0").rstrip(".")
    return str(value)


def explain(home: Path, uscc: str, year: int, rule_pack: str | None = None) -> Explanation:
    database = home / "published" / "mujun.duckdb"
    if not database.exists():
        raise ExplainError(f"no publication under {home}: run `mujun run` first")
    code = normalise_code(uscc)
    con = duckdb.connect(str(database), read_only=True)
    try:
        packs = [r[0] for r in con.execute(
            "select distinct rule_pack from marts.enterprise_evaluation where year = ? "
            "order by 1", [year]).fetchall()]
        if rule_pack is None:
            if len(packs) != 1:
                raise ExplainError(
                    f"{len(packs)} rule packs evaluated {year} ({', '.join(packs) or 'none'}): "
                    "name one with --rule-pack", usage=True)
            rule_pack = packs[0]
        cursor = con.execute("select * from marts.enterprise_evaluation "
                             "where uscc = ? and year = ? and rule_pack = ?",
                             [code, year, rule_pack])
        names = [d[0] for d in cursor.description]
        row = cursor.fetchone()
        if row is None:
            raise ExplainError(f"{code} was not evaluated for {year} by {rule_pack}")
        summary = dict(zip(names, row, strict=True))
        cursor = con.execute(
            "select step_no, step, figure, item, dataset, snapshot_id, record_key, amount, detail "
            "from audit.evaluation_trace where uscc = ? and year = ? and rule_pack = ? "
            "order by step_no, dataset, record_key, item", [code, year, rule_pack])
        names = [d[0] for d in cursor.description]
        steps = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    finally:
        con.close()
    _resolve_hashes(home, steps)
    return Explanation(code, year, rule_pack, summary, steps)


def _resolve_hashes(home: Path, steps: list[dict]) -> None:
    """Replace published keyed hashes by the voucher ids and account numbers they stand for."""
    hashed = {s["record_key"] for s in steps if (s["record_key"] or "").startswith("h:")}
    if not hashed or not (home / "secrets" / "publish.key").exists():
        return
    key = publish_key(home)
    snapshots = {(s["dataset"], s["snapshot_id"]) for s in steps
                 if s["dataset"] in SENSITIVE_DATASETS and s["snapshot_id"]}
    mapping: dict[str, str] = {}
    con = duckdb.connect()
    try:
        for dataset, snapshot_id in snapshots:
            source, name = dataset.split(".")
            folder = home / "landing" / source / name
            manifests = list(folder.glob(f"period=*/snapshot={snapshot_id}/manifest.json"))
            for manifest_path in manifests:
                files = [str(manifest_path.parent / f["path"])
                         for f in json.loads(manifest_path.read_text())["files"]]
                field = SENSITIVE_DATASETS[dataset]
                raw = (f"{field} || '|' || month" if dataset == "grid.consumption" else field)
                normalised = f"upper(regexp_replace({raw}, '\\s+', '', 'g'))" \
                    if field == "account_no" else raw
                rows = con.execute(
                    f"select distinct {normalised} as k, {keyed_hash_sql(key, normalised)} as h "
                    f"from read_parquet({files!r})").fetchall()
                mapping.update({h: k for k, h in rows if h in hashed})
    finally:
        con.close()
    for step in steps:
        if step["record_key"] in mapping:
            step["record_key"] = mapping[step["record_key"]]
