/* Risk-On Monitor: progressive charts.
 * Each <figure class="chart"> holds a static SVG (works with no JavaScript) and, next to it,
 * its Vega spec in <script type="application/json" class="chart-spec">.  Once the page has
 * loaded and the browser is idle, this file loads the self-hosted vega.min.js (its
 * data-vega attribute) and swaps each SVG for a live Vega view (SVG renderer, so it keeps
 * the page's colours) sized to its column, with tooltips.  No inline script, no
 * request to another host; any failure leaves the static SVG in place.
 */
(function () {
  "use strict";
  var vega = null;
  var self = document.currentScript;
  if (!document.querySelector || !self) return;

  var tip = null;

  function showTip(handler, event, item, value) {
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "chart-tip";
      tip.hidden = true;
      document.body.appendChild(tip);
    }
    if (value === null || value === undefined || value === "") {
      tip.hidden = true;
      return;
    }
    var rows = typeof value === "object" ? Object.keys(value) : [""];
    var list = document.createElement("dl");
    rows.forEach(function (key) {
      var dt = document.createElement("dt");
      var dd = document.createElement("dd");
      dt.textContent = key;
      dd.textContent = key === "" ? String(value) : String(value[key]);
      list.appendChild(dt);
      list.appendChild(dd);
    });
    tip.replaceChildren(list);
    tip.hidden = false;
    var x = event.clientX + 14;
    var y = event.clientY + 14;
    var w = tip.offsetWidth;
    var h = tip.offsetHeight;
    if (x + w > document.documentElement.clientWidth - 4) x = event.clientX - w - 14;
    if (y + h > document.documentElement.clientHeight - 4) y = event.clientY - h - 14;
    tip.style.left = Math.max(4, x) + window.scrollX + "px";
    tip.style.top = Math.max(4, y) + window.scrollY + "px";
  }

  // Vega does not wrap titles, and an overflowing subtitle would squeeze the plot on a
  // phone: break it into lines that fit the width (~0.56 em per character).
  function wrapSubtitle(spec, width) {
    var title = spec.title;
    if (!title || typeof title.subtitle !== "string") return;
    var size = (title.subtitleFontSize || 11.5) * 0.56;
    var max = Math.max(20, Math.floor((width - 16) / size));
    var lines = [];
    var line = "";
    title.subtitle.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > max) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) lines.push(line);
    if (lines.length > 1) title.subtitle = lines;
  }

  function enhance(figure) {
    var source = figure.querySelector("script.chart-spec");
    var svg = figure.querySelector("svg");
    if (!source || !svg) return;
    var spec = JSON.parse(source.textContent);
    wrapSubtitle(spec, figure.clientWidth);
    var holder = document.createElement("div");
    holder.className = "chart-live";
    var view = new vega.View(vega.parse(spec), {
      renderer: "svg",
      container: holder,
      hover: true,
      tooltip: showTip
    });
    var width = function () { return Math.max(240, Math.floor(figure.clientWidth)); };
    view.width(width());
    return view.runAsync().then(function () {
      // One accessible image, described like the static SVG (Vega labels its container
      // "Vega visualization").
      holder.removeAttribute("aria-roledescription");
      holder.setAttribute("role", "img");
      holder.setAttribute("aria-label", svg.getAttribute("aria-label") || "Chart");
      var drawn = holder.querySelector("svg");
      if (drawn) drawn.setAttribute("aria-hidden", "true");
      svg.replaceWith(holder);
      figure.classList.add("is-live");
      var last = width();
      window.addEventListener("resize", function () {
        var now = width();
        if (now !== last) {
          last = now;
          view.width(now).runAsync();
        }
      });
    });
  }

  function start() {
    var figures = document.querySelectorAll("figure.chart");
    Array.prototype.forEach.call(figures, function (figure) {
      try {
        var done = enhance(figure);
        if (done) done.catch(function (e) { console.error("chart", figure.id, e); });
      } catch (e) { console.error("chart", figure.id, e); }
    });
  }

  // Vega (500 kB, ~30 ms to evaluate) is fetched and run only once the page has loaded and
  // the browser is idle, so it never delays the first view of the static charts.
  function loadVega() {
    if (window.vega) {
      vega = window.vega;
      start();
      return;
    }
    var script = document.createElement("script");
    script.src = self.getAttribute("data-vega");
    script.onload = function () {
      vega = window.vega;
      if (vega) start();
    };
    document.head.appendChild(script);
  }

  function whenIdle() {
    if (window.requestIdleCallback) {
      window.requestIdleCallback(loadVega, { timeout: 2000 });
    } else {
      setTimeout(loadVega, 200);
    }
  }

  if (document.readyState === "complete") {
    whenIdle();
  } else {
    window.addEventListener("load", whenIdle);
  }
})();
