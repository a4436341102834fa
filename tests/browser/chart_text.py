"""Chart text as a reader sees it: rendered size and boxes of every <text> of every chart.

`MEASURE` (JavaScript, run by Playwright in the page) walks each `figure.chart` and finds
what the browser actually shows: the live Vega view, an inline <svg>, or the <img> (in a
<picture> or not) with the file the browser chose (`currentSrc`). For an image it parses
that SVG file into a hidden box of the image's rendered width, so the same measurement
applies: computed font size × the element's rendered scale (its screen CTM). Each text
also gets its box in CSS px of the page, for collision checks.

Used by `tests/browser/test_chart_text.py` and by `measure()` (a script entry point for
the real-data site: `python -m tests.browser.chart_text URL...`).
"""

from __future__ import annotations

MEASURE = r"""
async () => {
  function textsOf(svg, dx, dy) {
    const out = [];
    for (const t of svg.querySelectorAll("text")) {
      const label = (t.textContent || "").trim();
      if (!label) continue;
      const style = getComputedStyle(t);
      if (style.display === "none" || style.visibility === "hidden") continue;
      if (parseFloat(style.opacity || "1") === 0 || parseFloat(style.fillOpacity || "1") === 0)
        continue;
      const ctm = t.getScreenCTM();
      if (!ctm) continue;
      const scale = Math.sqrt(Math.abs(ctm.a * ctm.d - ctm.b * ctm.c));
      const r = t.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      out.push({text: label, px: parseFloat(style.fontSize) * scale,
                box: [r.left - dx, r.top - dy, r.right - dx, r.bottom - dy]});
    }
    return out;
  }
  const result = [];
  for (const fig of document.querySelectorAll("figure.chart")) {
    const live = fig.querySelector(".chart-live svg");
    const img = fig.querySelector("img");
    const inline = Array.from(fig.querySelectorAll(":scope > svg, :scope > * > svg"))
      .filter(s => s.getBoundingClientRect().width > 0);
    let kind, texts = [], width = 0, src = "";
    if (live) {
      kind = "live";
      const r = live.getBoundingClientRect();
      width = r.width;
      texts = textsOf(live, r.left, r.top);
    } else if (inline.length) {
      kind = "inline";
      const svg = inline[0];
      const r = svg.getBoundingClientRect();
      width = r.width;
      texts = textsOf(svg, r.left, r.top);
    } else if (img) {
      kind = "img";
      if (!img.complete || !img.naturalWidth) {
        img.loading = "eager";
        await img.decode().catch(() => null);
      }
      src = img.currentSrc || img.src;
      const r = img.getBoundingClientRect();
      width = r.width;
      const body = await (await fetch(src)).text();
      const doc = new DOMParser().parseFromString(body, "image/svg+xml");
      const svg = document.importNode(doc.documentElement, true);
      const holder = document.createElement("div");
      holder.style.cssText = "position:absolute;left:0;top:0;visibility:visible;" +
        "width:" + r.width + "px";
      svg.setAttribute("width", String(r.width));
      svg.setAttribute("height", String(r.height));
      holder.appendChild(svg);
      document.body.appendChild(holder);
      const hr = svg.getBoundingClientRect();
      texts = textsOf(svg, hr.left, hr.top);
      holder.remove();
    } else {
      continue;
    }
    result.push({id: fig.id, kind, src, width, texts});
  }
  return result;
}
"""


def overlaps(texts: list[dict], tolerance: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap by more than `tolerance` px each way."""
    bad = []
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            ax0, ay0, ax1, ay1 = a["box"]
            bx0, by0, bx1, by1 = b["box"]
            if (min(ax1, bx1) - max(ax0, bx0) > tolerance
                    and min(ay1, by1) - max(ay0, by0) > tolerance):
                bad.append((a["text"], b["text"]))
    return bad


def measure(url: str, width: int, *, javascript: bool, chromium: str = "/usr/bin/chromium",
            screenshot: str | None = None, wait_live: float = 0) -> list[dict]:
    """Every chart's texts on `url` at `width` CSS px (a script helper, not a test)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.test_browser import CHROMIUM_FLAGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      java_script_enabled=javascript)
        page = context.new_page()
        page.goto(url, wait_until="load")
        if javascript and wait_live:
            try:
                page.wait_for_selector("figure.is-live", timeout=wait_live * 1000)
                page.wait_for_timeout(500)
            except Exception:  # noqa: BLE001 - a page without live charts
                pass
        charts = page.evaluate(MEASURE)
        if screenshot:
            for fig in page.locator("figure.chart").all():
                fig.scroll_into_view_if_needed()
                page.wait_for_timeout(200)
                fig.screenshot(path=f"{screenshot}-{fig.get_attribute('id')}.png")
        browser.close()
    return charts


def main(argv: list[str]) -> None:
    """`python -m tests.browser.chart_text OUT_PREFIX URL...`: sizes and overlaps per chart."""
    prefix, *urls = argv
    for url in urls:
        for width in (360, 390, 1280):
            for js in (False, True):
                path = url.split("//", 1)[-1].split("/", 1)[-1].strip("/")
                name = f"{prefix}-{path.rsplit('/', 1)[-1] or 'home'}-{width}"
                name += "-js" if js else "-nojs"
                charts = measure(url, width, javascript=js, screenshot=name,
                                 wait_live=15 if js else 0)
                for c in charts:
                    sizes = [t["px"] for t in c["texts"]]
                    small = sorted({t["text"] for t in c["texts"] if t["px"] < 11})
                    print(f"{url} {width} {'js' if js else 'nojs'} {c['id']} {c['kind']} "
                          f"w={c['width']:.0f} min={min(sizes, default=0):.1f} "
                          f"max={max(sizes, default=0):.1f} n={len(sizes)} "
                          f"under11={len(small)} overlaps={overlaps(c['texts'])[:4]}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
