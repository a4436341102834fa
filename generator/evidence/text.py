"""The evidence page in words: the verdict generated from the numbers, and the method.

Wording rules, so the text never says more than the numbers:

- the unit is the episode (breakouts within `EPISODE_GAP_DAYS` of an episode's first
  event are one episode), never the event week;
- fewer than `MIN_EPISODES` episodes: no interval; each horizon gets the episodes' median,
  the all-weeks median and the circular-shift p-value; the count is called too few to
  conclude anything, whatever the p-values say;
- `MIN_EPISODES` or more: the block-bootstrap interval of the difference in medians; an
  interval that includes zero -> "the record does not support the claim"; one that excludes
  zero -> "in this sample … did better/worse", an association, never a cause;
- a p-value below `ALPHA` is set against the number of comparisons made: with twelve,
  one such value by chance alone is no surprise;
- the verdict covers every horizon (4, 13, 26 and 52 weeks) for every asset.
"""

from __future__ import annotations

import datetime as dt

from generator.config import Config
from generator.evidence.stats import BLOCK_RESAMPLES, LEVEL, SEED, block_length
from generator.evidence.study import (
    BASKET,
    EPISODE_GAP_DAYS,
    EVENT_FLAGS,
    HORIZONS,
    MIN_EPISODES,
    Evidence,
    Summary,
)
from generator.format import fmt_date, fmt_ordinal, fmt_p, fmt_pct, fmt_pp, plural

SMALL_N = MIN_EPISODES
ALPHA = 0.05
EVENT_TYPES = ("any", *EVENT_FLAGS)
EVENT_NAMES = {"any": ("breakout episode", "breakout episodes"),
               "rut": ("Russell 2000 breakout", "Russell 2000 breakouts"),
               "iwm": ("IWM breakout", "IWM breakouts")}
ARTICLES = {"any": "a", "rut": "a", "iwm": "an"}


def asset_name(asset: str) -> str:
    """`Bitcoin`, `Ether`, `the alt basket`, else the ticker."""
    return {"BTC-USD": "Bitcoin", "ETH-USD": "Ether", BASKET: "the alt basket"}.get(asset, asset)


def asset_label(asset: str) -> str:
    """`Bitcoin`, `Ether`, `Alt basket`: the name as a table label."""
    return "Alt basket" if asset == BASKET else _capital(asset_name(asset))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _events(event: str, n: int) -> str:
    one, many = EVENT_NAMES[event]
    return f"one {one}" if n == 1 else f"{n} {many}"


def _direction(s: Summary) -> str | None:
    """`above` / `below` when the shift test puts the episodes' median beyond chance."""
    if s.p_value == s.p_value and s.p_value < ALPHA:
        return "above" if s.p_upper <= s.p_lower else "below"
    return None


def _horizon_part(s: Summary, most: int) -> str:
    if s.n_events == 0:
        return f"no complete {s.horizon}-week window yet"
    part = (f"{fmt_pct(s.median_events)} at {s.horizon} weeks (all weeks "
            f"{fmt_pct(s.median_all)}; p = {fmt_p(s.p_value)}")
    if s.has_interval:
        part += (f"; {LEVEL:.0%} interval of the difference [{fmt_pp(s.low)}, "
                 f"{fmt_pp(s.high)}] pp")
    return part + (f"; {plural(s.n_events, 'episode')})" if s.n_events != most else ")")


def asset_sentence(evidence: Evidence, event: str, asset: str) -> str:
    """One asset over every horizon: the medians, p-values (and intervals where printed),
    then what they do and do not support."""
    rows = [evidence.find(event, asset, h) for h in HORIZONS]
    name = asset_name(asset)
    one, many = EVENT_NAMES[event]
    since = evidence.first_as_of.year
    counted = [s for s in rows if s.n_events]
    if not counted:
        return (f"No {one} since {since} has a complete window for {name} yet, so there is "
                "nothing to compare.")
    most = max(s.n_events for s in rows)
    text = (f"{_capital(name)} after the {_events(event, most)} since {since} with a complete "
            "window: median return "
            + ", ".join(_horizon_part(s, most) for s in rows) + ".")
    small = [s for s in counted if s.n_events < SMALL_N]
    odd = [s for s in counted if _direction(s)]
    with_interval = [s for s in counted if s.has_interval]
    if odd:
        for s in odd:
            side = _direction(s)
            text += (f" At {s.horizon} weeks the episodes' median is {side} what most "
                     f"placements of the same episodes at other dates give (p = "
                     f"{fmt_p(s.p_value)})"
                     + ("; that is the opposite of the claim." if side == "below" else "."))
        text += (f" With {len(HORIZONS) * len(evidence.assets)} comparisons per event type, "
                 f"a p-value below {ALPHA} now and then is expected by chance alone.")
    else:
        text += (f" At no horizon is the difference beyond what placing the same episodes at "
                 f"other dates often gives (every p-value is {ALPHA} or more)")
        text += ("." if any(s.excludes_zero for s in with_interval) else
                 f": the record does not support the claim that {name} does better after "
                 f"{ARTICLES[event]} {one}.")
    for s in with_interval:
        if s.excludes_zero:
            side = "above" if s.low > 0 else "below"
            text += (f" At {s.horizon} weeks the interval lies {side} zero: in this sample an "
                     f"association over {plural(s.n_events, 'episode')}, not proof that "
                     "breakouts cause it.")
    if small:
        text += (f" {_capital(plural(most, 'episode'))} at most: too few to conclude anything "
                 f"either way, and too few for an interval (none is printed below {SMALL_N}).")
    return text


def tally_sentence(evidence: Evidence, event: str) -> str:
    """How many of the event type's p-values are below `ALPHA`, against chance."""
    rows = [s for s in evidence.summary if s.event == event and s.n_events]
    many = EVENT_NAMES[event][1]
    if not rows:
        return f"There are too few {many} with complete windows for any comparison."
    up = sum(1 for s in rows if _direction(s) == "above")
    down = sum(1 for s in rows if _direction(s) == "below")
    n = len(rows)
    found = (f"none of the {n} p-values is below {ALPHA}" if up + down == 0 else
             f"{up + down} of the {n} p-values {'is' if up + down == 1 else 'are'} below "
             f"{ALPHA} ({up} above, {down} below)")
    return (f"Across assets and horizons for {many}, {found}. Without any effect about one "
            "comparison in twenty gives such a p-value by chance, and the comparisons share "
            "their episodes, so a single one is weak evidence.")


def count_sentence(evidence: Evidence) -> str:
    """How many event weeks of each type and episodes the archive holds."""
    n = {e: sum(1 for w in evidence.events if getattr(w, e)) for e in EVENT_FLAGS}
    both = sum(1 for ep in evidence.episodes if ep.rut and ep.iwm)
    return (f"From {evidence.first_as_of.year} to {evidence.last_as_of.year} the archive holds "
            f"{_events('rut', n['rut'])} and {_events('iwm', n['iwm'])}: weeks with a record "
            "close whose previous record stood for at least 63 trading days. Grouped into "
            f"episodes they are {_events('any', len(evidence.episodes))}, "
            f"{both} of them with both a ^RUT and an IWM breakout.")


def verdict(evidence: Evidence) -> dict[str, list[str]]:
    """Paragraph sentences per event type: one per asset over every horizon, then the tally."""
    return {
        event: [asset_sentence(evidence, event, a) for a in evidence.assets]
        + [tally_sentence(evidence, event)]
        for event in EVENT_TYPES
    }


def survivorship_paragraph(evidence: Evidence, config: Config) -> str:
    """The alt list's survivorship bias and when each coin's prices begin, from the data."""
    starts: dict[dt.date | None, list[str]] = {}
    for alt in config.alts:
        starts.setdefault(evidence.alt_starts.get(alt), []).append(alt.removesuffix("-USD"))
    dated = sorted((d, names) for d, names in starts.items() if d is not None)
    parts = [f"{', '.join(names)} from {fmt_date(d)}" for d, names in dated]
    if None in starts:
        parts.append(f"{', '.join(starts[None])} not at all")
    basket = evidence.table[evidence.table["asset"] == BASKET]
    first = (f"The basket has a value from {fmt_date(basket['as_of'].min())}, the first "
             f"week with {config.windows.altseason_min_alts} or more coins priced."
             if len(basket) else "The basket never has enough coins priced for a value.")
    return (f"Survivorship. The alt list is {plural(len(config.alts), 'coin')} chosen because "
            "they are large today. Coins that were large in earlier years and have since "
            "faded or been delisted are not in it, which flatters the basket's past returns: "
            "its early figures are not what a basket chosen at the time would have done. "
            f"Prices begin: {'; '.join(parts)}. {first}")


def method_paragraphs(config: Config) -> list[str]:
    """How the evidence is computed, with the settings in force."""
    alts = ", ".join(a.removesuffix("-USD") for a in config.alts)
    horizons = ", ".join(str(h) for h in HORIZONS)
    blocks = ", ".join(f"{block_length(h)}" for h in HORIZONS)
    return [
        "Events are the archive weeks with a Russell 2000 (^RUT) breakout and the weeks with "
        "an IWM breakout: a week holding a record close whose previous record day is at "
        f"least {config.windows.breakout_gap} trading days earlier.",
        "Episodes. ^RUT and IWM mostly break out together, so the two lists share most of "
        "their events. Events are grouped into episodes: an episode starts at an event and "
        f"takes in every event of either kind whose as-of date is at most "
        f"{EPISODE_GAP_DAYS} days ({EPISODE_GAP_DAYS // 7} weeks) after its first event. "
        "Each episode counts once, measured from its first event week. The ^RUT and IWM "
        "tables group each list the same way.",
        f"For each archive week, the forward return over h = {horizons} weeks runs from the "
        "close on the week's as-of date to the close on the as-of date plus 7·h calendar "
        "days, or the last close before that day. A window counts only once the asset's "
        "data reaches its end date; until then the table says n/a.",
        f"The alt basket is equal-weight: at each as-of date and horizon, the mean of the "
        f"forward returns of the alts ({alts}) that have a close on the as-of date and data "
        f"through the end of the window, with at least {config.windows.altseason_min_alts} "
        "such alts (otherwise n/a). Beside each basket figure stand how many coins rose and "
        "the median coin's return, so a basket carried by one coin shows.",
        "The base rate is the same forward return from every archive week, episodes "
        "included. Each episode's return is also placed as a percentile of all weeks' "
        "returns at that horizon (50th: a typical week).",
        "p-values come from a circular-shift randomisation test: the episodes' dates are "
        "shifted together by k weeks (k = 0 to n − 1, wrapping round the end of the record) "
        "and the median of the shifted episodes' returns is recomputed each time. Shifting "
        "keeps the spacing of the episodes and the overlap of neighbouring weeks' windows "
        "(consecutive 13-week returns correlate at over 0.9), which a shuffle of single "
        "weeks would destroy. The two-sided p-value is twice the smaller share of shifts "
        "at or beyond the observed median (at most 1). Every shift is used, so no random "
        "seed is involved.",
        f"Intervals. With fewer than {MIN_EPISODES} episodes no interval is printed: with "
        "three to five events a bootstrap interval is little more than the range of the "
        f"events. From {MIN_EPISODES} episodes, the {LEVEL:.0%} interval of the difference "
        "in medians comes from a circular block bootstrap: the weekly record is rebuilt from "
        f"blocks of consecutive weeks at least as long as the horizon ({blocks} weeks for "
        f"h = {horizons}), {BLOCK_RESAMPLES:,} times, from numpy's default_rng with the "
        f"fixed seed {SEED}, so every build prints the same interval.",
        "The numbers describe what followed, not what caused it. Forward returns need "
        "prices after each as-of date; they belong to this page, which is recomputed from "
        "all data at every build, and never to an issue's frozen numbers.",
    ]


def page_context(evidence: Evidence, config: Config) -> dict[str, object]:
    """Everything `evidence.html` needs besides the site-wide context and the charts."""
    return {
        "evidence": evidence,
        "verdict": verdict(evidence),
        "count_text": count_sentence(evidence),
        "survivorship": survivorship_paragraph(evidence, config),
        "method": method_paragraphs(config),
        "event_names": EVENT_NAMES,
        "event_types": EVENT_TYPES,
        "asset_names": {a: asset_label(a) for a in evidence.assets},
        "basket": BASKET,
        "horizons": HORIZONS,
        "level_pct": round(LEVEL * 100),
        "small_n": SMALL_N,
        "fmt_p": fmt_p,
        "ordinal": fmt_ordinal,
    }
