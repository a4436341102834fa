"""Pure: the event study of SPEC §6 (`study.py`, forward returns in `forward.py`), its
statistics (`stats.py`), the score's own track record (`track.py`) and the words of the
page (`text.py`, `track_text.py`)."""
