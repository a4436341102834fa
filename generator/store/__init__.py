"""What is committed under `data/`: the price store (`prices.py`), shares outstanding
(`shares.py`) and the frozen issues (`snapshots.py`); `naming.py` names their files."""
