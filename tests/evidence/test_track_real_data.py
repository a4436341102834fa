"""`track-record.csv` on the real market files against an independent computation from
`signals.csv` (its `week`, `as_of`, `score`, `band`) and the raw price files, in plain pandas.

The files live outside the repo, in `../shared/data/market`; without them these tests skip.
`independent_track` also checks a built site: pass it the site's `data/signals.csv`.
"""

from __future__ import annotations

import io
import math
from bisect import bisect_right
from pathlib import Path

import pandas as pd
import pytest

from tests.signals.test_reference_real_data import MARKET_DIR, REPO_ROOT, load_market

HORIZONS = (4, 13, 26, 52)
BANDS = ("Strong risk-off", "Risk-off", "Neutral", "Risk-on", "Strong risk-on")

pytestmark = pytest.mark.skipif(
    not MARKET_DIR.is_dir(), reason=f"real market data not present at {MARKET_DIR}"
)


def _closes(market: Path, ticker: str) -> tuple[list[pd.Timestamp], dict[pd.Timestamp, float]]:
    """(sorted dates, date -> close) of one raw file's positive closes."""
    frame = pd.read_csv(market / f"{ticker.replace('^', '_')}.csv", parse_dates=["date"])
    s = frame.set_index("date")["close"].dropna()
    s = s[s > 0].sort_index()
    return list(s.index), dict(zip(s.index, s.to_numpy(dtype=float), strict=True))


def _forward(series: tuple[list[pd.Timestamp], dict[pd.Timestamp, float]],
             as_of: pd.Timestamp, h: int) -> float:
    """close(last on or before as_of + 7h) / close(as_of) - 1; NaN when not available."""
    days, close = series
    target = as_of + pd.Timedelta(days=7 * h)
    if as_of not in close or not days or days[-1] < target:
        return math.nan
    end = days[bisect_right(days, target) - 1]
    if end <= as_of:
        return math.nan
    return close[end] / close[as_of] - 1


def independent_track(signals_csv: str, market: Path = MARKET_DIR) -> pd.DataFrame:
    """The track record's summary rows from signals.csv and the raw files, plain pandas."""
    from generator.config import load_config

    config = load_config(REPO_ROOT)
    sig = pd.read_csv(io.StringIO(signals_csv), parse_dates=["as_of"])
    sig = sig[sig["score"].notna()].reset_index(drop=True)
    order = sig["score"].rank(method="first").astype(int)
    sig["quintile"] = ["Q" + str((5 * (r - 1)) // len(sig) + 1) for r in order]
    rut, btc = _closes(market, config.tickers.rut), _closes(market, config.tickers.btc)
    alts = [_closes(market, a) for a in config.alts]
    for h in HORIZONS:
        sig[f"^RUT {h}"] = [_forward(rut, d, h) for d in sig["as_of"]]
        sig[f"BTC-USD {h}"] = [_forward(btc, d, h) for d in sig["as_of"]]
        basket = []
        for d in sig["as_of"]:
            members = [r for r in (_forward(a, d, h) for a in alts) if not math.isnan(r)]
            enough = len(members) >= config.windows.altseason_min_alts
            basket.append(sum(members) / len(members) if enough else math.nan)
        sig[f"alt-basket {h}"] = basket
    groups = [("all", "All weeks", sig)]
    groups += [("band", b, sig[sig["band"] == b]) for b in BANDS]
    groups += [("quintile", f"Q{q}", sig[sig["quintile"] == f"Q{q}"]) for q in range(1, 6)]
    rows = []
    for grouping, name, frame in groups:
        for asset in ("^RUT", "BTC-USD", "alt-basket"):
            for h in HORIZONS:
                at = frame[frame[f"{asset} {h}"].notna()]
                values = at[f"{asset} {h}"]
                independent, last = 0, None
                for d in at["as_of"]:
                    if last is None or (d - last).days >= 7 * h:
                        independent, last = independent + 1, d
                rho = math.nan
                if grouping == "all":
                    rho = at["score"].rank().corr(values.rank())
                rows.append({"grouping": grouping, "group": name, "asset": asset,
                             "horizon_weeks": h, "n": len(values),
                             "independent_windows": independent,
                             "median": values.median() if len(values) else math.nan,
                             "share_positive": (values > 0).mean() if len(values) else math.nan,
                             "spearman": rho})
    return pd.DataFrame(rows)


def compare(product_csv: str, want: pd.DataFrame) -> None:
    """Every summary number of `product_csv` equals the independent rows (same order)."""
    got = pd.read_csv(io.StringIO(product_csv), keep_default_na=False, na_values=[""])
    assert list(got["group"]) == list(want["group"])
    assert list(got["asset"]) == list(want["asset"])
    assert list(got["horizon_weeks"]) == list(want["horizon_weeks"])
    assert list(got["n"]) == list(want["n"])
    assert list(got["independent_windows"]) == list(want["independent_windows"])
    for column in ("median", "share_positive", "spearman"):
        for a, b in zip(got[column], want[column], strict=True):
            assert (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9,
                                                                     abs_tol=1e-12), column
    inside = got[got["grouping"] == "all"]
    assert ((inside["spearman_low"] <= inside["spearman"])
            & (inside["spearman"] <= inside["spearman_high"])).all()


@pytest.fixture(scope="module")
def built() -> tuple[str, str]:
    """(signals.csv, track-record.csv) as a build from the real files writes them."""
    from generator.config import load_config
    from generator.evidence.track import compute_track_record, format_track_csv
    from generator.signals.core import format_signals_csv
    from generator.signals.weekly import published_signals

    config = load_config(REPO_ROOT)
    prices = load_market(MARKET_DIR)
    table = published_signals(prices, config)
    published = table.set_index(pd.DatetimeIndex(pd.to_datetime(table["as_of"])))
    track = compute_track_record(published[["week", "score", "band"]], prices, config,
                                 resamples=200)
    return format_signals_csv(table), format_track_csv(track.summary)


def test_track_record_equals_an_independent_computation_from_signals_csv(built):
    signals, track = built
    compare(track, independent_track(signals))


def test_track_record_covers_every_band_quintile_asset_and_horizon(built):
    got = pd.read_csv(io.StringIO(built[1]), keep_default_na=False, na_values=[""])
    assert set(got["group"]) == {"All weeks", *BANDS, "Q1", "Q2", "Q3", "Q4", "Q5"}
    assert set(got["asset"]) == {"^RUT", "BTC-USD", "alt-basket"}
    assert set(got["horizon_weeks"]) == set(HORIZONS)
    assert len(got) == 11 * 3 * 4
