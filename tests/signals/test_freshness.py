"""The prices' age by the build clock: which day each input should have reached, the
site-wide notice (pages and feed), and the build naming the stale inputs."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import feedparser
import pandas as pd
from click.testing import CliRunner

from generator.cli import main
from generator.config import Config
from generator.format import fmt_data_age
from generator.signals.freshness import compute_data_age, last_trading_day, weekday

D = dt.date


def frame(last: str, days: int = 5) -> pd.DataFrame:
    index = pd.date_range(end=last, periods=days, freq="D", name="date")
    return pd.DataFrame({"close": range(days)}, index=index, dtype="float64")


def test_last_trading_day_skips_the_build_day_weekends_and_nyse_holidays():
    assert last_trading_day(D(2026, 12, 3)) == D(2026, 12, 2)  # Thursday -> Wednesday
    assert last_trading_day(D(2026, 12, 7)) == D(2026, 12, 4)  # Monday -> Friday
    assert last_trading_day(D(2026, 12, 6)) == D(2026, 12, 4)  # Sunday -> Friday
    assert last_trading_day(D(2026, 11, 27)) == D(2026, 11, 25)  # Thanksgiving
    assert last_trading_day(D(2026, 4, 4)) == D(2026, 4, 2)  # Good Friday (not a US holiday)
    assert last_trading_day(D(2026, 4, 4), weekday) == D(2026, 4, 3)


def small_config() -> Config:
    return Config(root=Path("."), alts=(), flow_etfs=())


def test_current_prices_are_not_stale_and_a_day_behind_is():
    cfg = small_config()
    prices = {t: frame("2026-12-02") for t in cfg.all_tickers}
    age = compute_data_age(cfg, prices, D(2026, 12, 3))
    assert age is not None and not age.stale and age.stale_inputs == ()
    prices["BTC-USD"] = frame("2026-12-01")
    prices["^RUT"] = frame("2026-12-01")
    age = compute_data_age(cfg, prices, D(2026, 12, 3))
    assert age.stale and age.days == 2
    assert [(s.ticker, s.last_date) for s in age.stale_inputs] == [
        ("^RUT", D(2026, 12, 1)), ("BTC-USD", D(2026, 12, 1))]


def test_weekend_build_expects_friday_for_equities_and_saturday_for_crypto():
    cfg = small_config()
    prices = {t: frame("2026-12-04") for t in cfg.all_tickers}  # Friday
    age = compute_data_age(cfg, prices, D(2026, 12, 6))  # Sunday
    assert age is not None and not age.stale
    assert {s.ticker for s in age.stale_inputs} == {"BTC-USD", "ETH-USD"}  # crypto: Saturday
    assert age.expected == D(2026, 12, 4) and age.expected_crypto == D(2026, 12, 5)


def test_missing_input_is_stale_and_no_rut_means_no_age():
    cfg = small_config()
    prices = {t: frame("2026-12-02") for t in cfg.all_tickers if t != "HYG"}
    age = compute_data_age(cfg, prices, D(2026, 12, 3))
    assert [(s.ticker, s.last_date) for s in age.stale_inputs] == [("HYG", None)]
    assert compute_data_age(cfg, {"HYG": frame("2026-12-02")}, D(2026, 12, 3)) is None


def test_notice_wording():
    assert fmt_data_age(D(2026, 2, 20), D(2026, 12, 2)) == (
        "Prices last updated 20 February 2026, 285 days before this build (2 December 2026)")
    assert fmt_data_age(D(2026, 12, 1), D(2026, 12, 2)).endswith(
        "1 day before this build (2 December 2026)")


def epoch(day: dt.date) -> str:
    return str(calendar.timegm(day.timetuple()) + 12 * 3600)


def build(project: Path, csv_dir: Path, out: Path):
    return CliRunner().invoke(main, ["--project", str(project), "build", "--source",
                                     f"csv:{csv_dir}", "--since", "2026-10-01",
                                     "--out", str(out)])


def test_every_page_and_the_feed_say_how_old_the_prices_are(project, csv_dir, monkeypatch,
                                                            tmp_path):
    # The CSV market ends Friday 30 October 2026; built on 3 December 2026 it is stale.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(D(2026, 12, 3)))
    result = build(project, csv_dir, tmp_path / "a")
    assert result.exit_code in (0, 6), result.output
    notice = "Prices last updated 30 October 2026, 34 days before this build (3 December 2026)"
    assert notice in result.output and "^RUT (last 2026-10-30)" in result.output
    pages = sorted((tmp_path / "a").rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        assert notice in page.read_text(encoding="utf-8"), page
    feed = feedparser.parse((tmp_path / "a" / "feed.xml").read_bytes())
    assert feed.entries and all(notice in e.content[0].value for e in feed.entries)
    # Same clock, same inputs: the same bytes.
    assert build(project, csv_dir, tmp_path / "b").exit_code in (0, 6)
    for page in (tmp_path / "a").rglob("*"):
        if page.is_file() and not page.name.startswith("."):
            assert page.read_bytes() == (tmp_path / "b" / page.relative_to(tmp_path / "a")
                                         ).read_bytes(), page


def test_current_prices_show_no_notice(project, csv_dir, monkeypatch, tmp_path):
    # Sunday 1 November 2026: Friday 30 October is the last trading day expected.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch(D(2026, 11, 1)))
    result = build(project, csv_dir, tmp_path / "a")
    assert result.exit_code == 0, result.output
    assert "Prices last updated" not in result.output
    assert "Prices last updated" not in (tmp_path / "a" / "index.html").read_text("utf-8")
