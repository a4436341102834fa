"""Pure: what each chart shows (`data.py`), its Altair layout (`layouts.py`, `evidence.py`,
`cards.py`), compiled to Vega once per shape and drawn to SVG or PNG (`vega.py`), and every
chart and image of the site as a render job (`render.py`)."""
