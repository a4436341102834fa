/* Risk-On Monitor: progressive charts.
 * Each <figure class="chart" id="chart-NAME"> holds a static SVG, inline or as an <img> of its
 * file (works with no JavaScript).
 * Once the page has loaded and the browser is idle, this file fetches the page's Vega specs
 * (its data-specs attribute: a charts.json of {NAME: spec}) and the self-hosted vega.min.js
 * (data-vega), and swaps each SVG that has a spec for a live Vega view (SVG renderer, so it
 * keeps the page's colours) sized to its column, with tooltips.  No inline script, no
 * request to another host; any failure leaves the static SVG in place.
 */
(function () {
  "use strict";
  var vega = null;
  var self = document.currentScript;
  if (!document.querySelector || !self || !window.fetch || !window.Promise) return;

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

  function enhance(figure, spec) {
    var still = figure.querySelector("svg, img");
    if (!spec || !still) return;
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
      holder.setAttribute("aria-label",
        still.getAttribute("aria-label") || still.getAttribute("alt") || "Chart");
      var drawn = holder.querySelector("svg");
      if (drawn) drawn.setAttribute("aria-hidden", "true");
      still.replaceWith(holder);
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

  function start(specs) {
    var figures = document.querySelectorAll("figure.chart");
    Array.prototype.forEach.call(figures, function (figure) {
      var name = figure.id.replace(/^chart-/, "");
      if (!Object.prototype.hasOwnProperty.call(specs, name)) return;
      try {
        var done = enhance(figure, specs[name]);
        if (done) done.catch(function (e) { console.error("chart", figure.id, e); });
      } catch (e) { console.error("chart", figure.id, e); }
    });
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      if (window.vega) return resolve();
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  // The specs (tens of kB) and Vega (500 kB, ~30 ms to evaluate) are fetched and run only
  // once the page has loaded and the browser is idle, so they never delay the first view.
  function loadVega() {
    var specs = fetch(self.getAttribute("data-specs"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("charts.json: HTTP " + response.status);
        return response.json();
      });
    Promise.all([specs, loadScript(self.getAttribute("data-vega"))])
      .then(function (loaded) {
        vega = window.vega;
        if (vega) start(loaded[0]);
      })
      .catch(function (e) { console.error("charts", e); });
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
