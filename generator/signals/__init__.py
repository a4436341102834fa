"""Pure: the weekly signal table and the score (`core.py`), the further signals
(`further.py`, `flows.py`), the `Issue` a page shows (`issues.py`, `weekly.py`) and the
generated "what changed" sentences (`narrative.py`), data coverage and quality
(`coverage.py`, `quality.py`) and the prices' age by the build clock (`freshness.py`)."""
