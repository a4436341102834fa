"""The `sample` source: a deterministic synthetic market for demos and tests.

`load_sample(config)` returns a price frame for every symbol of `config.all_tickers`. The
numbers come from numpy's `default_rng` with a fixed seed, one stream per series (keyed by
`zlib.crc32` of its name), so every call gives identical frames, whatever the clock, the
hash seed or the other configured tickers. Nothing is read or written.

How the series are made. Each core series is a log-price path pinned to hand-written knots
(the tables below) by a Brownian bridge: linear interpolation between knots plus fat-tailed
noise whose volatility follows a regime schedule. The knots script the regimes; the noise
makes the paths look like markets. Equities and indices trade on US business days from
2008-01-02 to 2026-10-30 (1 Jan, 4 Jul and 25 Dec skipped); crypto trades every calendar day.

- `^RUT`: daily vol about 1.3% (0.7% calm, 4.7% in the 2020 crash). `IWM` = `^RUT`/10 less
  0.19%/yr with a little tracking noise (so its breakouts are the index's). `IJR`, `VB`,
  `VTWO` (from 2010-09-22) and `SCHA` (from 2009-11-03) track `^RUT` with their own drift.
- `SPY` = 0.72 x the `^RUT` shocks plus its own, pinned to its knots: about 1% daily.
- `^VIX`: mean-reverting log level around the regime's implied vol, pushed up by `SPY`
  down days (correlation of daily changes about -0.65), kept within 9-85.
- `HYG` and `IEF` pinned to knots so that `HYG/IEF` falls in every stress regime.
- `BTC-USD` from 2012-01-01 (daily vol about 3.5%) = its own shocks + beta(t) x the
  `^RUT` shocks, beta 0 until 2019, 1.3-1.5 in 2020-22, 0.1 in 2023, 1.0-1.2 in 2024-26
  and 0.4 at the end: the 90-day BTC/`^RUT` correlation swings between 0 and 0.4-0.7.
- `ETH-USD` from 2016-01-01 pinned to its own knots. The other alts (daily vol about 5%)
  = BTC + loading x a common "alt factor" + own noise, pinned from a start price to an
  end price; they start on staggered dates (LTC 2017-03 ... AVAX 2020-09), so the
  altseason index has fewer than 5 alts until late 2017 and new alts enter 90 days late.
- ETFs: `adj_close` = `close` x a backward dividend factor (quarterly, monthly for HYG and
  IEF; equal to `close` on the last day), so total return beats price return. Indices
  and crypto: `adj_close` == `close`. Crypto `open` is the previous close.
- Unknown symbols get a generic series from `crc32(name)`: `-USD` a late-starting alt,
  `^...` an index following `^RUT`, anything else an ETF following `^RUT`.

Scripted regimes, as generated (tests check the properties; E-day = a ^RUT trading day;
"breakout" = a ^RUT record whose previous record is at least 63 E-days earlier; "altseason"
and "dominance" = at least / at most 25% of the alts beating BTC over 90 days):

| dates | what happens |
|---|---|
| 2008-09 .. 2009-04 | GFC: ^RUT -61%, VIX 84, HYG/IEF -39% |
| 2010-12-01 | ^RUT breakout over the 2008-06 record; 2011-08..10 ^RUT -34%, VIX 55 |
| 2012-01-01 | BTC starts at $5; bubble to $1185 in 2013-12, bear to $165 in 2015 |
| 2013-04-29, 2015-03-16 | ^RUT breakouts; records until 2015-06 |
| 2015-06 .. 2016-05 | ^RUT -34%, VIX 43, HYG/IEF -20% |
| 2016-01-01 | ETH starts at $0.95; other alts start 2017-03 (LTC) .. 2020-09 (AVAX) |
| 2016-11-21 | ^RUT breakout after a 374 E-day base; IWM beats SPY by 17% in 2016 |
| 2012 .. 2019 | BTC/^RUT 90-day correlation near 0 (beta 0) |
| 2017-07-24, 2018-04-11 | ^RUT breakouts (the second after the 2018-02 VIX spike); VIX 12 in 2017 |
| 2017-11-13 | first altseason value (5 alts with 90 days of closes); altseason to 2018-02 |
| 2017-12 .. 2018-12 | BTC $21k -> $3.1k |
| 2018-04 .. 2019-05 | long BTC dominance |
| 2018-07 .. 2020-12 | ^RUT record 2018-07, -31% by 2018-12, then a 619 E-day base |
| 2018-08 .. 2020-03 | SPY beats IWM by 32% |
| 2020-02 .. 2020-03 | COVID crash: ^RUT -47%, VIX 83, HYG/IEF -27%, BTC $4.2k; corr 0.4-0.6 |
| 2020-04 .. 2020-08 | alt rally (altseason) |
| 2020-11 .. 2021-03 | ^RUT breakout 2020-12-17; IWM beats SPY by 26%; BTC-led crypto run |
| 2021-02 .. 2021-07 | altseason; BTC $80k in 2021-05; ^RUT breakout 2021-11-04 |
| 2021-11 .. 2023-10 | bear: ^RUT -35% (2022-06), SPY beats IWM by 34%; BTC $14k; corr ~0.6 |
| 2022-06 .. 2022-12 | BTC dominance |
| 2023 | correlation falls to ~0 (median 0.12); alt bounce 2023-02..04 |
| 2024-05 .. 2024-11 | BTC dominance; ^RUT breakout 2024-10-07 after a 755 E-day base |
| 2024-08, 2025-04 | VIX spikes (39, 60); 2025-04 tariff shock ^RUT -31%; corr ~0.55 in 2025 |
| 2025-03 .. 2025-06 | BTC dominance |
| 2025-09 .. 2026-01 | altseason while BTC falls from $132k to $72k; ^RUT breakout 2025-10-17 |
| 2026-01-28, 2026-09-01 | ^RUT breakouts in the final year (bases of 71 and 133 E-days) |
| 2026-03 .. 2026-05 | BTC dominance; BTC back to $107k by 2026-10; data end 2026-10-30 |
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from generator.config import Config
from generator.prices import COLUMNS, Prices

SEED = 20080102
START = "2008-01-02"
CRYPTO_START = "2012-01-01"
END = "2026-10-30"
HOLIDAYS = ((1, 1), (7, 4), (12, 25))

# date, ^RUT, SPY, HYG, IEF: equity levels the paths are pinned to.
_EQUITY_KNOTS = """
2008-01-02  750 146  98  88 | 2008-05-30  755 140  95  89 | 2008-09-02  730 128  90  91
2008-11-20  385  75  60 100 | 2009-01-06  510  93  72  98 | 2009-03-09  343  68  66  94
2010-04-23  740 122  88  90 | 2010-07-02  590 101  84  97 | 2011-04-29  865 136  92  94
2011-07-07  860 135  91  96 | 2011-10-03  610 110  84 104 | 2012-03-26  845 142  91 104
2012-06-04  737 128  88 108 | 2012-09-14  865 147  92 106 | 2012-11-15  770 135  90 107
2013-12-31 1160 184  94 100 | 2014-03-04 1208 187  95 101 | 2014-10-13 1050 187  91 105
2014-12-31 1200 205  90 105 | 2015-06-23 1295 212  90 103 | 2015-09-28 1100 188  82 107
2015-12-01 1200 210  84 106 | 2016-02-11  953 183  77 112 | 2016-09-01 1240 218  87 113
2016-12-09 1388 226  87 104 | 2017-03-01 1410 239  88 104 | 2017-05-17 1350 236  88 106
2017-12-29 1545 267  87 104 | 2018-01-24 1610 284  87 102 | 2018-02-08 1460 258  85 101
2018-06-20 1700 276  85 101 | 2018-08-31 1740 290  86 101 | 2018-12-24 1267 235  81 104
2019-04-30 1590 295  87 106 | 2019-08-05 1480 283  86 113 | 2019-10-15 1500 297  87 111
2019-12-31 1670 322  88 110 | 2020-01-17 1705 332  88 111 | 2020-02-20 1680 336  88 114
2020-03-18  991 240  68 121 | 2020-06-08 1530 323  84 121 | 2020-10-30 1540 327  84 121
2020-12-31 1975 374  88 121 | 2021-03-15 2360 396  88 114 | 2021-05-12 2150 405  87 115
2021-11-08 2442 468  88 115 | 2022-01-27 1930 430  84 112 | 2022-03-29 2130 460  84 108
2022-06-16 1650 366  72 102 | 2022-08-16 2020 429  78 102 | 2022-10-13 1680 357  70  95
2023-02-02 2000 416  77  98 | 2023-03-23 1720 394  74  99 | 2023-07-31 2000 458  76  96
2023-10-27 1636 410  73  89 | 2023-12-29 2027 475  77  96 | 2024-04-17 1950 500  76  92
2024-07-16 2260 560  78  94 | 2024-08-05 2050 517  77  97 | 2024-11-25 2467 598  80  95
2025-01-10 2180 580  79  92 | 2025-02-28 2160 594  80  95 | 2025-04-02 2030 564  78  95
2025-04-08 1760 496  74  97 | 2025-07-31 2200 632  80  95 | 2025-09-18 2480 661  81  96
2025-10-15 2510 665  81  97 | 2025-11-20 2300 650  80  97 | 2026-01-20 2420 688  81  96
2026-03-12 2640 700  82  96 | 2026-05-20 2400 670  80  97 | 2026-07-14 2470 690  81  97
2026-09-15 2780 715  82  96 | 2026-10-30 2720 712  82  96
"""

# Equity volatility multiplier (1 = ^RUT 1.05% a day, SPY 0.85%), interpolated between dates.
_EQUITY_VOL = """
2008-01-02 1.5 | 2008-08-31 1.5 | 2008-10-10 3.7 | 2008-12-31 3.0 | 2009-04-30 1.8
2009-12-31 1.1 | 2010-04-20 0.9 | 2010-05-20 2.0 | 2010-08-31 1.2 | 2011-07-25 0.9
2011-08-10 2.8 | 2011-11-30 1.7 | 2012-03-31 1.0 | 2013-01-31 0.8 | 2015-08-17 0.9
2015-08-24 2.4 | 2015-09-30 1.4 | 2016-02-15 1.6 | 2016-06-30 1.0 | 2017-01-31 0.7
2018-01-26 0.6 | 2018-02-05 2.2 | 2018-02-28 1.2 | 2018-09-30 0.85 | 2018-12-24 2.0
2019-02-28 1.0 | 2019-12-31 0.8 | 2020-02-20 0.85 | 2020-03-16 4.5 | 2020-05-15 2.0
2020-12-31 1.4 | 2021-06-30 1.0 | 2021-12-31 1.2 | 2022-03-31 1.7 | 2022-06-16 2.0
2022-12-31 1.5 | 2023-06-30 1.0 | 2024-03-31 0.75 | 2024-07-31 0.8 | 2024-08-05 2.4
2024-08-20 1.0 | 2025-04-02 1.1 | 2025-04-08 3.4 | 2025-04-30 1.6 | 2025-05-31 1.2
2025-10-15 0.9 | 2026-10-30 1.0
"""

_BTC_KNOTS = """
2012-01-01 5.3 | 2012-08-17 15 | 2012-10-25 10.5 | 2013-04-09 230 | 2013-07-05 68
2013-12-04 1150 | 2014-04-10 360 | 2014-06-03 670 | 2015-01-14 180 | 2015-11-04 400
2016-01-15 380 | 2016-06-17 750 | 2016-08-02 530 | 2017-01-04 1130 | 2017-03-24 890
2017-06-11 2950 | 2017-07-16 1930 | 2017-12-17 19500 | 2018-02-06 6900 | 2018-05-05 9800
2018-12-15 3200 | 2019-06-26 12900 | 2019-12-17 6600 | 2020-02-13 10300 | 2020-03-12 4900
2020-07-20 9200 | 2020-12-31 29000 | 2021-04-14 63500 | 2021-07-20 29800 | 2021-11-09 67500
2022-01-22 35000 | 2022-03-28 47500 | 2022-06-18 19000 | 2022-11-21 15800 | 2023-04-14 30500
2023-09-11 25100 | 2023-12-31 42300 | 2024-03-14 73000 | 2024-09-06 54000 | 2024-12-17 106000
2025-04-08 76000 | 2025-07-14 121000 | 2025-08-22 112000 | 2025-10-06 124000 | 2025-11-21 85000
2026-02-05 70000 | 2026-06-30 92000 | 2026-10-30 104000
"""

_ETH_KNOTS = """
2016-01-01 0.95 | 2016-06-17 20 | 2016-12-20 7.5 | 2017-06-12 390 | 2017-07-16 155
2018-01-13 1390 | 2018-12-15 84 | 2019-06-26 335 | 2020-03-12 110 | 2020-09-01 480
2020-12-31 737 | 2021-05-11 4170 | 2021-07-20 1790 | 2021-11-09 4810 | 2022-06-18 990
2022-08-13 2000 | 2022-11-21 1100 | 2023-12-31 2280 | 2024-03-12 4070 | 2024-08-05 2300
2024-12-16 4000 | 2025-04-08 1470 | 2025-06-30 2400 | 2025-08-24 4900 | 2025-10-06 4500
2025-12-15 4100 | 2026-03-10 2600 | 2026-06-30 3300 | 2026-10-30 3800
"""

# Log of the common alt factor: alts gain on BTC when it rises (altseason), lose when it falls.
_ALT_FACTOR = """
2012-01-01 0 | 2016-12-31 0 | 2017-06-15 1.0 | 2017-09-15 0.6 | 2018-01-08 1.5
2018-04-30 1.2 | 2018-12-15 0.3 | 2019-06-26 -0.2 | 2019-12-31 -0.3 | 2020-03-12 -0.5
2020-09-01 0.1 | 2020-12-31 -0.3 | 2021-05-12 1.1 | 2021-07-20 0.7 | 2021-11-09 0.9
2022-06-18 0.4 | 2022-11-21 0.1 | 2023-12-31 0.2 | 2024-03-14 0.3 | 2024-08-05 -0.2
2024-11-10 -0.5 | 2024-12-08 -0.2 | 2025-06-30 -1.0 | 2025-08-31 -0.85 | 2025-12-15 0.05
2026-04-30 -0.2 | 2026-10-30 -0.3
"""

# Crypto volatility multiplier (1 = own shocks of 2.7% a day for BTC, 3% for the alts).
_CRYPTO_VOL = """
2012-01-01 1.6 | 2013-12-31 1.8 | 2015-06-30 1.1 | 2016-06-30 0.9 | 2017-06-30 1.3
2018-01-31 1.5 | 2018-06-30 1.0 | 2019-06-30 1.1 | 2020-02-29 1.0 | 2020-03-12 2.5
2020-05-15 1.1 | 2021-01-31 1.4 | 2021-06-30 1.4 | 2022-06-30 1.0 | 2023-03-31 0.8
2024-03-31 0.9 | 2025-03-31 0.8 | 2026-10-30 0.9
"""

# BTC's loading on ^RUT shocks: sets the BTC/^RUT correlation regime.
_BTC_BETA = """
2012-01-01 0 | 2019-12-31 0 | 2020-03-01 1.3 | 2021-12-31 1.5 | 2022-12-31 1.3
2023-05-01 0.1 | 2023-12-31 0.1 | 2024-06-30 1.0 | 2025-06-30 1.2 | 2026-02-28 1.1
2026-10-30 0.4
"""

# alt: start date, first close, last close, loading on the alt factor.
_ALTS = {
    "LTC-USD": ("2017-03-01", 4.3, 110.0, 0.8),
    "XRP-USD": ("2017-05-01", 0.08, 2.4, 1.0),
    "BCH-USD": ("2017-08-01", 380.0, 520.0, 0.9),
    "XLM-USD": ("2017-08-15", 0.02, 0.38, 1.0),
    "ADA-USD": ("2017-10-01", 0.025, 0.75, 1.3),
    "BNB-USD": ("2017-11-09", 2.0, 900.0, 0.9),
    "TRX-USD": ("2017-11-20", 0.0024, 0.30, 0.8),
    "DOGE-USD": ("2017-12-01", 0.0012, 0.21, 1.4),
    "LINK-USD": ("2019-01-01", 0.30, 18.0, 1.2),
    "SOL-USD": ("2020-04-10", 0.95, 190.0, 1.3),
    "DOT-USD": ("2020-08-20", 2.9, 4.5, 1.2),
    "AVAX-USD": ("2020-09-22", 4.5, 25.0, 1.4),
}

# ETF: ^RUT scale, log drift against ^RUT over the whole history, first date.
_TRACKERS = {
    "IJR": (0.043, 0.07, START),
    "VB": (0.0907, 0.08, START),
    "VTWO": (0.0400, -0.03, "2010-09-22"),
    "SCHA": (0.0115, 0.02, "2009-11-03"),
}

# Dividend yield a year and payments a year (ETFs only).
_DIVIDENDS = {"IWM": (0.013, 4), "SPY": (0.017, 4), "HYG": (0.055, 12), "IEF": (0.023, 12),
              "IJR": (0.015, 4), "VB": (0.016, 4), "VTWO": (0.013, 4), "SCHA": (0.014, 4)}

# Typical daily volume: shares for equities, USD at the first close for crypto.
_VOLUME = {"^RUT": 4e9, "IWM": 3e7, "SPY": 8e7, "^VIX": 0.0, "HYG": 2.5e7, "IEF": 8e6,
           "IJR": 4e6, "VB": 7e5, "VTWO": 1e6, "SCHA": 6e5, "BTC-USD": 2.5e5, "ETH-USD": 1e6}


def load_sample(config: Config) -> Prices:
    """Synthetic price frames for every ticker of `config.all_tickers`, identical every call."""
    m = _Market()
    t = config.tickers
    roles = {t.rut: "^RUT", t.iwm: "IWM", t.spy: "SPY", t.vix: "^VIX", t.hyg: "HYG",
             t.ief: "IEF", t.btc: "BTC-USD", t.eth: "ETH-USD"}
    prices: Prices = {}
    for ticker in config.all_tickers:
        profile = roles.get(ticker, ticker)
        dates, log_close = m.series(profile)
        prices[ticker] = _frame(profile, dates, log_close)
    return prices


def _rng(key: str) -> np.random.Generator:
    return np.random.default_rng([SEED, zlib.crc32(key.encode("utf-8"))])


def _shocks(key: str, n: int) -> np.ndarray:
    """Unit-variance fat-tailed (Student t, 4 dof) shocks, clipped at 8 sigma."""
    return np.clip(_rng(key).standard_t(4, n) / np.sqrt(2.0), -8.0, 8.0)


def _days(dates) -> np.ndarray:
    return pd.DatetimeIndex(dates).as_unit("ns").asi8 / 86_400e9


def _table(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Knot table `date v1 v2 ... | date ...` -> (day numbers, one row of values per date)."""
    rows = [cell.split() for line in text.strip().splitlines() for cell in line.split("|")]
    return _days([r[0] for r in rows]), np.array([[float(x) for x in r[1:]] for r in rows])


def _bridge(t: np.ndarray, increments: np.ndarray, knot_t, knot_v) -> np.ndarray:
    """Path through the knots: their linear interpolation plus the walk's Brownian bridge."""
    walk = np.cumsum(increments)
    return np.interp(t, knot_t, knot_v) + walk - np.interp(t, knot_t, np.interp(knot_t, t, walk))


def _equity_dates() -> pd.DatetimeIndex:
    days = pd.bdate_range(START, END, name="date")
    holiday = np.zeros(len(days), bool)
    for month, day in HOLIDAYS:
        holiday |= (days.month == month) & (days.day == day)
    return days[~holiday]


class _Market:
    """The shared factors (equity shocks, BTC, alt factor) on the equity and crypto calendars."""

    def __init__(self) -> None:
        self.edates = _equity_dates()
        te = self.t_e = _days(self.edates)
        n = len(te)
        kt, kv = _table(_EQUITY_KNOTS)
        vt, vv = _table(_EQUITY_VOL)
        self.vol = np.interp(te, vt, vv[:, 0])
        self.rut_shock = 0.0105 * self.vol * _shocks("equity:^RUT", n)
        spy = 0.72 * self.rut_shock + 0.0045 * self.vol * _shocks("equity:SPY", n)
        hyg = 0.18 * self.rut_shock + 0.0025 * self.vol * _shocks("equity:HYG", n)
        ief = -0.06 * self.rut_shock + 0.003 * _shocks("equity:IEF", n)
        self.equity = {
            name: _bridge(te, inc, kt, np.log(kv[:, i]))
            for i, (name, inc) in enumerate(
                (("^RUT", self.rut_shock), ("SPY", spy), ("HYG", hyg), ("IEF", ief)))
        }
        self.equity["^VIX"] = _vix(self.vol, spy, _shocks("equity:^VIX", n))

        self.cdates = pd.date_range(CRYPTO_START, END, freq="D", name="date")
        tc = self.t_c = _days(self.cdates)
        nc = len(tc)
        self.cvol = np.interp(tc, *_column(_CRYPTO_VOL))
        beta = np.interp(tc, *_column(_BTC_BETA))
        equity_on_c = np.zeros(nc)
        equity_on_c[self.cdates.get_indexer(self.edates[self.edates >= self.cdates[0]])] = (
            self.rut_shock[self.edates >= self.cdates[0]])
        btc_inc = beta * equity_on_c + 0.027 * self.cvol * _shocks("crypto:BTC-USD", nc)
        bt, bv = _table(_BTC_KNOTS)
        self.btc = _bridge(tc, btc_inc, bt, np.log(bv[:, 0]))
        at, av = _table(_ALT_FACTOR)
        alt_inc = 0.008 * self.cvol * _shocks("crypto:alt-factor", nc)
        self.alt_factor = _bridge(tc, alt_inc, at, av[:, 0])

    def series(self, profile: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """(dates, log closes) of one series."""
        if profile in self.equity:
            return self.edates, self.equity[profile]
        if profile == "IWM":
            years = (self.t_e - self.t_e[0]) / 365.25
            noise = 0.0008 * _shocks("equity:IWM", len(years))
            return self.edates, self.equity["^RUT"] + np.log(0.1) - 0.0019 * years + noise
        if profile == "BTC-USD":
            return self.cdates, self.btc
        if profile == "ETH-USD":
            i0 = self.cdates.searchsorted(pd.Timestamp("2016-01-01"))
            n = len(self.cdates) - i0
            inc = np.diff(self.btc[i0 - 1:]) + 0.03 * self.cvol[i0:] * _shocks("crypto:ETH", n)
            et, ev = _table(_ETH_KNOTS)
            return self.cdates[i0:], _bridge(self.t_c[i0:], inc, et, np.log(ev[:, 0]))
        if profile in _ALTS:
            return self._alt(profile, *_ALTS[profile])
        if profile in _TRACKERS:
            scale, drift, start = _TRACKERS[profile]
            return self._tracker(profile, start, scale, 1.0, 0.0035, drift)
        h = zlib.crc32(profile.encode("utf-8"))
        if profile.endswith("-USD"):
            start = (pd.Timestamp("2017-01-01") + pd.Timedelta(days=h % 1650)).strftime("%Y-%m-%d")
            return self._alt(profile, start, 10 ** ((h >> 11) % 500 / 100 - 3), None,
                             0.7 + (h >> 3) % 8 / 10)
        level = 100 + (h >> 7) % 4900 if profile.startswith("^") else 20 + (h >> 7) % 180
        return self._tracker(profile, START, level / 750, 0.8 + (h >> 3) % 5 / 10, 0.007,
                             ((h >> 13) % 9 - 4) / 10)

    def _tracker(self, key: str, start: str, scale: float, beta: float, sigma: float,
                 drift: float) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """A series following ^RUT with loading `beta`, own noise and a total log drift."""
        i0 = self.edates.searchsorted(pd.Timestamp(start))
        rut = self.equity["^RUT"][i0:]
        n = len(rut)
        own = sigma * self.vol[i0:] * _shocks("equity:" + key, n)
        own[0] = 0.0
        rel = _bridge(np.arange(n, dtype=float), own, [0.0, n - 1.0], [0.0, drift])
        return self.edates[i0:], np.log(scale) + rut[0] + beta * (rut - rut[0]) + rel

    def _alt(self, key: str, start: str, first: float, last: float | None,
             loading: float) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """BTC x the alt factor x own noise, from the first close to the last (when given)."""
        i0 = self.cdates.searchsorted(pd.Timestamp(start))
        n = len(self.cdates) - i0
        base = (self.btc[i0:] - self.btc[i0]) + loading * (self.alt_factor[i0:]
                                                           - self.alt_factor[i0])
        # Own moves mean-revert (half-life 120 days): big 90-day swings, no runaway levels.
        own = _ar1(0.033 * self.cvol[i0:] * _shocks("crypto:" + key, n), 0.5 ** (1 / 120))
        if last is None:
            idio = own - own[0]
        else:
            end = np.log(last / first) - base[-1]
            idio = _bridge(np.arange(n, dtype=float), np.diff(own, prepend=own[0]),
                           [0.0, n - 1.0], [0.0, end])
        return self.cdates[i0:], np.log(first) + base + idio


def _column(text: str) -> tuple[np.ndarray, np.ndarray]:
    t, v = _table(text)
    return t, v[:, 0]


def _ar1(push: np.ndarray, phi: float, first: float = 0.0) -> np.ndarray:
    """x[i] = phi * x[i-1] + push[i], from x[-1] = first."""
    out = np.empty(len(push))
    level = first
    for i, p in enumerate(push.tolist()):
        level = phi * level + p
        out[i] = level
    return out


def _vix(vol: np.ndarray, spy_shock: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Log ^VIX: the regime's implied vol plus a mean-reverting jump when SPY falls."""
    level = 17.5 * vol * np.exp(_ar1(-4.0 * spy_shock + 0.05 * z, 0.9))
    # Saturate smoothly into (9, 85) rather than clip: no flat tops.
    level = np.where(level > 60, 60 + 25 * np.tanh((level - 60) / 25), level)
    level = np.where(level < 11, 11 - 2 * np.tanh((11 - level) / 2), level)
    return np.log(level)


def _frame(profile: str, dates: pd.DatetimeIndex, log_close: np.ndarray) -> pd.DataFrame:
    """Price frame with consistent open/high/low/volume around the given closes."""
    n = len(dates)
    crypto = profile.endswith("-USD")
    close = np.exp(log_close)
    r = np.diff(log_close, prepend=log_close[0])
    size = np.abs(r)
    size[0] = size[1:21].mean()  # the first day has no return: borrow the next weeks' size
    typical = pd.Series(size).ewm(span=20).mean().to_numpy() * 1.25 + 1e-4
    z = _rng("bars:" + profile).standard_normal((4, n))
    prev = np.concatenate(([close[0] * np.exp(0.3 * typical[0] * z[0, 0])], close[:-1]))
    open_ = prev if crypto else prev * np.exp(0.3 * typical * z[0])
    high = np.maximum(open_, close) * np.exp(0.5 * typical * np.abs(z[1]))
    low = np.minimum(open_, close) * np.exp(-0.5 * typical * np.abs(z[2]))
    adj = close * _dividend_factor(dates, profile)
    move = 1.0 + np.minimum(1.5 * np.abs(r) / typical, 4.0)
    if crypto:
        usd = _VOLUME.get(profile, 5e6)
        years = (_days(dates) - _days(dates[:1])[0]) / 365.25
        volume = usd * close / close[0] * np.exp(0.12 * years + 0.3 * z[3]) * move
    else:
        volume = _VOLUME.get(profile, 1e6) * np.exp(0.3 * z[3]) * move
    # 4 decimals above 1, else 6 significant digits; one rounding per row keeps the bar order.
    decimals = np.where(low >= 1.0, 4, np.clip(5 - np.floor(np.log10(low)), 4, 12))
    scale = 10.0**decimals
    columns = [np.round(col * scale) / scale for col in (open_, high, low, close, adj)]
    data = dict(zip(COLUMNS, [*columns, np.round(volume)], strict=True))
    # A plain index (no `freq`), like frames read back from the store.
    index = pd.DatetimeIndex(dates.to_numpy(dtype="datetime64[ns]"), name="date")
    return pd.DataFrame(data, index=index)


def _dividend_factor(dates: pd.DatetimeIndex, profile: str) -> np.ndarray:
    """Yahoo-style backward dividend adjustment: 1 on the last day, below 1 before."""
    if profile.startswith("^") or profile.endswith("-USD"):
        return np.ones(len(dates))
    yearly, per_year = _DIVIDENDS.get(profile, (0.015, 4))
    month = np.asarray(dates.year * 12 + dates.month)
    if per_year == 4:  # first trading day on or after the 20th of Mar, Jun, Sep, Dec
        late = np.asarray((dates.day >= 20) & (dates.month % 3 == 0))
        ex = late & (np.diff(np.where(late, month, -1), prepend=-1) != 0)
    else:  # first trading day of each month
        ex = np.diff(month, prepend=month[0] - 1) > 0
    ex[0] = False
    after = ex.sum() - np.cumsum(ex)
    return (1.0 - yearly / per_year) ** after
