"""Where prices come from: Yahoo (`yahoo.py`, the only importer of yfinance), a folder of
CSV files, or the synthetic `sample` market; `validate.py` checks every frame at the
boundary, `spec.py` names sources and files, `load.py` reads a source's files."""
