"""`riskon fetch` and `riskon build` against an unreachable Yahoo, importing CSV files into
the store, progress lines outside a terminal, and the exit codes of the README's table."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

import generator.sources.yahoo
from generator.cli import main
from generator.config import load_config
from generator.prices import format_price_csv, parse_price_csv
from generator.sources.sample import load_sample
from generator.sources.spec import ticker_filename
from generator.sources.validate import validate_prices

SAT_AFTER_LAST_BAR = "1793448000"  # 2026-10-31 12:00 UTC: the sample's Friday bar is the newest
TEN_DAYS_LATER = "1794312000"  # 2026-11-10 12:00 UTC


def run(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args])


class Offline(requests.Session):
    """No name resolves: every request fails the way a machine without network does."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        self.urls.append(url)
        host = url.split("/")[2]
        raise requests.ConnectionError(f"NameResolutionError: Failed to resolve '{host}'")


@pytest.fixture
def offline(monkeypatch) -> Offline:
    session = Offline()
    monkeypatch.setattr(generator.sources.yahoo, "_default_session", lambda: session)
    return session


@pytest.fixture
def store(project: Path) -> Path:
    """A project whose committed store holds the whole sample market."""
    for ticker, frame in load_sample(load_config(project)).items():
        path = project / "data" / "prices" / ticker_filename(ticker)
        path.write_text(format_price_csv(frame), encoding="utf-8")
    return project


def test_build_gives_up_on_yahoo_in_one_line_and_builds_from_the_store(
        store, offline, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", TEN_DAYS_LATER)
    before = {p.name: p.read_bytes() for p in (store / "data" / "prices").iterdir()}
    result = run(store, "build", "--since", "2026-09-01")
    assert result.exit_code == 6, result.output  # built, from stale inputs
    lines = result.output.splitlines()
    said = [line for line in lines if "Yahoo unreachable" in line]
    assert len(said) == 1, result.output
    assert "DNS lookup failed" in said[0] and "building from data/prices/" in said[0]
    assert "fetch failed" not in result.output and "delisted" not in result.output
    assert "warning: yfinance" not in result.output
    assert len(offline.urls) <= 4, offline.urls  # one look, not one per ticker
    # one plain line per stage (not a terminal), then the summary and what is stale
    assert "fetching prices (24)" in lines and any(
        line.startswith("rendering charts (") for line in lines)
    assert any(line.startswith("built ") for line in lines)
    assert any(line.startswith("stale inputs: ") and "^RUT (last 2026-10-30)" in line
               for line in lines)
    assert (store / "site" / "index.html").is_file()
    assert {p.name: p.read_bytes() for p in (store / "data" / "prices").iterdir()} == before


def test_fetch_with_yahoo_unreachable_exits_5_and_keeps_the_store(store, offline):
    before = {p.name: p.read_bytes() for p in (store / "data" / "prices").iterdir()}
    result = run(store, "fetch")
    assert result.exit_code == 5, result.output
    said = [line for line in result.output.splitlines() if "Yahoo unreachable" in line]
    assert len(said) == 1 and "nothing fetched, data/prices/ unchanged" in said[0]
    assert "fetch failed" not in result.output
    assert {p.name: p.read_bytes() for p in (store / "data" / "prices").iterdir()} == before
    assert not (store / "data" / "shares").exists()  # shares not even tried


def test_build_exit_codes_follow_the_clock(store, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SAT_AFTER_LAST_BAR)
    fresh = run(store, "build", "--no-fetch", "--since", "2026-10-01")
    assert fresh.exit_code == 0, fresh.output
    assert "stale inputs" not in fresh.output
    again = run(store, "build", "--no-fetch", "--since", "2026-10-01")
    assert again.exit_code == 0 and again.output.startswith("up to date")

    monkeypatch.setenv("SOURCE_DATE_EPOCH", TEN_DAYS_LATER)  # no new bar for ten days
    stale = run(store, "build", "--no-fetch", "--since", "2026-10-01")
    assert stale.exit_code == 6, stale.output
    assert "stale inputs: " in stale.output and "BTC-USD (last 2026-10-30)" in stale.output
    skipped = run(store, "build", "--no-fetch", "--since", "2026-10-01")
    assert skipped.output.startswith("up to date")
    assert skipped.exit_code == 6 and "BTC-USD (last 2026-10-30)" in skipped.output


def test_fetch_imports_a_csv_folder_into_the_store(project, csv_dir, tmp_path):
    result = run(project, "fetch", "--source", f"csv:{csv_dir}")
    assert result.exit_code == 0, result.output
    assert "imported from" in result.output
    assert "24 of 24 tickers into data/prices/" in result.output
    stored = {p.name: p.read_bytes() for p in (project / "data" / "prices").iterdir()}
    # every file as the boundary's quarantine keeps it (the sample has bars on NYSE holidays)
    expected = {}
    for path in csv_dir.iterdir():
        if path.is_file():
            frame, _ = validate_prices(path.stem.replace("_", "^"),
                                       parse_price_csv(path.read_text(encoding="utf-8")))
            expected[path.name] = format_price_csv(frame).encode("utf-8")
    assert stored == expected
    assert run(project, "fetch", "--source", f"csv:{csv_dir}").exit_code == 0
    assert {p.name: p.read_bytes() for p in (project / "data" / "prices").iterdir()} == stored

    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "IWM.csv").write_bytes((csv_dir / "IWM.csv").read_bytes())
    some = run(project, "fetch", "--source", f"csv:{partial}")
    assert some.exit_code == 6 and "^RUT: no file _RUT.csv in" in some.output
    assert {p.name: p.read_bytes() for p in (project / "data" / "prices").iterdir()} == stored


def test_fetch_import_validates_rows_before_the_store(project, csv_dir, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    text = (csv_dir / "SPY.csv").read_text(encoding="utf-8").splitlines()
    text[5] = text[5].split(",")[0] + ",1,1,1,-3,-3,1"  # a negative close
    (bad / "SPY.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    result = run(project, "fetch", "--source", f"csv:{bad}")
    assert result.exit_code == 6, result.output
    assert "SPY: rejected 1 bar with a non-positive close" in result.output
    spy = (project / "data" / "prices" / "SPY.csv").read_text(encoding="utf-8")
    assert ",-3," not in spy and text[5].split(",")[0] not in spy


@pytest.mark.parametrize("source", ["sample", "nonsense"])
def test_fetch_refuses_other_sources_as_a_command_line_error(project, source):
    result = run(project, "fetch", "--source", source)
    assert result.exit_code == 2 and "--source" in result.output


def test_the_exit_code_table_matches_the_code_and_help():
    import re

    from generator import errors

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    table = {int(m.group(1)): m.group(2) for m in re.finditer(r"^\| `(\d)` \| ([^|]+)\|",
                                                              section, re.MULTILINE)}
    codes = {getattr(errors, name) for name in dir(errors) if name.startswith("EXIT_")}
    assert set(table) == codes == set(range(7))
    help_text = CliRunner().invoke(main, ["--help"]).output
    for code in codes:
        assert re.search(rf"^\s+{code}\s+\S", help_text, re.MULTILINE), code
    assert "no usable market data" in table[errors.EXIT_DATA]
    assert "failed or stale" in table[errors.EXIT_STALE]
