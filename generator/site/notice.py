"""The site-wide notice of the prices' age (pure; shown on every page and in the feed)."""

from __future__ import annotations

from generator.format import fmt_data_age
from generator.site.inputs import SiteInputs


def data_age_notice(inputs: SiteInputs) -> str | None:
    """The notice when the prices stop before the last trading day they should have
    reached by the build clock; None when they are current, or for sample data."""
    age = inputs.data_age
    if age is None or not age.stale:
        return None
    return fmt_data_age(age.newest, age.build_date)
