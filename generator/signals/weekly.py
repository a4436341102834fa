"""Issues with their further signals and generated sentences (pure).

The further signals (`extended`) are extra weekly columns, so they travel in `Issue.values`
and are frozen with the other numbers; why a value is n/a travels in `Issue.notes`, and
the "what changed" sentences in `Issue.narrative`, both frozen too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from generator.config import Config
from generator.prices import Prices
from generator.signals.core import (
    CSV_COLUMNS,
    SIGNAL_COLUMNS,
    archive_weeks,
    compute_daily,
    compute_weeks,
)
from generator.signals.coverage import COVERAGE_COLUMNS, compute_coverage, total_return_etfs
from generator.signals.further import EXTENDED_COLUMNS, Extended, compute_extended, reasons_at
from generator.signals.issues import Issue, build_issues
from generator.signals.narrative import Context, compose, compute_contexts

# What an issue holds: the published columns and the coverage counts (issue-only).
ISSUE_COLUMNS = (*SIGNAL_COLUMNS, *EXTENDED_COLUMNS, *COVERAGE_COLUMNS)


@dataclass(frozen=True)
class Weekly:
    """The daily frame, the weekly table with the further columns, and what explains them."""

    daily: pd.DataFrame
    weeks: pd.DataFrame  # compute_weeks + EXTENDED_COLUMNS + COVERAGE_COLUMNS, every E week
    extended: Extended
    contexts: dict[str, Context]


def compute_weekly(
    prices: Prices, config: Config, shares: Mapping[str, pd.Series] | None = None
) -> Weekly:
    """Signals, further signals and narrative contexts for every week of E."""
    daily = compute_daily(prices, config)
    weeks = compute_weeks(daily, config)
    extended = compute_extended(daily, weeks, prices, config, shares)
    iwm = prices.get(config.tickers.iwm)
    contexts = compute_contexts(daily, weeks, config.windows.breakout_gap,
                                None if iwm is None else iwm["close"],
                                iwm_total_return=config.tickers.iwm
                                in total_return_etfs(prices, config))
    coverage = compute_coverage(daily, weeks, prices, config)
    return Weekly(daily, weeks.join(extended.values).join(coverage), extended, contexts)


def with_story(issue: Issue, weekly: Weekly) -> Issue:
    """The issue with its n/a reasons and its generated sentences."""
    notes = reasons_at(weekly.extended, pd.Timestamp(issue.as_of))
    issue = dataclasses.replace(issue, notes=notes)
    return dataclasses.replace(issue, narrative=compose(issue, weekly.contexts[issue.week]))


def enriched_issues(archive: pd.DataFrame, weekly: Weekly, config: Config,
                    prices: Prices, only: set[str] | None = None) -> list[Issue]:
    """Issues of the archive rows (or just the weeks in `only`), with further signals,
    reasons and sentences."""
    issues = build_issues(archive, weekly.weeks, config, prices, columns=ISSUE_COLUMNS,
                          only=only)
    return [with_story(i, weekly) for i in issues]


def needs_completion(frozen: Issue) -> bool:
    """A snapshot older than the further signals, the coverage or the sentences (see
    `complete_frozen`)."""
    return (not frozen.narrative or not frozen.inputs_configured
            or any(k not in frozen.values for k in (*EXTENDED_COLUMNS, *COVERAGE_COLUMNS)))


def complete_frozen(frozen: Issue, computed: Issue, weekly: Weekly) -> Issue:
    """A snapshot written before the further signals existed, completed from the computation.

    Frozen values are never changed; only what the snapshot lacks is added (the further
    values, their reasons, the coverage, and the sentences, composed from the frozen numbers).
    """
    missing = [k for k in (*EXTENDED_COLUMNS, *COVERAGE_COLUMNS) if k not in frozen.values]
    if not missing and frozen.narrative and frozen.inputs_configured:
        return frozen
    values = {**frozen.values, **{k: computed.values.get(k) for k in missing}}
    notes = {**{k: v for k, v in computed.notes.items() if k in missing}, **frozen.notes}
    issue = dataclasses.replace(frozen, values=values, notes=notes)
    if not issue.inputs_configured:  # coverage is of the prices up to as-of: point in time
        issue = dataclasses.replace(issue, unpriced=computed.unpriced,
                                    inputs_configured=computed.inputs_configured)
    if not issue.narrative:
        issue = dataclasses.replace(issue, narrative=compose(issue, weekly.contexts[issue.week]))
    return issue


PUBLISHED_COLUMNS = (*CSV_COLUMNS, *EXTENDED_COLUMNS)


def published_signals(
    prices: Prices, config: Config, shares: Mapping[str, pd.Series] | None = None
) -> pd.DataFrame:
    """`/data/signals.csv` as a table: the contract columns of SPEC §7, then the further ones."""
    weekly = compute_weekly(prices, config, shares)
    table = archive_weeks(weekly.weeks, config).reset_index()
    table["as_of"] = table["as_of"].dt.strftime("%Y-%m-%d")
    return table[list(PUBLISHED_COLUMNS)]
