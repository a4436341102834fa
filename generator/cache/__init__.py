"""The cache wing: one code hash and one data hash (`keys.py`), one keyed store with one
index and one prune (`store.py`), one render-pool policy (`workers.py`), and the wrappers
that memoise the pure stages (`stages.py`, `renders.py`, `pages.py`); `stamp.py` skips a
build whose inputs are unchanged. A build gives the same bytes with it or without it."""
