"""What the site is made of, gathered before anything is rendered (pure data)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.charts.data import Chart
from generator.config import Config
from generator.content.note import Note
from generator.evidence.study import Evidence
from generator.evidence.track import TrackRecord
from generator.signals.freshness import DataAge
from generator.signals.issues import Issue

FileData = Any  # bytes, or a file the writer links (`writer.StoredFile`): `len()` works

@dataclass(frozen=True)
class IssueImages:
    """The PNGs of one issue: its sharing card and (feed issues only) its score chart."""

    card: FileData
    score: FileData | None = None


@dataclass(frozen=True)
class SiteInputs:
    """Everything the site is made of, computed before rendering."""

    config: Config
    issues: list[Issue]
    notes: Mapping[str, Note]
    pages: Mapping[str, Note]
    issue_charts: Mapping[str, list[Chart]]  # by week; may load lazily
    archive_chart: Chart | None
    signals_csv: str
    source_label: str
    sample: bool = False
    evidence: Evidence | None = None
    evidence_charts: tuple[Chart, ...] | list[Chart] = ()
    track: TrackRecord | None = None  # the score's track record (on the evidence page)
    track_chart: Chart | None = None
    images: Mapping[str, IssueImages] = field(default_factory=dict)
    site_card: FileData | None = None
    caveats: tuple[str, ...] = ()  # data caveats of this build, on the methodology page
    data_age: DataAge | None = None  # the prices' age by the build clock (None: sample)
