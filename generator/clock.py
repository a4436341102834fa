"""The one clock of the generator: honours SOURCE_DATE_EPOCH so builds are reproducible."""

from __future__ import annotations

import datetime as dt
import os


def now() -> dt.datetime:
    """Current UTC time, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError):
            pass
    return dt.datetime.now(tz=dt.UTC)


def today() -> dt.date:
    """Today's UTC date by the same clock."""
    return now().date()
