"""`evidence.csv` on the real market files against an independent stdlib computation.

The files live outside the repo, in `../shared/data/market` relative to the repo root;
without them these tests skip.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from bisect import bisect_right

import pytest

from tests.signals.test_reference_real_data import MARKET_DIR, REPO_ROOT, load_market

HORIZONS = (4, 13, 26, 52)

pytestmark = pytest.mark.skipif(
    not MARKET_DIR.is_dir(), reason=f"real market data not present at {MARKET_DIR}"
)


def closes(name: str) -> dict[dt.date, float]:
    with open(MARKET_DIR / name, newline="", encoding="utf-8") as f:
        return {dt.date.fromisoformat(r["date"]): float(r["close"])
                for r in csv.DictReader(f) if r["close"]}


def as_of_dates(start: dt.date) -> dict[str, dt.date]:
    """ISO week -> last ^RUT date of the week, weeks whose as-of is on or after `start`."""
    out: dict[str, dt.date] = {}
    for day in sorted(closes("_RUT.csv")):
        year, week, _ = day.isocalendar()
        out[f"{year}-W{week:02d}"] = day
    return {w: d for w, d in out.items() if d >= start}


def reference_rows(name: str, weeks: dict[str, dt.date]) -> dict[tuple[str, int], float]:
    """(week, horizon) -> close(last on or before as-of + 7h) / close(as-of) - 1."""
    series = closes(name)
    days = sorted(series)
    out = {}
    for week, as_of in weeks.items():
        if as_of not in series:
            continue
        for h in HORIZONS:
            target = as_of + dt.timedelta(days=7 * h)
            if days[-1] < target:
                continue
            end = days[bisect_right(days, target) - 1]
            out[week, h] = series[end] / series[as_of] - 1
    return out


@pytest.fixture(scope="module")
def product() -> list[dict[str, str]]:
    from generator.config import load_config
    from generator.evidence.study import compute_evidence, format_evidence_csv
    from generator.signals.core import archive_weeks, compute_daily, compute_weeks

    config = load_config(REPO_ROOT)
    prices = load_market(MARKET_DIR)
    archive = archive_weeks(compute_weeks(compute_daily(prices, config), config), config)
    text = format_evidence_csv(compute_evidence(archive, prices, config, resamples=200).table)
    assert text.splitlines()[0] == (
        "week,as_of,asset,horizon_weeks,forward_return,rut_breakout_week,iwm_breakout_week")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("asset", ["BTC-USD", "ETH-USD"])
def test_forward_returns_match_an_independent_computation(product, asset):
    from generator.config import load_config

    weeks = as_of_dates(load_config(REPO_ROOT).archive_start)
    want = reference_rows(f"{asset}.csv", weeks)
    got = {(r["week"], int(r["horizon_weeks"])): r for r in product if r["asset"] == asset}
    assert set(got) == set(want)
    for key, value in want.items():
        row = got[key]
        assert row["as_of"] == weeks[key[0]].isoformat()
        assert math.isclose(float(row["forward_return"]), value, rel_tol=1e-12, abs_tol=1e-15)


def test_known_breakouts_are_rut_events(product):
    flags = {r["week"]: r["rut_breakout_week"] for r in product}
    assert flags["2020-W46"] == "true"
    assert flags["2025-W38"] == "true"
    assert set(flags.values()) == {"true", "false"}


def test_rows_are_oldest_first_and_unique(product):
    keys = [(r["as_of"], r["asset"], r["horizon_weeks"]) for r in product]
    assert len(keys) == len(set(keys))
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
