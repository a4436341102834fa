"""signals.quality: which weeks a rejected or unconfirmed bar touches, and what they show."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd

from generator.config import COMPONENTS, Config
from generator.format import band_of
from generator.prices import MISSING, UNCONFIRMED, BarProblem
from generator.signals.quality import (
    mask_weeks,
    notice_of,
    reach_days,
    resting_components,
)

CONFIG = Config(root=Path("."))
AS_OF = pd.DatetimeIndex(["2026-10-09", "2026-10-16", "2026-10-23"], name="as_of")


def weeks() -> pd.DataFrame:
    table = pd.DataFrame(index=AS_OF)
    for k, name in enumerate(COMPONENTS):
        table[name] = 0.1 * (k + 1)
        table[f"score_{name}"] = 10.0 * (k + 1)  # 10, 20, ..., 70
    table["score"] = 40.0
    table["band"] = band_of(40.0)
    return table


def bar(ticker: str, day: str, rule: str = "non-finite") -> BarProblem:
    d = dt.date.fromisoformat(day)
    return BarProblem(ticker, d, d, 1, rule, math.inf)


def test_components_resting_on_each_input():
    assert resting_components("^RUT", CONFIG) == ("rut_trend", "rut_drawdown")
    assert resting_components("BTC-USD", CONFIG) == ("btc_trend", "altseason_index")
    assert resting_components("SOL-USD", CONFIG) == ("altseason_index",)
    assert resting_components("IJR", CONFIG) == ()
    assert reach_days(CONFIG) == 1260 + 200


def test_a_rejected_bar_masks_its_week_only_and_the_score_follows():
    out = mask_weeks(weeks(), [bar("BTC-USD", "2026-10-14")], CONFIG)  # within 2026-10-16's week
    row = out.loc["2026-10-16"]
    assert math.isnan(row["score_btc_trend"]) and math.isnan(row["btc_trend"])
    assert math.isnan(row["score_altseason_index"])
    rest = [10.0 * (k + 1) for k, n in enumerate(COMPONENTS)
            if n not in ("btc_trend", "altseason_index")]
    assert row["score"] == np.mean(rest) and row["band"] == band_of(np.mean(rest))
    for day in ("2026-10-09", "2026-10-23"):
        assert out.loc[day].equals(weeks().loc[day])


def test_a_bar_on_the_as_of_date_belongs_to_that_week_and_a_closed_day_masks_nothing():
    out = mask_weeks(weeks(), [bar("^RUT", "2026-10-09")], CONFIG)
    assert math.isnan(out.loc["2026-10-09", "score_rut_trend"])
    assert not math.isnan(out.loc["2026-10-16", "score_rut_trend"])
    same = mask_weeks(weeks(), [bar("^RUT", "2026-10-12", "closed-day")], CONFIG)
    assert same.equals(weeks())


def test_notices_say_what_happened_and_whether_the_week_may_be_frozen():
    rejected = notice_of("week", [bar("BTC-USD", "2026-10-14")], CONFIG)
    assert rejected.holds and rejected.kind == "rejected"
    assert rejected.text.startswith("BTC-USD: the bar of 14 October 2026 was rejected: its "
                                    "close was not a finite number.")
    assert "Bitcoin trend, Altcoin season" in rejected.text
    later = notice_of("earlier", [bar("BTC-USD", "2026-10-14")], CONFIG)
    assert not later.holds and "computed without it" in later.text
    holiday = notice_of("week", [bar("^RUT", "2026-10-12", "closed-day"),
                                 bar("IWM", "2026-10-12", "closed-day")], CONFIG)
    assert not holiday.holds
    assert holiday.text.startswith("^RUT, IWM: the bars of 12 October 2026 were rejected")
    d = dt.date(2026, 10, 30)
    unconfirmed = notice_of("week", [BarProblem("^RUT", d, d, 1, UNCONFIRMED, 272000.0, 100.8)],
                            CONFIG)
    assert unconfirmed.holds and "272,000.00" in unconfirmed.text and "100.8×" in unconfirmed.text
    gap = notice_of("earlier", [BarProblem("^RUT", d, d, 1, MISSING)], CONFIG)
    assert gap.kind == "missing" and "no bar for 30 October 2026 (an NYSE session)" in gap.text


def test_an_unconfirmed_bar_after_the_latest_week_keeps_it_unfrozen_not_provisional():
    d = dt.date(2026, 10, 31)
    notice = notice_of("after", [BarProblem("BTC-USD", d, d, 1, UNCONFIRMED, 9e6, 100.0)],
                       CONFIG)
    assert notice.holds and "newer than this issue" in notice.text
    assert "provisional" not in notice.text
