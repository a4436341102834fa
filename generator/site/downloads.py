"""The `/data/` page: every download of the site and a plain definition of each column."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.config import COMPONENTS
from generator.evidence.track_text import TRACK_DOCS
from generator.signals.core import CSV_COLUMNS
from generator.signals.further import EXTENDED_LABELS

_COMPONENT_NAMES = {
    "rut_trend": "the Russell 2000 trend",
    "rut_drawdown": "the Russell 2000 distance from its record",
    "smallcap_rs_13w": "small caps against large caps over 13 weeks",
    "credit_13w": "high-yield credit against Treasuries over 13 weeks",
    "vix": "the VIX, inverted (calm markets score high)",
    "btc_trend": "the Bitcoin trend",
    "altseason_index": "the altseason index",
}

SIGNAL_DOCS: dict[str, str] = {
    "week": "ISO week of the issue, like 2026-W08.",
    "as_of": "The as-of date (YYYY-MM-DD): the week's last Russell 2000 trading day. Every "
             "value in the row uses only data dated on or before it.",
    "rut_close": "Russell 2000 index (^RUT) close on the as-of date.",
    "rut_record_level": "Highest ^RUT close on or before the as-of date.",
    "rut_drawdown": "How far ^RUT is below that record, as a fraction: "
                    "rut_close / rut_record_level − 1 (0 at a record, −0.1 is 10% below).",
    "rut_record_week": "true when the week holds a record day: a close above every earlier close.",
    "rut_breakout_week": "true when the week holds a record day and the previous record day was "
                         "at least 63 trading days earlier: a break of long-standing resistance.",
    "iwm_breakout_week": "The same breakout rule applied to the IWM ETF's close.",
    "rut_trend": "^RUT close relative to its 200-day average, as a fraction: close / mean(last "
                 "200 closes) − 1.",
    "smallcap_rs_13w": "Change over 65 trading days (13 weeks) of the IWM/SPY total-return "
                       "ratio: above 0 means small caps beat large caps.",
    "credit_13w": "Change over 65 trading days of the HYG/IEF total-return ratio: above 0 means "
                  "high-yield bonds beat Treasuries (credit risk appetite).",
    "vix": "CBOE volatility index (^VIX) close: the market's expected 30-day volatility.",
    "btc_close": "Bitcoin (BTC-USD) close on the as-of date, in US dollars.",
    "btc_trend": "Bitcoin close relative to its 200-day average (every calendar day), as a "
                 "fraction.",
    "btc_rut_corr_90d": "Pearson correlation of the last 90 daily log returns of Bitcoin and "
                        "^RUT, from −1 to 1.",
    "altseason_index": "Share (0–100) of the alt-coin basket whose 90-day return beats "
                       "Bitcoin's; 75 and above is an altseason, 25 and below a Bitcoin season. "
                       "Empty with fewer than 5 coins priced.",
    **{
        f"score_{c}": f"Score (0–100) of {_COMPONENT_NAMES.get(c, c)}: the percentile of "
                      "today's value among its own daily values of the last 1,260 trading "
                      "days (five years)."
        for c in COMPONENTS
    },
    "score": "The composite risk-on score: mean of the available component scores (0–100).",
    "band": "The score's band: Strong risk-off [0, 25), Risk-off [25, 45), Neutral [45, 55), "
            "Risk-on [55, 75), Strong risk-on [75, 100].",
}

SIGNAL_DOCS.update({
    name: f"{label}: {meaning}" + (" (US dollars)." if "flows" in name else " (a fraction).")
    for name, (label, meaning) in EXTENDED_LABELS.items()
})

EVIDENCE_DOCS: dict[str, str] = {
    "week": "ISO week of the starting week.",
    "as_of": "Its as-of date (YYYY-MM-DD): the forward return starts at this close.",
    "asset": "BTC-USD, ETH-USD or alt-basket (the equal-weight alt-coin basket).",
    "horizon_weeks": "How far ahead: 4, 13, 26 or 52 weeks.",
    "forward_return": "Return from the as-of close to the close 7 × horizon_weeks days later "
                      "(or the last close before it), as a fraction. A week, asset and "
                      "horizon whose window has not ended (or has no prices) has no row.",
    "rut_breakout_week": "true when the starting week was a Russell 2000 breakout week.",
    "iwm_breakout_week": "true when the starting week was an IWM breakout week.",
}


@dataclass(frozen=True)
class Download:
    """One file offered on the data page."""

    path: str
    title: str
    what: str
    columns: tuple[tuple[str, str], ...] = ()


def _header(csv: bytes | None) -> tuple[str, ...]:
    return tuple(csv.split(b"\n", 1)[0].decode().strip().split(",")) if csv else CSV_COLUMNS


def downloads(files: Mapping[str, bytes]) -> list[Download]:
    """The downloads present in `files` (site paths), each with its columns explained."""
    columns = _header(files.get("data/signals.csv"))
    out = [
        Download("data/signals.csv", "signals.csv",
                 "One row per weekly issue, oldest first: every signal and the score. Numbers "
                 "are unrounded, booleans are true/false, a missing value is an empty field.",
                 tuple((c, SIGNAL_DOCS.get(c, "")) for c in columns)),
        Download("data/latest.json", "latest.json",
                 "The latest issue's numbers as JSON: week, as-of date, score, band, each "
                 "component's value and score, every signal above, any stale inputs, and "
                 "any price rejected or not confirmed yet (data_notices)."),
    ]
    if "data/evidence.csv" in files:
        out.append(Download(
            "data/evidence.csv", "evidence.csv",
            "The evidence page's data: one row per week, asset and horizon.",
            tuple(EVIDENCE_DOCS.items())))
    if "data/track-record.csv" in files:
        out.append(Download(
            "data/track-record.csv", "track-record.csv",
            "The score's track record: for all weeks, each band and each score quintile, the "
            "forward returns of ^RUT, BTC-USD and the alt basket that followed (one row per "
            "group, asset and horizon).",
            tuple(TRACK_DOCS.items())))
    out.append(Download("feed.xml", "feed.xml (RSS)",
                        "RSS 2.0 feed of the newest issues with their full text and key chart."))
    return out
