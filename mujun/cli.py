"""The `mujun` command line (contract/cli.md). Each command parses, calls one function, prints.

Exit status: 0 success, 2 bad arguments or a refused rule pack, 1 any other failure,
with one line on stderr saying what failed (a traceback only with --debug).
"""

from __future__ import annotations

import logging
import re
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mujun.datasets import SOURCES
from mujun.logs import configure_logging
from mujun.periods import BadPeriod, Period

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="mujun: per-mu efficiency (亩均论英雄) evaluation warehouse.")
out = Console()
_state = {"debug": False}


class UsageError(Exception):
    """Bad arguments: exit 2."""


@app.callback()
def main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
         verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logs.")] = False
         ) -> None:
    _state["debug"] = debug
    configure_logging(logging.DEBUG if verbose else logging.INFO)


def _fail(exc: BaseException, code: int) -> None:
    if _state["debug"]:
        raise exc
    typer.echo(f"mujun: error: {exc}", err=True)
    raise typer.Exit(code)


def _parse_years(text: str) -> tuple[int, ...]:
    match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", text)
    if not match:
        raise UsageError(f"--years {text!r} is not YYYY or YYYY-YYYY")
    first, last = int(match[1]), int(match[2] or match[1])
    if last < first or last - first > 30:
        raise UsageError(f"--years {text!r} is not an ascending range of at most 30 years")
    return tuple(range(first, last + 1))


@app.command()
def simulate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for feeds, truth, reference.")],
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same bytes.")] = 1,
    scale: Annotated[int, typer.Option(min=1, help="Number of enterprises.")] = 1000,
    years: Annotated[str, typer.Option(help="Years, YYYY-YYYY.")] = "2022-2024",
) -> None:
    """Generate a synthetic county with known truth."""
    try:
        year_range = _parse_years(years)
    except UsageError as exc:
        _fail(exc, 2)
    from mujun.simulate.generate import simulate as run_simulation

    try:
        summary = run_simulation(out_dir, seed=seed, scale=scale, years=year_range)
    except Exception as exc:  # noqa: BLE001 - mapped to exit 1
        _fail(exc, 1)
    out.print(summary.describe() if hasattr(summary, "describe") else str(summary))


@app.command()
def serve(
    data: Annotated[Path, typer.Option(help="A folder written by `mujun simulate`.")],
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1.")] = 8765,
    faults: Annotated[str | None, typer.Option(help="Faults to inject, e.g. "
                                               "'429:every=7:retry_after=1,503:at=3'.")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Serve only deliveries made by then (YYYYMMDDTHHMM, UTC).")] = None,
) -> None:
    """Serve the generated data as all five source systems (feeds.md)."""
    from mujun.settings import source_tokens
    from mujun.simulate.faults import BadFaultSpec
    from mujun.simulate.server import FeedServer

    try:
        when = datetime.strptime(as_of, "%Y%m%dT%H%M") if as_of else None
        server = FeedServer(data, source_tokens(), port=port, faults=faults, as_of=when)
    except (BadFaultSpec, ValueError) as exc:
        _fail(exc, 2)
    except Exception as exc:  # noqa: BLE001
        _fail(exc, 1)
    missing = [s for s, t in source_tokens().items() if not t]
    if missing:
        typer.echo(f"mujun: warning: no token set for {', '.join(missing)}: "
                   "their requests will get 401", err=True)
    typer.echo(f"serving {data} at {server.url} (Ctrl-C to stop)", err=True)
    for src in SOURCES:
        typer.echo(f"  export MUJUN_{src.upper()}_URL={server.url}", err=True)

    def _stop(signum, frame):  # noqa: ARG001 - signal handler signature
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@app.command()
def pull(
    period: Annotated[str, typer.Option(help="YYYY or YYYYQn.")],
    source: Annotated[str | None, typer.Option(help=f"One of {', '.join(SOURCES)}.")] = None,
    dataset: Annotated[str | None, typer.Option(help="Only this dataset, e.g. tax.payments.")
                       ] = None,
) -> None:
    """Pull feeds from MUJUN_*_URL and land them under $MUJUN_HOME/landing."""
    from connectors.errors import FeedError, NotConfigured
    from connectors.pull import pull_period
    from mujun.datasets import DATASETS
    from mujun.settings import Settings

    try:
        parsed = Period.parse(period)
        if source is not None and source not in SOURCES:
            raise UsageError(f"--source {source!r}: expected one of {', '.join(SOURCES)}")
        if dataset is not None and dataset not in DATASETS:
            raise UsageError(f"--dataset {dataset!r} is not a dataset of feeds.md")
    except (BadPeriod, UsageError) as exc:
        _fail(exc, 2)
    settings = Settings.from_env()
    table = Table("dataset", "period", "snapshot", "status", "records", "rec/s")

    def show(result) -> None:
        table.add_row(result.dataset, result.period, result.snapshot_id, result.status,
                      f"{result.records:,}", f"{result.records_per_second:,.0f}")

    try:
        pull_period(settings, parsed, source=source, dataset=dataset, on_result=show)
    except NotConfigured as exc:
        _fail(exc, 2)
    except FeedError as exc:
        out.print(table)
        _fail(exc, 1)
    out.print(table)
    out.print(f"landed under {settings.landing}")


def _load_pack_or_exit(pack_ref: str):
    from mujun.rulepack import RulePackError, load_pack

    try:
        return load_pack(pack_ref)
    except RulePackError as exc:
        for problem in exc.problems:
            typer.echo(f"mujun: rule pack {pack_ref}: {problem}", err=True)
        raise typer.Exit(2) from None


def _parse_year(text: str) -> int:
    if not re.fullmatch(r"[0-9]{4}", text or "") or not 1900 <= int(text) <= 2999:
        raise UsageError(f"--year {text!r} is not a year (YYYY)")
    return int(text)


@app.command(name="run")
def run_command(
    rule_pack: Annotated[str, typer.Option("--rule-pack", help="A pack id or a YAML path.")],
    year: Annotated[str | None, typer.Option(help="Annual run for this year (YYYY).")] = None,
    quarter: Annotated[str | None, typer.Option(help="Quarterly run (YYYYQn).")] = None,
    reference: Annotated[Path | None, typer.Option(
        help="Local reference data folder (default: $MUJUN_HOME/reference if present).")] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for another run to finish.")] = 0,
) -> None:
    """Evaluate what has landed for a year (or quarter): dbt, gates, publish."""
    from mujun.pipeline import run_annual, run_quarterly
    from mujun.settings import Settings

    try:
        if (year is None) == (quarter is None):
            raise UsageError("give exactly one of --year YYYY or --quarter YYYYQn")
        if year is not None:
            period = Period(_parse_year(year))
        else:
            period = Period.parse(quarter)
            if period.quarter is None:
                raise UsageError(f"--quarter {quarter!r} is not YYYYQn")
        if reference is not None and not reference.is_dir():
            raise UsageError(f"--reference {reference} is not a folder")
    except (BadPeriod, UsageError) as exc:
        _fail(exc, 2)
    pack = _load_pack_or_exit(rule_pack)
    settings = Settings.from_env()
    try:
        if period.quarter is None:
            record = run_annual(settings.home, period.year, pack, reference, wait)
        else:
            record = run_quarterly(settings.home, period.year, period.quarter, pack, reference,
                                   wait)
    except Exception as exc:  # noqa: BLE001 - one line, the run record says more
        _fail(RuntimeError(f"{exc} (run records: {settings.home / 'runs'})"), 1)
    out.print(f"run {record.run_id}: {record.status}")
    out.print(f"run record: {record.folder(settings.home) / 'run.json'}")


@app.command()
def explain(
    uscc: Annotated[str, typer.Argument(help="The enterprise's unified social credit code.")],
    year: Annotated[str, typer.Option(help="The evaluation year (YYYY).")],
    rule_pack: Annotated[str | None, typer.Option(
        "--rule-pack", help="Needed when more than one pack evaluated the year.")] = None,
) -> None:
    """Print how an enterprise's grade came about, from the published trace."""
    from mujun.explain import ExplainError
    from mujun.explain import explain as build_explanation
    from mujun.settings import Settings

    try:
        evaluation_year = _parse_year(year)
    except UsageError as exc:
        _fail(exc, 2)
    try:
        explanation = build_explanation(Settings.from_env().home, uscc, evaluation_year,
                                        rule_pack)
    except ExplainError as exc:
        _fail(exc, 2 if exc.usage else 1)
    typer.echo(explanation.render())


rules_app = typer.Typer(help="Rule packs.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("check")
def rules_check(pack: Annotated[str, typer.Argument(help="A shipped pack id or a YAML path.")]
                ) -> None:
    """Validate a rule pack and print its summary."""
    from mujun.rulepack import pack_summary

    typer.echo(pack_summary(_load_pack_or_exit(pack)))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
