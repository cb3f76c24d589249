"""Refused before anything runs: invalid rule packs (exit 2, a line naming the key) and
periods or years that are not one. tests/rulepack checks every validation rule on the
validator; here each kind goes through the real `mujun` against a warehouse that holds
landed data and a publication, which must stay exactly as it was.

Every command is started at once (they only parse), then each test reads its outcome.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from tests.faults import harness as H
from tests.faults.conftest import SERVED_PACK, YEAR

pytestmark = pytest.mark.faults

EXAMPLE = H.REPO / "tests" / "rulepack" / "data" / "example-2024.yml"
SQL = "160); drop table marts.enterprise_evaluation; --"


def _set(path: tuple, value):
    def mutate(pack: dict) -> None:
        target = pack
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


# (fault, mutation, the start of the line that must name the key)
PACKS = [
    ("unknown key", _set(("formula",), "tax / land"), "formula: unknown key"),
    ("wrong type", _set(("scope", "above_scale"), "yes"), "scope.above_scale: 'yes'"),
    ("weights not numbers", _set(("indicators", 0, "weight"), "thirty"),
     "indicators[0].weight: 'thirty'"),
    ("unknown indicator", _set(("indicators", 5, "id"), "rd_share_of_profit"),
     "indicators[5].id: 'rd_share_of_profit'"),
    ("bad condition", _set(("grading", "rules", 0, "when"), {"metric": "tax_wan", "le": 100}),
     "grading.rules[0].when.metric: 'tax_wan'"),
    ("SQL text where a number belongs", _set(("indicators", 1, "benchmark", "default"), SQL),
     f"indicators[1].benchmark.default: {SQL!r}"),
    ("SQL text as the pack id", _set(("id",), "x'; drop table audit.quarantine; --"), "id: "),
]

# (fault, arguments, what the error line must name)
PARAMETERS = [
    ("run --year '2024; drop table'", ["run", "--year", "2024; drop table x",
                                        "--rule-pack", SERVED_PACK], "--year"),
    ("run --year 'drop table'", ["run", "--year", "drop table", "--rule-pack", SERVED_PACK],
     "--year"),
    ("run --year 20245", ["run", "--year", "20245", "--rule-pack", SERVED_PACK], "--year"),
    ("run --quarter 2024Q5", ["run", "--quarter", "2024Q5", "--rule-pack", SERVED_PACK],
     "2024Q5"),
    ("run --quarter '2024Q1; drop table'", ["run", "--quarter", "2024Q1; drop table x",
                                            "--rule-pack", SERVED_PACK], "2024Q1; drop table x"),
    ("pull --period '2024; drop table'", ["pull", "--period", "2024; drop table x"],
     "2024; drop table x"),
    ("explain --year '2024 or 1=1'", ["explain", "913302110000004016", "--year", "2024 or 1=1"],
     "--year"),
]


def tree(home: Path) -> dict[str, str]:
    """Every file and link under the warehouse, with a hash of its bytes."""
    found = {}
    for path in sorted(home.rglob("*")):
        key = str(path.relative_to(home))
        if path.is_symlink():
            found[key] = f"-> {path.readlink()}"
        elif path.is_file():
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def refused(served, tmp_path_factory):
    """Each refusal's process, against its own copy of a warehouse with data (read-only use)."""
    root = tmp_path_factory.mktemp("refusals")
    home = root / "home"
    shutil.copytree(served.pristine, home, symlinks=True)
    before = tree(home)
    procs = {}
    for fault_name, mutate, _ in PACKS:
        pack = copy.deepcopy(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
        mutate(pack)
        path = root / f"pack-{len(procs)}.yml"
        path.write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
        procs[fault_name] = H.start(["run", "--year", str(YEAR), "--rule-pack", str(path)],
                                    H.env_for(home, served.tokens), root / "logs",
                                    f"pack-{len(procs)}")
    for fault_name, args, _ in PARAMETERS:
        procs[fault_name] = H.start(args, H.env_for(home, served.tokens), root / "logs",
                                    f"param-{len(procs)}")
    for proc in procs.values():
        proc.wait(120)
    return procs, before, tree(home)


def untouched(refused) -> None:
    _, before, after = refused
    assert after == before, "the warehouse changed"


@pytest.mark.parametrize(("name", "line"), [(n, line) for n, _, line in PACKS],
                         ids=[n for n, _, _ in PACKS])
def test_an_invalid_rule_pack_is_refused_with_exit_2_naming_the_key(name, line, refused,
                                                                     fault):
    entry = fault(f"rule pack: {name}")
    proc = refused[0][name]
    assert proc.popen.returncode == 2, proc.describe()
    problems = [p for p in proc.err().splitlines() if p.startswith("mujun: rule pack ")]
    assert problems and all(": " in p for p in problems)
    assert any(line in p for p in problems), problems
    assert "Traceback" not in proc.err()
    untouched(refused)
    entry.rows_lost = 0


@pytest.mark.parametrize(("name", "named"), [(n, w) for n, _, w in PARAMETERS],
                         ids=[n for n, _, _ in PARAMETERS])
def test_a_period_or_year_that_is_not_one_is_refused_before_anything_runs(name, named,
                                                                          refused, fault):
    entry = fault(f"parameter: {name}")
    proc = refused[0][name]
    assert proc.popen.returncode == 2, proc.describe()
    lines = proc.err().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mujun: error: ") and named in lines[0], \
        proc.describe()
    untouched(refused)
    entry.rows_lost = 0
