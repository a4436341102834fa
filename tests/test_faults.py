"""When Yahoo fails: publish from the store, say what is stale, freeze nothing incomplete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import generator.sources.yahoo
from generator.cli import main
from generator.config import load_config
from generator.prices import format_price_csv
from generator.sources.sample import load_sample
from generator.sources.spec import ticker_filename
from generator.sources.yahoo import FetchResult
from generator.store.prices import load_price_csv


def run(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), *args])


@pytest.fixture
def store_project(project: Path) -> Path:
    """A project whose committed store holds the sample market, BTC three weeks short."""
    prices = load_sample(load_config(project))
    prices["BTC-USD"] = prices["BTC-USD"][prices["BTC-USD"].index <= "2026-10-09"]
    for ticker, frame in prices.items():
        path = project / "data" / "prices" / ticker_filename(ticker)
        path.write_text(format_price_csv(frame), encoding="utf-8")
    return project


def test_failed_fetch_publishes_the_store_with_a_staleness_notice(store_project, monkeypatch):
    calls = []

    def failing_fetch(config, **kwargs):
        calls.append(config)
        return FetchResult(prices={}, failures={"BTC-USD": "rate-limited by Yahoo (HTTP 429)"})

    monkeypatch.setattr(generator.sources.yahoo, "fetch_all", failing_fetch)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1793750400")  # 2026-11-03
    result = run(store_project, "build", "--since", "2026-09-01")
    assert calls, "the default source fetches first"
    assert result.exit_code == 6, result.output
    assert "BTC-USD" in result.output and "429" in result.output
    site = store_project / "site"
    home = site.joinpath("index.html").read_text(encoding="utf-8")
    assert "Inputs without a price" in home and "BTC-USD" in home and "9 October 2026" in home
    latest = json.loads(site.joinpath("data", "latest.json").read_text())
    assert latest["stale_inputs"] == [{"ticker": "BTC-USD", "last_date": "2026-10-09"}]
    assert latest["components"]["btc_trend"]["score"] is None
    frozen = {p.stem for p in (store_project / "data" / "issues").glob("*.json")}
    assert "2026-W41" in frozen  # complete, every input present
    assert not frozen & {"2026-W42", "2026-W43", "2026-W44"}  # BTC missing: never frozen


def test_store_is_never_shortened_by_a_failed_fetch(store_project, monkeypatch):
    before = {p.name: p.read_bytes() for p in (store_project / "data" / "prices").iterdir()}
    config = load_config(store_project)

    spy_tail = load_price_csv(store_project / "data" / "prices" / "SPY.csv").tail(2)

    def fake_prices(tickers, starts, **kwargs):  # a partial batch: SPY's last two days only
        return FetchResult(prices={"SPY": spy_tail},
                           failures={t: "network error" for t in tickers if t != "SPY"})

    monkeypatch.setattr(generator.sources.yahoo, "fetch_prices", fake_prices)
    result = generator.sources.yahoo.fetch_into_store(config)
    assert "BTC-USD" in result.failures and "SPY" not in result.failures
    after = {p.name: p.read_bytes() for p in (store_project / "data" / "prices").iterdir()}
    assert after == before  # failed tickers untouched; SPY merged without losing a row


def test_missing_input_file_gives_na_and_a_smaller_score(project, csv_dir, tmp_path):
    partial = tmp_path / "partial"
    partial.mkdir()
    for path in csv_dir.iterdir():
        if path.name != "HYG.csv":
            (partial / path.name).write_bytes(path.read_bytes())
    result = run(project, "build", "--source", f"csv:{partial}", "--since", "2026-10-01")
    assert result.exit_code == 6, result.output  # built, with an input missing: exit 6
    assert "stale inputs: HYG (last never)" in result.output
    latest = json.loads((project / "site" / "data" / "latest.json").read_text())
    assert latest["components"]["credit_13w"]["score"] is None
    assert latest["score"] is not None
    html = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "HYG" in html and "6 of 7" in html
