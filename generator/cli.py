"""The `riskon` command line: thin click commands that load settings and call a module."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import click

from generator.errors import EXIT_STALE, UserError


def _console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _date(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None


def _fail(err: UserError) -> None:
    console = _console()
    for line in err.lines():
        console.print(f"[bold red]error:[/] {line}", soft_wrap=True, markup=True, highlight=False)
    sys.exit(err.exit_code)


def _config(project: Path):
    from generator.config import load_config

    return load_config(project)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="riskon-monitor", prog_name="riskon")
@click.option(
    "--project", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="Project folder holding pyproject.toml, content/, templates/, data/.",
)
@click.pass_context
def main(ctx: click.Context, project: Path) -> None:
    """Risk-On Monitor: build the weekly risk-appetite report site.

    Exit codes: 0 ok, 1 crash (a bug), 2 bad command line, 3 invalid settings,
    4 invalid content, 5 no usable market data, 6 built but some inputs failed or are stale.
    """
    ctx.obj = project


@main.command()
@click.option("--source", default="yfinance", show_default=True, metavar="SOURCE",
              help="yfinance (fetch into data/prices, then build from it), csv:DIR or sample.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: site/ in the project). Replaced atomically.")
@click.option("--since", callback=_date, metavar="DATE",
              help="First as-of date to publish (default: archive_start).")
@click.option("--until", callback=_date, metavar="DATE",
              help="Use only data dated on or before DATE: the site as it was then.")
@click.option("--no-fetch", is_flag=True,
              help="With yfinance: build from data/prices without fetching.")
@click.pass_obj
def build(project: Path, source: str, out: Path | None, since, until, no_fetch: bool) -> None:
    """Build the site: fetch (yfinance), compute the signals, render charts and pages.

    Example: riskon build --source csv:../shared/data/market
    """
    from generator.build import run_build

    console = _console()
    started = time.perf_counter()
    try:
        config = _config(project)
        with _progress(console) as progress:
            report = run_build(config, source=source, out=out, since=since, until=until,
                               fetch=not no_fetch, progress=progress)
    except UserError as err:
        _fail(err)
        return
    for w in report.warnings:
        console.print(f"[yellow]warning:[/] {w}", soft_wrap=True)
    for ticker, reason in sorted(report.failures.items()):
        console.print(f"[bold red]fetch failed:[/] {ticker}: {reason}", soft_wrap=True)
    elapsed = time.perf_counter() - started
    console.print(
        f"[green]built[/] {report.out}: {report.weeks} weekly issues "
        f"({report.first_week} to {report.latest_week}), {report.pages} pages, "
        f"charts {report.charts_rendered} rendered / {report.charts_cached} cached, "
        f"{elapsed:.1f} s" + (" [bold yellow](sample data)[/]" if report.sample else ""),
        soft_wrap=True,
    )
    if report.stale:
        console.print(f"[yellow]stale inputs in the latest issue:[/] {', '.join(report.stale)}",
                      soft_wrap=True)
    if report.failures:
        sys.exit(EXIT_STALE)


@main.command()
@click.pass_obj
def fetch(project: Path) -> None:
    """Fetch daily prices from Yahoo into data/prices (merged, never shortened).

    Example: riskon fetch
    """
    from generator.fetch import fetch_into_store

    console = _console()
    try:
        config = _config(project)
        with console.status("fetching prices from Yahoo…"):
            result = fetch_into_store(config)
    except UserError as err:
        _fail(err)
        return
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}", soft_wrap=True)
    for ticker, reason in sorted(result.failures.items()):
        console.print(f"[bold red]fetch failed:[/] {ticker}: {reason}", soft_wrap=True)
    ok = len(result.prices)
    console.print(f"fetched {ok} of {ok + len(result.failures)} tickers into {config.prices_dir}")
    if result.failures:
        sys.exit(EXIT_STALE)


class _progress:
    """A rich progress bar fed by `progress(stage, done, total)` callbacks."""

    def __init__(self, console) -> None:
        self.console = console
        self.bar = None
        self.task = None

    def __enter__(self):
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(f"rendering {stage}", total=total)
        self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
