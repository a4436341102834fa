"""Pure: the weekly signal table and the score (`core.py`), the further signals
(`further.py`, `flows.py`), the `Issue` a page shows (`issues.py`, `weekly.py`) and the
generated "what changed" sentences (`narrative.py`)."""
