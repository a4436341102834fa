"""The score's track record in words: the verdict generated from its numbers, the method.

Wording rules, so the text never overclaims:

- a rank correlation is reported with its block-bootstrap interval at every horizon;
- an interval that includes zero -> the score's level "has not told" which weeks were
  followed by higher returns at that horizon;
- one that excludes zero -> "in this record higher scores were followed by higher (lower)
  returns": an association over so many independent windows, one of the twelve
  correlations computed, never a forecast or a cause;
- fewer than `FEW_WINDOWS` independent windows at a horizon is called too few for a firm
  conclusion either way.
"""

from __future__ import annotations

from generator.config import Config
from generator.evidence.stats import BLOCK_RESAMPLES, LEVEL, SEED, block_length
from generator.evidence.study import BASKET, HORIZONS
from generator.evidence.text import asset_label
from generator.evidence.track import QUINTILES, TRACK_COLUMNS, TrackRecord
from generator.format import BANDS, fmt_corr, fmt_pct, plural

FEW_WINDOWS = 20


def track_asset_name(asset: str) -> str:
    """`the Russell 2000`, `Bitcoin`, `the alt basket`, else the ticker."""
    return {"^RUT": "the Russell 2000", "BTC-USD": "Bitcoin",
            BASKET: "the alt basket"}.get(asset, asset)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def track_sentence(track: TrackRecord, asset: str) -> str:
    """One asset: the rank correlation at every horizon with its interval, then what it
    does and does not show."""
    rows = [track.row("all", "All weeks", asset, h) for h in HORIZONS]
    name = track_asset_name(asset)
    have = [r for r in rows if r["n"] >= 3]
    if not have:
        return f"There are too few complete windows for {name} to say anything yet."
    cells = ", ".join(
        f"{fmt_corr(r['spearman'])} at {int(r['horizon_weeks'])} weeks "
        f"[{fmt_corr(r['spearman_low'])}, {fmt_corr(r['spearman_high'])}]" for r in have)
    text = (f"Rank correlation of the published score with {name}'s forward return "
            f"({LEVEL:.0%} interval): {cells}.")
    beyond = [r for r in have if r["spearman_low"] > 0 or r["spearman_high"] < 0]
    if not beyond:
        text += (" Every interval includes zero: the score's level has not told which weeks "
                 f"were followed by higher returns for {name}.")
    for r in beyond:
        way = "higher" if r["spearman_low"] > 0 else "lower"
        h = int(r["horizon_weeks"])
        text += (f" At {h} weeks the interval excludes zero: in this record higher scores "
                 f"were followed by {way} {h}-week returns, an association over "
                 f"{plural(int(r['independent_windows']), 'independent window')} and one of "
                 f"{len(HORIZONS) * len(track.assets)} correlations computed, not a forecast.")
    few = [r for r in have if r["independent_windows"] < FEW_WINDOWS]
    if few:
        spans = ", ".join(f"{int(r['independent_windows'])} at {int(r['horizon_weeks'])} weeks"
                          for r in few)
        text += (f" Independent windows are few at the longer horizons ({spans}): too few "
                 "for a firm conclusion there either way.")
    return text


def band_sentence(track: TrackRecord, horizon: int = 13) -> str:
    """The extreme bands against all weeks at one horizon, for each asset, with their n."""
    parts = []
    for asset in track.assets:
        base = track.row("all", "All weeks", asset, horizon)
        on = track.row("band", "Strong risk-on", asset, horizon)
        off = track.row("band", "Strong risk-off", asset, horizon)
        if base["n"] == 0:
            continue
        bits = []
        for label, r in (("Strong risk-on", on), ("Strong risk-off", off)):
            if r["n"]:
                bits.append(f"{fmt_pct(r['median'])} after {label} weeks "
                            f"({plural(int(r['n']), 'week')}, "
                            f"{int(r['independent_windows'])} independent)")
        if bits:
            parts.append(f"{track_asset_name(asset)} {'; '.join(bits)}, against "
                         f"{fmt_pct(base['median'])} for all weeks")
    if not parts:
        return f"No band has a complete {horizon}-week window yet."
    return (f"Median {horizon}-week return: " + "; ".join(parts)
            + ". A difference between bands resting on a handful of independent windows is "
              "not evidence that the band forecasts anything.")


def track_verdict(track: TrackRecord) -> list[str]:
    """The track record's sentences: one per asset, then the extreme bands."""
    return [track_sentence(track, a) for a in track.assets] + [band_sentence(track)]


TRACK_DOCS = {
    "grouping": "all (every week with a published score), band (the week's published "
                "band) or quintile (the week's score quintile)",
    "group": "All weeks, the band name, or Q1 (lowest fifth of scores) to Q5 (highest)",
    "asset": "^RUT, BTC-USD or alt-basket",
    "horizon_weeks": "4, 13, 26 or 52: the forward window in weeks",
    "n": "weeks in the group with a complete forward window",
    "independent_windows": "how many of those windows do not overlap (counting the first, "
                           "then each one starting at least the horizon after the last counted)",
    "median": "median forward return (a fraction: 0.05 = +5%)",
    "share_positive": "share of windows with a return above zero",
    "spearman": "all rows only: Spearman rank correlation of score and forward return",
    "spearman_low": f"all rows only: lower end of its {LEVEL:.0%} block-bootstrap interval",
    "spearman_high": f"all rows only: upper end of its {LEVEL:.0%} block-bootstrap interval",
}
assert tuple(TRACK_DOCS) == TRACK_COLUMNS


def track_method(config: Config) -> list[str]:
    """How the track record is computed."""
    horizons = ", ".join(str(h) for h in HORIZONS)
    blocks = ", ".join(str(block_length(h)) for h in HORIZONS)
    return [
        "Every archive week with a score is grouped by the band its issue published and by "
        f"score quintile ({QUINTILES[0]} the lowest fifth of all published scores, "
        f"{QUINTILES[-1]} the highest; weeks ranked by score, ties by date). The score is "
        "the one the week's issue published: the frozen snapshot's where there is one. "
        "Quintile thresholds come from the whole record, so they describe the record; no "
        "one knew them at the time.",
        f"For each group: the forward returns of ^RUT, BTC-USD and the alt basket over "
        f"{horizons} weeks (the evidence rules above), with n, the number of independent "
        "(non-overlapping) windows, the median and the share positive, against all weeks. "
        "Neighbouring weeks' windows overlap, so n overstates the information; the "
        "independent windows are the honest count.",
        "The rank (Spearman) correlation of score and forward return over all weeks gets a "
        f"{LEVEL:.0%} interval from a circular block bootstrap with blocks of {blocks} weeks "
        f"for h = {horizons} (at least the horizon), {BLOCK_RESAMPLES:,} resamples, seed "
        f"{SEED}.",
        "The score was designed to describe risk appetite, not to forecast returns; this "
        "record checks what followed it anyway, and the sentences above never read more "
        "into it than the intervals allow.",
    ]


def track_page_context(track: TrackRecord, config: Config) -> dict[str, object]:
    """What the evidence page's track-record section needs besides the record and chart."""
    return {
        "track_verdict": track_verdict(track),
        "track_method": track_method(config),
        "track_names": {a: "Russell 2000 (^RUT)" if a == config.tickers.rut else asset_label(a)
                        for a in track.assets},
        "track_groups": [("all", "All weeks")]
        + [("band", b) for _, _, b in BANDS] + [("quintile", q) for q in QUINTILES],
        "track_horizons": HORIZONS,
    }
