"""The methodology page states the evidence rules with the numbers the code uses."""

from __future__ import annotations

from pathlib import Path

from generator.evidence.stats import BLOCK_RESAMPLES, LEVEL
from generator.evidence.study import EPISODE_GAP_DAYS, MIN_EPISODES
from generator.evidence.track_text import FEW_WINDOWS

METHODOLOGY = Path(__file__).resolve().parents[2] / "content" / "pages" / "methodology.md"


def test_methodology_states_the_evidence_numbers():
    text = " ".join(METHODOLOGY.read_text(encoding="utf-8").split())
    assert f"at most {EPISODE_GAP_DAYS} days ({EPISODE_GAP_DAYS // 7} weeks)" in text
    assert f"fewer than {MIN_EPISODES} episodes no interval is printed" in text
    assert f"Block bootstrap from {MIN_EPISODES} episodes" in text
    assert f"{BLOCK_RESAMPLES:,} times" in text
    assert f"{LEVEL:.0%} interval of the difference in medians" in text
    assert f"fewer than {FEW_WINDOWS} independent windows" in text
    assert "## The score's track record" in text and "track-record.csv" in text
