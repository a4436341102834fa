"""Pure: the event study of SPEC §6 (`study.py`), its statistics (`stats.py`) and the
words of its page (`text.py`)."""
