"""The sample source: deterministic, complete, well-formed, and scripted with the regimes
its docstring promises (checked with small SPEC §5 helpers written here, not `signals`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.config import Config, parse_config
from generator.prices import COLUMNS, format_price_csv, parse_price_csv
from generator.sources.sample import load_sample

EXTRA = {"alts": ["ETH-USD", "SOL-USD", "XRP-USD", "BNB-USD", "ADA-USD", "PEPE-USD"],
         "flow_etfs": ["IWM", "IJR", "ZZSC"], "tickers": {"vix": "^VXX"}}


@pytest.fixture(scope="module")
def config() -> Config:
    return Config(root=Path("."))


@pytest.fixture(scope="module")
def prices(config):
    return load_sample(config)


# --- SPEC §5 helpers, on plain pandas -------------------------------------------------

def record_days(close: pd.Series) -> pd.Series:
    """True where the close is above every earlier close (the first close is not a record)."""
    return close > close.cummax().shift(1)


def breakout_days(close: pd.Series, gap: int = 63) -> pd.DatetimeIndex:
    """Record days whose previous record day is at least `gap` rows earlier."""
    pos = np.flatnonzero(record_days(close).to_numpy())
    keep = pos[1:][np.diff(pos) >= gap]
    return close.index[keep]


def iso_weeks(days: pd.DatetimeIndex) -> set[tuple[int, int]]:
    cal = days.isocalendar()
    return set(zip(cal.year, cal.week, strict=True))


def drawdown(close: pd.Series) -> pd.Series:
    return close / close.cummax() - 1


def altseason_share(prices, alts, btc: str, days: int = 90) -> pd.Series:
    """Share of alts (with closes on both days, at least 5) whose `days` return beats BTC's."""
    def ret(s: pd.Series) -> pd.Series:
        full = s.asfreq("D")
        return full / full.shift(days) - 1

    b = ret(prices[btc].close)
    table = pd.DataFrame({a: ret(prices[a].close) for a in alts}).reindex(b.index)
    counted = table.notna().sum(axis=1)
    beats = table.gt(b, axis=0).sum(axis=1)
    return (beats / counted).where((counted >= 5) & b.notna())


def btc_rut_corr(prices, window: int = 90) -> pd.Series:
    """Rolling correlation of daily log returns of BTC and ^RUT, both sampled on E."""
    rut = prices["^RUT"].close
    btc = prices["BTC-USD"].close.reindex(rut.index)
    rets = np.log(pd.DataFrame({"rut": rut, "btc": btc})).diff()
    return rets["btc"].rolling(window).corr(rets["rut"]).dropna()


# --- determinism and completeness --------------------------------------------------------

def test_two_calls_give_identical_frames(config, prices):
    again = load_sample(config)
    assert list(again) == list(prices)
    for ticker, frame in prices.items():
        pd.testing.assert_frame_equal(frame, again[ticker], check_exact=True)
        assert frame.to_csv() == again[ticker].to_csv()


def test_every_configured_ticker_in_order(config, prices):
    assert tuple(prices) == config.all_tickers


def test_extra_symbols_get_series_and_leave_the_others_alone(prices):
    cfg = parse_config(EXTRA, root=Path("."))
    extra = load_sample(cfg)
    assert tuple(extra) == cfg.all_tickers
    for ticker in ("PEPE-USD", "ZZSC", "^VXX"):
        frame = extra[ticker]
        assert len(frame) > 1000 and (frame.close > 0).all()
    assert (extra["PEPE-USD"].index.to_series().diff().dropna() == pd.Timedelta(days=1)).all()
    assert extra["ZZSC"].index.day_of_week.max() <= 4
    # a renamed role gets the role's series; shared tickers are unchanged by the extras
    pd.testing.assert_frame_equal(extra["^VXX"], prices["^VIX"], check_exact=True)
    for ticker in ("^RUT", "BTC-USD", "SOL-USD", "IJR"):
        pd.testing.assert_frame_equal(extra[ticker], prices[ticker], check_exact=True)
    assert not (extra["ZZSC"].adj_close == extra["ZZSC"].close).all()


def test_unknown_symbols_are_stable_and_distinct():
    cfg = parse_config({"alts": ["AAA-USD", "BBB-USD"]}, root=Path("."))
    a, b = load_sample(cfg), load_sample(cfg)
    pd.testing.assert_frame_equal(a["AAA-USD"], b["AAA-USD"], check_exact=True)
    assert not a["AAA-USD"].close.iloc[-50:].equals(a["BBB-USD"].close.iloc[-50:])


def test_writes_no_files(tmp_path):
    load_sample(Config(root=tmp_path))
    assert list(tmp_path.iterdir()) == []


# --- frame invariants --------------------------------------------------------------------

def test_frame_shape_and_index(prices):
    for ticker, frame in prices.items():
        assert tuple(frame.columns) == COLUMNS, ticker
        assert all(frame[c].dtype == np.float64 for c in COLUMNS), ticker
        idx = frame.index
        assert isinstance(idx, pd.DatetimeIndex) and idx.name == "date" and idx.tz is None
        assert idx.is_monotonic_increasing and idx.is_unique and idx.freq is None, ticker
        assert idx.dtype == "datetime64[ns]", ticker
        assert (idx == idx.normalize()).all(), ticker
        assert not frame.isna().any().any(), ticker


def test_calendars(config, prices):
    rut = prices["^RUT"].index
    assert rut[0] == pd.Timestamp("2008-01-02") and rut[-1] == pd.Timestamp("2026-10-30")
    for ticker, frame in prices.items():
        if ticker.endswith("-USD"):
            gaps = frame.index.to_series().diff().dropna()
            assert (gaps == pd.Timedelta(days=1)).all(), ticker
            assert frame.index[-1] == rut[-1]
        else:
            assert frame.index.day_of_week.max() <= 4, ticker
            assert frame.index.isin(rut).all(), ticker
    for year in range(2008, 2027):
        for month, day in ((1, 1), (7, 4), (12, 25)):
            assert pd.Timestamp(year, month, day) not in rut
    assert prices["BTC-USD"].index[0] == pd.Timestamp("2012-01-01")
    assert prices["ETH-USD"].index[0] == pd.Timestamp("2016-01-01")
    starts = sorted(prices[a].index[0] for a in config.alts if a != "ETH-USD")
    assert starts[0].year == 2017 and starts[-1] >= pd.Timestamp("2020-06-01")
    assert len(set(starts)) >= 8  # staggered


def test_prices_positive_and_bars_consistent(prices):
    for ticker, f in prices.items():
        assert (f[["open", "high", "low", "close", "adj_close"]] > 0).all().all(), ticker
        assert (f.low <= f[["open", "close"]].min(axis=1)).all(), ticker
        assert (f.high >= f[["open", "close"]].max(axis=1)).all(), ticker
        assert (f.volume >= 0).all() and (f.volume == f.volume.round()).all(), ticker
        moves = np.log(f.close).diff().abs().dropna()
        if not ticker.endswith("-USD") and ticker != "^VIX":
            assert moves.max() < np.log(1.5), ticker  # no >50% day on indices / ETFs


def test_adj_close(prices):
    for ticker, f in prices.items():
        if ticker.startswith("^") or ticker.endswith("-USD"):
            assert (f.adj_close == f.close).all(), ticker
        else:
            ratio = f.adj_close / f.close
            assert ratio.iloc[0] < 0.95 and ratio.iloc[-1] == pytest.approx(1.0, abs=1e-3)
            assert ratio.diff().dropna().min() > -1e-4, ticker  # factor only grows
            total = f.adj_close.iloc[-1] / f.adj_close.iloc[0]
            assert total > f.close.iloc[-1] / f.close.iloc[0], ticker


def test_csv_round_trip_is_exact_and_compact(prices):
    for ticker in ("^RUT", "HYG", "BTC-USD", "DOGE-USD"):
        text = format_price_csv(prices[ticker])
        back = parse_price_csv(text)
        pd.testing.assert_frame_equal(back, prices[ticker], check_exact=True)
        fields = [cell for line in text.splitlines()[1:] for cell in line.split(",")[1:6]]
        assert max(len(cell.replace(".", "").lstrip("0")) for cell in fields) <= 10, ticker


def test_crypto_open_is_previous_close(prices):
    btc = prices["BTC-USD"]
    assert (btc.open.iloc[1:].to_numpy() == btc.close.iloc[:-1].to_numpy()).all()


def test_realistic_volatility(prices):
    def vol(ticker: str) -> float:
        return float(np.log(prices[ticker].close).diff().loc["2012":].std())

    assert 0.011 < vol("^RUT") < 0.017
    assert 0.008 < vol("SPY") < 0.013
    assert vol("SPY") < vol("^RUT")
    assert 0.028 < vol("BTC-USD") < 0.045
    for alt in ("SOL-USD", "DOGE-USD", "LINK-USD"):
        assert 0.04 < vol(alt) < 0.065
    ratio = prices["IWM"].close / prices["^RUT"].close
    assert ratio.between(0.09, 0.105).all()


def test_vix(prices):
    vix = prices["^VIX"].close
    assert vix.min() >= 9 and vix.max() <= 85
    assert vix.loc["2020-03"].max() > 60 and vix.loc["2008-10":"2008-12"].max() > 60
    assert vix.loc["2017"].median() < 16
    spy = np.log(prices["SPY"].close).diff()
    assert np.log(vix).diff().corr(spy) < -0.4


def test_credit_ratio_falls_in_stress(prices):
    ratio = prices["HYG"].adj_close / prices["IEF"].adj_close
    for calm, stress in (("2008-08-29", "2008-11-20"), ("2020-02-20", "2020-03-18"),
                         ("2015-06-23", "2016-02-11")):
        assert ratio.asof(pd.Timestamp(stress)) < 0.92 * ratio.asof(pd.Timestamp(calm))


# --- scripted regimes --------------------------------------------------------------------

def test_rut_records_and_breakouts(prices):
    rut = prices["^RUT"].close
    assert record_days(rut).loc["2016":].sum() > 50
    days = breakout_days(rut)
    assert len(iso_weeks(days[days >= pd.Timestamp("2016-01-01")])) >= 4
    assert (days > rut.index[-1] - pd.Timedelta(days=365)).any()


def test_iwm_has_its_own_breakouts(prices):
    iwm = prices["IWM"].close
    days = breakout_days(iwm)
    assert len(iso_weeks(days[days >= pd.Timestamp("2016-01-01")])) >= 4


def test_deep_drawdowns_2020_and_2022(prices):
    dd = drawdown(prices["^RUT"].close)
    assert dd.loc["2020"].min() < -0.25
    assert dd.loc["2022"].min() < -0.25
    assert dd.loc["2008":"2009"].min() < -0.45


def test_spy_and_iwm_take_turns(prices):
    r = prices["IWM"].adj_close / prices["SPY"].adj_close
    rs = (r / r.shift(65) - 1).loc["2016":]
    assert rs.max() > 0.10 and rs.min() < -0.10
    assert r.asof(pd.Timestamp("2021-03-15")) > 1.15 * r.asof(pd.Timestamp("2020-10-30"))
    assert r.asof(pd.Timestamp("2020-03-18")) < 0.9 * r.asof(pd.Timestamp("2018-08-31"))


def test_btc_bull_and_bear_cycles(prices):
    btc = prices["BTC-USD"].close
    assert drawdown(btc).loc["2018"].min() < -0.6
    assert drawdown(btc).loc["2022"].min() < -0.6
    assert btc.loc["2021"].max() > 5 * btc.loc["2019"].min()


def test_btc_rut_correlation_changes_regime(prices):
    corr = btc_rut_corr(prices)
    assert corr.min() < 0.15 and corr.max() > 0.35
    assert corr.loc["2016":"2019"].abs().median() < 0.15
    assert corr.loc["2022"].median() > 0.35


def test_altseason_and_btc_dominance(config, prices):
    share = altseason_share(prices, config.alts, config.tickers.btc)
    assert share.loc[:"2017-08-31"].isna().all()  # fewer than 5 alts count early on
    after = share.loc["2020":]
    assert after.max() >= 0.75
    assert share.loc["2021"].max() >= 0.75
    assert share.loc["2025-09":"2025-12"].max() >= 0.75
    assert after.min() <= 0.25
    assert (after <= 0.25).sum() >= 60  # a long BTC-dominance stretch, not one day
