"""The `riskon` command line: thin click commands that load settings and call a module."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from generator.errors import EXIT_CONTENT, EXIT_DATA, EXIT_OK, EXIT_STALE, UserError


def run() -> None:
    """The `riskon` program (and `python -m generator`): `main`, then a quick exit.

    When a command has returned, every file it wrote is closed and in place and its
    workers have exited (`workers.join`). What the interpreter would do next, tearing down
    a build's frames, pages and pools object by object, changes nothing and takes ~0.15 s
    after a full build (measured: 0.12-0.20 s, against 0.02 s). So the process ends
    there, with the command's exit code, once its output is flushed. A crash is not a
    command that returned: its traceback and exit code 1 come as usual.
    """
    try:
        main()
    except SystemExit as done:
        code = done.code
    else:  # pragma: no cover - click's standalone mode always exits
        code = 0
    from generator.cache import workers

    workers.join()
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


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

    \b
    Exit codes (fetch, build and the other commands):
      0  ok
      1  crash: a bug, please report it (a traceback is shown)
      2  bad command line
      3  invalid settings
      4  invalid content
      5  no usable market data: nothing to build from, or a fetch that got
         nothing (Yahoo unreachable; the store is unchanged)
      6  done, with stale or failed inputs: the site was built (or the store
         updated) but some tickers failed to fetch or are stale
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
    from generator.cache.stamp import up_to_date

    started = time.perf_counter()
    options = {"source": source, "since": since, "until": until, "fetch": not no_fetch,
               "drafts": False}
    try:
        config = _config(project)
        out_dir = (out or config.root / "site").resolve()
        stamp, key, signature = up_to_date(config, options, out_dir)
        if stamp is not None:  # nothing changed since the last good build into out_dir
            # Two lines through click, not rich: importing rich's console costs ~25 ms, a
            # seventh of this whole path.
            click.echo(f"up to date: {out_dir} ({stamp.get('summary')}), "
                       f"{time.perf_counter() - started:.2f} s", err=True)
            stale = [str(s) for s in stamp.get("stale") or []]
            if stale:
                click.echo(f"{click.style('stale inputs:', fg='yellow')} {', '.join(stale)}",
                           err=True)
            sys.exit(EXIT_STALE if stale or stamp.get("failed") else EXIT_OK)
        console = _console()
        from generator.cache import workers

        # The rendering worker starts now, importing the chart code and vl-convert on the
        # other core while this process imports pandas and reads the inputs.
        with workers.warm(), Reporter(console) as progress:
            from generator.pipeline import run_build

            report = run_build(config, source=source, out=out_dir, since=since, until=until,
                               fetch=not no_fetch, progress=progress, stamp_options=options,
                               stamp=key, signature=signature,
                               on_fetched=lambda r: progress.line(_fetch_line(r, config)))
    except UserError as err:
        _fail(err)
        return
    for w in report.warnings:
        console.print(f"[yellow]warning:[/] {w}", soft_wrap=True)
    if report.unreachable is None:
        for ticker, reason in sorted(report.failures.items()):
            console.print(f"[bold red]fetch failed:[/] {ticker}: {reason}", soft_wrap=True)
    elapsed = time.perf_counter() - started
    console.print(
        f"[green]built[/] {report.out}: {report.summary()}, {report.pages} pages, "
        f"charts and images {report.rendered} rendered / {report.reused} cached, "
        f"{len(report.newly_frozen)} weeks newly frozen, {elapsed:.1f} s",
        soft_wrap=True,
    )
    if report.stale:
        console.print(f"[yellow]stale inputs:[/] {', '.join(report.stale)}", soft_wrap=True)
    if report.failures or report.stale:
        sys.exit(EXIT_STALE)


def _fetch_line(result, config) -> str:
    """The one line a build prints about its fetch (nothing when every ticker came)."""
    if result.unreachable is not None:
        return (f"[yellow]Yahoo unreachable:[/] {result.unreachable}; gave up after "
                f"{result.seconds:.1f} s, building from {_rel(config.prices_dir, config)}/")
    if result.deadline:
        return (f"[yellow]fetch deadline reached[/] ({config.fetch_deadline_seconds:g} s): "
                f"{len(result.failures)} tickers not fetched, building from what the store has")
    if result.failures:
        return (f"fetched {len(result.prices)} of {len(result.prices) + len(result.failures)} "
                f"tickers in {result.seconds:.1f} s")
    return f"fetched {len(result.prices)} tickers in {result.seconds:.1f} s"


def _rel(path: Path, config) -> str:
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return str(path)


@main.command()
@click.option("--source", default="yfinance", show_default=True, metavar="SOURCE",
              help="yfinance (Yahoo), or csv:DIR to import a folder of price CSV files.")
@click.pass_obj
def fetch(project: Path, source: str) -> None:
    """Fetch daily prices (data/prices) and ETF shares outstanding (data/shares) from Yahoo,
    or import them from a folder of CSV files (--source csv:DIR).

    Both stores are merged, never shortened; every row is validated first.
    Example: riskon fetch --source csv:../shared/data/market
    """
    from generator.pipeline import project_lock

    console = _console()
    try:
        config = _config(project)
        with project_lock(config):
            if source == "yfinance":
                from generator.sources.yahoo import fetch_all

                with Reporter(console) as progress:
                    result = fetch_all(config, progress=progress)
                verb = "fetched"
            else:
                from generator.sources.load import import_into_store

                result = import_into_store(config, source)
                verb = f"imported from {source[4:]}:"
    except UserError as err:
        _fail(err)
        return
    for w in result.warnings:
        console.print(f"[yellow]warning:[/] {w}", soft_wrap=True)
    where = _rel(config.prices_dir, config)
    if result.unreachable is not None:
        console.print(f"[bold red]Yahoo unreachable:[/] {result.unreachable}; gave up after "
                      f"{result.seconds:.1f} s, nothing fetched, {where}/ unchanged",
                      soft_wrap=True)
    else:
        for ticker, reason in sorted(result.failures.items()):
            console.print(f"[bold red]fetch failed:[/] {ticker}: {reason}", soft_wrap=True)
        ok = len(result.prices)
        console.print(f"{verb} {ok} of {ok + len(result.failures)} tickers into {where}/"
                      + (f" in {result.seconds:.1f} s" if result.seconds else ""),
                      soft_wrap=True)
    if not result.prices:
        sys.exit(EXIT_DATA)
    if result.failures:
        sys.exit(EXIT_STALE)


@main.command()
@click.option("--source", default="yfinance", show_default=True, metavar="SOURCE",
              help="Where prices come from: yfinance (the store, no fetch), csv:DIR or sample.")
@click.option("--week", metavar="YYYY-Www",
              help="The week to write about (default: the latest complete week).")
@click.pass_obj
def new(project: Path, source: str, week: str | None) -> None:
    """Create content/issues/YYYY-Www.md for the latest complete week, as a draft.

    The generated facts of the week are put in a comment as a starting point.
    Example: riskon new --week 2026-W08
    """
    from generator.pipeline import compute_issues
    from generator.scaffold import pick_week, render_scaffold, write_scaffold

    console = _console()
    try:
        config = _config(project)
        issues = compute_issues(config, source=source)
        issue = pick_week(issues, week)
        path = write_scaffold(config.content_dir, issue, render_scaffold(issue))
    except UserError as err:
        _fail(err)
        return
    console.print(f"created {path} (draft: true) for week {issue.week}", soft_wrap=True)


@main.command()
@click.pass_obj
def check(project: Path) -> None:
    """Validate the settings and every content file (drafts too) without building.

    Exits non-zero with one line per problem. Example: riskon check
    """
    from generator.pipeline import load_notes_and_pages

    console = _console()
    problems: list[str] = []
    try:
        config = _config(project)
    except UserError as err:
        _fail(err)
        return
    try:
        notes, pages = load_notes_and_pages(config, drafts=True)
    except UserError as err:
        problems.extend(err.lines())
        notes, pages = {}, {}
    if problems:
        for line in problems:
            console.print(f"[bold red]error:[/] {line}", soft_wrap=True)
        sys.exit(EXIT_CONTENT)
    drafts = sum(n.draft for n in notes.values())
    console.print(f"ok: settings, {len(notes)} issue notes ({drafts} drafts), {len(pages)} pages",
                  soft_wrap=True)


@main.command()
@click.option("--source", default="yfinance", show_default=True, metavar="SOURCE",
              help="yfinance (the store, no fetch), csv:DIR.")
@click.option("--since", callback=_date, metavar="DATE", help="First as-of date to freeze.")
@click.option("--force", is_flag=True, help="Rewrite existing snapshots (they are never "
              "rewritten otherwise).")
@click.pass_obj
def backfill(project: Path, source: str, since, force: bool) -> None:
    """Freeze past weeks into data/issues/, point in time, marked as backfilled.

    Example: riskon backfill --since 2024-01-01
    """
    from generator.pipeline import run_backfill

    console = _console()
    try:
        config = _config(project)
        if force:
            console.print("[yellow]--force: existing snapshots will be recomputed and "
                          "rewritten[/]")
        written, skipped = run_backfill(config, source=source, since=since, force=force)
    except UserError as err:
        _fail(err)
        return
    console.print(f"froze {len(written)} weeks into {config.issues_dir}"
                  + (f" ({written[0]} to {written[-1]})" if written else "")
                  + (f"; {skipped} not frozen (provisional, stale inputs or no score)"
                     if skipped else ""), soft_wrap=True)


@main.command()
@click.option("--source", default="yfinance", show_default=True, metavar="SOURCE",
              help="yfinance (the store, no fetch), csv:DIR or sample.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--since", callback=_date, metavar="DATE",
              help="First as-of date to show (default: the last 26 weeks, for speed).")
@click.pass_obj
def serve(project: Path, source: str, port: int, since) -> None:
    """Preview the site on 127.0.0.1 with drafts, rebuilding and reloading on every change.

    Example: riskon serve  (or --source sample, --source csv:DIR)
    """
    from generator.preview import serve as run_serve

    console = _console()
    try:
        _config(project)
    except UserError as err:
        _fail(err)
        return
    run_serve(project, source=source, port=port, since=since,
              log=lambda m: console.print(m, soft_wrap=True, markup=False, highlight=False))


class Reporter:
    """Progress of the stages, fed by `progress(stage, done, total, item)` callbacks.

    On a terminal: a rich bar per stage (the ticker being fetched, then charts "n of N").
    Elsewhere (CI logs): one plain line when a stage starts, and nothing per item.
    """

    def __init__(self, console) -> None:
        self.console = console
        self.live = console.is_terminal and not console.is_dumb_terminal
        self.bar = None
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Reporter:
        return self

    def __call__(self, stage: str, done: int, total: int, item: str = "") -> None:
        if not self.live:
            if stage not in self.tasks:
                self.tasks[stage] = None
                self.console.print(f"{stage} ({total})", soft_wrap=True, highlight=False)
            return
        if self.bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), console=self.console, transient=True)
            self.bar.start()
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=total)
        label = f"{stage} {item}" if item else stage
        self.bar.update(self.tasks[stage], completed=done, total=total, description=label)

    def line(self, text: str) -> None:
        """A line of its own, printed above the bar."""
        self.console.print(text, soft_wrap=True, highlight=False)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
