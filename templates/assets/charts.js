/* Risk-On Monitor: progressive charts.
 *
 * Each <figure class="chart" id="chart-NAME"> holds a static chart (an inline SVG, an <img>
 * of its SVG file, or a <picture>): it works with no JavaScript, and nothing here runs for a
 * reader who only reads. A chart becomes a live Vega view (tooltips; a tap shows a value)
 *   - on first intent: the pointer enters it, something in it takes focus, a finger taps it;
 *   - or once it is in view and the page has settled (loaded, then a few seconds with no
 *     input), one chart per idle period (IntersectionObserver + requestIdleCallback).
 * Only then are the page's Vega specs (data-specs: a charts.json of {NAME: spec}; on a
 * screen matching data-narrow-media, data-narrow-specs: the narrow layouts), Vega
 * (data-vega) and its CSP-safe expression interpreter (data-interpreter) fetched.
 *
 * No layout shift: the live view is drawn over the static chart's own box, at exactly its
 * size (the spec's autosize is "fit"), and follows that box when it is resized; the static
 * chart stays beneath it, hidden, and is what prints. Works under the site's
 * Content-Security-Policy (no eval: vega.parse(spec, null, {ast: true}) and
 * vega.expressionInterpreter). No inline script, no request to another host; any failure
 * leaves the static chart in place.
 */
(function () {
  "use strict";
  var self = document.currentScript;
  if (!self || !window.fetch || !window.Promise || !document.querySelector) return;

  var SETTLE_MS = 3000;  // quiet time after load before charts in view go live by themselves
  var figures = Array.prototype.filter.call(
    document.querySelectorAll("figure.chart[id^='chart-']"), stillOf);
  if (!figures.length) return;

  var loading = null;  // Promise of the specs, once Vega is loaded
  var state = new Map();  // figure -> Promise of its view (or null: no spec)
  var tip = null;
  var tipPinned = false;  // shown by a tap: stays until the next tap elsewhere

  function stillOf(figure) {
    var first = figure.firstElementChild;
    return first && /^(svg|img|picture)$/i.test(first.tagName) ? first : null;
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("cannot load " + src)); };
      document.head.appendChild(script);
    });
  }

  function load() {
    if (!loading) {
      // Below data-narrow-media the specs laid out like the narrow static SVGs (legible text
      // on a phone), else the wide ones: the live view matches the chart it is drawn over.
      var narrow = self.getAttribute("data-narrow-specs");
      var media = self.getAttribute("data-narrow-media");
      var url = narrow && media && window.matchMedia && window.matchMedia(media).matches
        ? narrow : self.getAttribute("data-specs");
      var specs = fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("charts.json: HTTP " + response.status);
          return response.json();
        });
      var vega = window.vega ? Promise.resolve() : loadScript(self.getAttribute("data-vega"));
      var code = vega.then(function () {
        if (!window.vega) throw new Error("Vega did not load");
        if (!window.vega.expressionInterpreter) {
          return loadScript(self.getAttribute("data-interpreter"));
        }
      });
      loading = Promise.all([specs, code]).then(function (loaded) {
        if (!window.vega.expressionInterpreter) throw new Error("no Vega interpreter");
        return loaded[0];
      });
    }
    return loading;
  }

  /* The tooltip: a definition list beside the pointer (or the finger). */
  function tipElement() {
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "chart-tip";
      tip.hidden = true;
      tip.setAttribute("role", "status");
      document.body.appendChild(tip);
    }
    return tip;
  }

  function hideTip() {
    tipPinned = false;
    if (tip) tip.hidden = true;
  }

  function showTip(handler, event, item, value) {
    var touch = event && event.pointerType === "touch";
    if (value === null || value === undefined || value === "") {
      // A tap ends with pointerout/pointerleave: keep the value it showed on screen.
      if (tipPinned && !(event && /move|over|enter/.test(event.type) && !touch)) return;
      hideTip();
      return;
    }
    var el = tipElement();
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
    el.replaceChildren(list);
    el.hidden = false;
    tipPinned = touch;
    var gap = touch ? 24 : 14;  // clear of the finger
    var x = event.clientX + gap;
    var y = event.clientY - el.offsetHeight - gap;
    if (!touch) y = event.clientY + gap;
    var w = el.offsetWidth;
    var h = el.offsetHeight;
    var vw = document.documentElement.clientWidth;
    var vh = document.documentElement.clientHeight;
    if (x + w > vw - 4) x = event.clientX - w - gap;
    if (y + h > vh - 4) y = event.clientY - h - gap;
    if (y < 4) y = event.clientY + gap;
    el.style.left = Math.max(4, Math.min(x, vw - w - 4)) + window.scrollX + "px";
    el.style.top = Math.max(4, y) + window.scrollY + "px";
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

  function nextTask() {
    return new Promise(function (resolve) { setTimeout(resolve, 0); });
  }

  /* Send a tap to the live view as a hover at the same point: Vega shows that value. */
  function pointAt(holder, x, y) {
    var target = document.elementFromPoint(x, y);
    if (!target || !holder.contains(target)) return;
    ["pointerover", "pointermove"].forEach(function (type) {
      target.dispatchEvent(new PointerEvent(type, {
        bubbles: true, cancelable: true, clientX: x, clientY: y, pointerType: "touch",
        isPrimary: true
      }));
    });
  }

  /* The live view over the static chart's box, at its size. */
  function enhance(figure, spec) {
    var vega = window.vega;
    var still = stillOf(figure);
    if (!still) return Promise.resolve(null);
    var box = document.createElement("div");
    box.className = "chart-box";
    figure.insertBefore(box, still);
    box.appendChild(still);
    var holder = document.createElement("div");
    holder.className = "chart-live";
    box.appendChild(holder);
    var size = function () {
      return [Math.max(1, Math.floor(box.clientWidth)), Math.max(1, Math.floor(box.clientHeight))];
    };
    var now = size();
    var view = null;
    wrapSubtitle(spec, now[0]);
    spec.autosize = { type: "fit", contains: "padding" };
    // Parse, build and draw as separate tasks, so that the main thread is never held for
    // all three at once.
    var runtime = vega.parse(spec, null, { ast: true });
    return nextTask().then(function () {
      view = new vega.View(runtime, {
        renderer: "svg",
        container: holder,
        hover: true,
        tooltip: showTip,
        expr: vega.expressionInterpreter
      });
      view.width(now[0]).height(now[1]);
      return nextTask();
    }).then(function () {
      return view.runAsync();
    }).then(function () {
      // One accessible image, described like the static chart (Vega labels its container
      // "Vega visualization").
      holder.removeAttribute("aria-roledescription");
      holder.setAttribute("role", "img");
      var img = still.tagName.toLowerCase() === "picture" ? still.querySelector("img") : still;
      holder.setAttribute("aria-label",
        (img && (img.getAttribute("aria-label") || img.getAttribute("alt"))) || "Chart");
      var drawn = holder.querySelector("svg");
      if (drawn) drawn.setAttribute("aria-hidden", "true");
      figure.classList.add("is-live");
      var follow = function () {
        var next = size();
        if (next[0] !== now[0] || next[1] !== now[1]) {
          now = next;
          view.width(now[0]).height(now[1]).runAsync();
        }
      };
      if (window.ResizeObserver) new ResizeObserver(follow).observe(box);
      else window.addEventListener("resize", follow);
      return view;
    });
  }

  function activate(figure) {
    if (!state.has(figure)) {
      var name = figure.id.replace(/^chart-/, "");
      state.set(figure, load().then(function (specs) {
        if (!Object.prototype.hasOwnProperty.call(specs, name)) return null;
        return enhance(figure, specs[name]);
      }).catch(function (e) {
        console.error("chart", figure.id, e);
        return null;
      }));
    }
    return state.get(figure);
  }

  /* Intent: hover, focus, tap. */
  figures.forEach(function (figure) {
    figure.addEventListener("pointerenter", function (event) {
      if (event.pointerType !== "touch") activate(figure);
    });
    figure.addEventListener("focusin", function () { activate(figure); });
    figure.addEventListener("pointerdown", function (event) {
      if (event.pointerType !== "touch") return;
      var x = event.clientX;
      var y = event.clientY;
      activate(figure).then(function (view) {
        if (view) pointAt(figure.querySelector(".chart-live"), x, y);
      });
    });
  });
  document.addEventListener("pointerdown", function (event) {
    if (tipPinned && !(event.target.closest && event.target.closest(".chart-live"))) hideTip();
  }, { passive: true });

  /* In view, once the page has settled: one chart per idle period. */
  var queue = [];
  var settled = false;
  var pumping = false;

  function idle(fn) {
    if (window.requestIdleCallback) window.requestIdleCallback(fn);
    else setTimeout(fn, 50);
  }

  function pump() {
    if (!settled || pumping) return;
    var figure = queue.shift();
    if (!figure) return;
    pumping = true;
    idle(function () {
      Promise.resolve(activate(figure)).then(function () {
        pumping = false;
        pump();
      });
    });
  }

  if (window.IntersectionObserver) {
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        seen.unobserve(entry.target);
        if (!state.has(entry.target)) queue.push(entry.target);
      });
      pump();
    }, { rootMargin: "100px 0px" });
    figures.forEach(function (figure) { seen.observe(figure); });
  }

  // "Settled": the load event, then SETTLE_MS without the reader scrolling, typing or
  // touching, so nothing of this competes with the first seconds of reading.
  var timer = 0;
  function wait() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      settled = true;
      ["scroll", "keydown", "pointerdown", "wheel"].forEach(function (type) {
        window.removeEventListener(type, wait, true);
      });
      idle(pump);
    }, SETTLE_MS);
  }
  function start() {
    ["scroll", "keydown", "pointerdown", "wheel"].forEach(function (type) {
      window.addEventListener(type, wait, { capture: true, passive: true });
    });
    wait();
  }
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
