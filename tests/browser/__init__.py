"""Browser tests (skipped when no Chromium is present)."""

from __future__ import annotations

import time
from typing import Any


def wait_until(page: Any, expression: str, timeout: float = 10_000) -> Any:
    """Poll `expression` in the page until it is truthy (its value), as `wait_for_function`
    does, but from here: the site's Content-Security-Policy forbids the string evaluation
    Playwright's in-page polling uses, while `evaluate` (over the DevTools protocol) is
    allowed; a reload meanwhile (the preview's) only means polling again. `timeout` in
    milliseconds, like Playwright's."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        try:
            value = page.evaluate(expression)
        except Exception as exc:  # noqa: BLE001  (the page navigated meanwhile: poll again)
            if "destroyed" not in str(exc) and "navigat" not in str(exc):
                raise
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout:.0f} ms: {expression}")
        time.sleep(0.05)
