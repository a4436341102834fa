"""Pure page assembly: every page and file as `{path: bytes}` (`pages.py`), the Jinja
environment (`templates.py`), the feed (`feed.py`), the data files and the data page
(`datafiles.py`, `downloads.py`), the chart files beside a page (`chartfiles.py`)."""
