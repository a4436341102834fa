"""The evidence page in words: the verdict generated from the numbers, and the method.

Wording rules, so the text never says more than the numbers:

- the 90% interval of the difference in medians includes zero -> "the record does not
  support the claim";
- it excludes zero with fewer than `SMALL_N` events -> said, then "too few to conclude
  anything";
- it excludes zero with `SMALL_N` or more events -> "in this sample … did better/worse",
  called an association, never a cause;
- fewer than `SMALL_N` events is always said out loud; with one event there is no interval;
- the count of intervals excluding zero is set against the one in ten expected by chance.
"""

from __future__ import annotations

from generator.config import Config
from generator.evidence.study import BASKET, EVENT_FLAGS, HORIZONS, LEVEL, RESAMPLES, SEED, Evidence
from generator.format import fmt_pct, fmt_pp

SMALL_N = 10
HEADLINE_HORIZON = 13
EVENT_NAMES = {"rut": ("Russell 2000 breakout", "Russell 2000 breakouts"),
               "iwm": ("IWM breakout", "IWM breakouts")}
ARTICLES = {"rut": "a", "iwm": "an"}


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


def asset_sentence(evidence: Evidence, event: str, asset: str, horizon: int) -> str:
    """One comparison in words: medians, the interval, and what it does (not) support."""
    s = evidence.find(event, asset, horizon)
    name = asset_name(asset)
    one, many = EVENT_NAMES[event]
    since = evidence.first_as_of.year
    if s.n_events == 0:
        return (f"No {one} since {since} has a complete {horizon}-week window for {name} yet, "
                "so there is nothing to compare.")
    lead = (f"After the {_events(event, s.n_events)} since {since} with a complete "
            f"{horizon}-week window, {name}'s median {horizon}-week return was "
            f"{fmt_pct(s.median_events)}, against {fmt_pct(s.median_all)} for all "
            f"{s.n_all} weeks")
    small = s.n_events < SMALL_N
    if not s.has_interval:
        return _capital(f"{lead}. A single event allows no interval, and one case proves nothing.")
    interval = (f"the {LEVEL:.0%} interval of the difference in medians, "
                f"[{fmt_pp(s.low)}, {fmt_pp(s.high)}] percentage points,")
    if not s.excludes_zero:
        text = (f"{lead}; {interval} includes zero, so the record does not support the claim "
                f"that {name} does better after {ARTICLES[event]} {one}.")
        if small:
            text += f" Only {s.n_events} events: too few to conclude anything either way."
        return _capital(text)
    side, how = ("above", "better") if s.low > 0 else ("below", "worse")
    text = f"{lead}; {interval} lies {side} zero"
    if small:
        text += f", but with only {s.n_events} events that is too few to conclude anything."
    elif side == "above":
        text += (f": in this sample {name} did {how} after {many} than in a typical week — "
                 f"an association over {s.n_events} events, not proof that breakouts cause it.")
    else:
        text += (f": in this sample {name} did {how} after {many} than in a typical week, "
                 "the opposite of the claim.")
    return _capital(text)


def tally_sentence(evidence: Evidence, event: str) -> str:
    """How many of the event type's intervals exclude zero, against chance."""
    rows = [s for s in evidence.summary if s.event == event and s.has_interval]
    many = EVENT_NAMES[event][1]
    if not rows:
        return f"There are too few {many} with complete windows for any interval."
    up = sum(1 for s in rows if s.low > 0)
    down = sum(1 for s in rows if s.high < 0)
    n = len(rows)
    if up + down == 0:
        found = f"none of the {n} intervals excludes zero"
    else:
        found = (f"{up + down} of the {n} intervals exclude zero ({up} above, {down} below)")
    return (f"Across assets and horizons for {many}, {found}. At {LEVEL:.0%}, about one "
            "interval in ten excludes zero by chance alone even when there is no effect, "
            "and the comparisons overlap, so a single one is weak evidence.")


def count_sentence(evidence: Evidence) -> str:
    """How many event weeks of each type the archive holds."""
    n = {e: sum(1 for w in evidence.events if getattr(w, e)) for e in EVENT_FLAGS}
    return (f"From {evidence.first_as_of.year} to {evidence.last_as_of.year} the archive holds "
            f"{_events('rut', n['rut'])} and {_events('iwm', n['iwm'])}: "
            "weeks with a record close whose previous record stood for at least 63 trading days.")


def verdict(evidence: Evidence, horizon: int = HEADLINE_HORIZON) -> dict[str, list[str]]:
    """Paragraph sentences per event type: one per asset at `horizon`, then the tally."""
    return {
        event: [asset_sentence(evidence, event, a, horizon) for a in evidence.assets]
        + [tally_sentence(evidence, event)]
        for event in EVENT_FLAGS
    }


def method_paragraphs(config: Config) -> list[str]:
    """How the evidence is computed, with the settings in force."""
    alts = ", ".join(a.removesuffix("-USD") for a in config.alts)
    horizons = ", ".join(str(h) for h in HORIZONS)
    return [
        "Events are the archive weeks with a Russell 2000 (^RUT) breakout and, separately, "
        "the weeks with an IWM breakout: a week holding a record close whose previous "
        f"record day is at least {config.windows.breakout_gap} trading days earlier.",
        f"For each archive week, the forward return over h = {horizons} weeks runs from the "
        "close on the week's as-of date to the close on the as-of date plus 7·h calendar "
        "days, or the last close before that day. A window counts only once the asset's "
        "data reaches its end date; until then the table says n/a.",
        f"The alt basket is equal-weight: at each as-of date and horizon, the mean of the "
        f"forward returns of the alts ({alts}) that have a close on the as-of date and data "
        f"through the end of the window, with at least {config.windows.altseason_min_alts} "
        "such alts (otherwise n/a). Its members change as coins list and delist.",
        "The base rate is the same forward return from every archive week, events included. "
        f"The {LEVEL:.0%} interval of the difference in medians is a percentile bootstrap: "
        f"{RESAMPLES:,} resamples of the event weeks and, independently, of all weeks, "
        f"from numpy's default_rng with the fixed seed {SEED}, so every build prints the "
        "same interval.",
        "Caveats. Consecutive weeks have overlapping windows and breakouts are few, so the "
        "weeks are far from independent and the intervals are, if anything, too narrow. "
        f"Fewer than {SMALL_N} events is called too few to conclude anything. The numbers "
        "describe what followed, not what caused it.",
        "Forward returns need prices after each as-of date. They belong to this page, which "
        "is recomputed from all data at every build; they are never part of an issue's "
        "frozen numbers.",
    ]


def page_context(evidence: Evidence, config: Config) -> dict[str, object]:
    """Everything `evidence.html` needs besides the site-wide context and the charts."""
    return {
        "evidence": evidence,
        "verdict": verdict(evidence),
        "count_text": count_sentence(evidence),
        "method": method_paragraphs(config),
        "event_names": EVENT_NAMES,
        "asset_names": {a: asset_label(a) for a in evidence.assets},
        "horizons": HORIZONS,
        "headline_horizon": HEADLINE_HORIZON,
        "level_pct": round(LEVEL * 100),
        "small_n": SMALL_N,
    }
