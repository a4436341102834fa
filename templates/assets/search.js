/* Risk-On Monitor: the search page.
 * Runs the query in ?q= through Pagefind's self-hosted index, in bundles
 * (data-pagefind-bundles: their folders, the latest year's first): the latest year's
 * pagefind.js is loaded and the earlier years' bundle merged into it (mergeIndex), so one
 * search ranks the issues of all years together. Lists each issue found with its week,
 * score and band.
 * No inline script, no request to another host.
 * Everything shown is set as text; the excerpt's <mark> highlights are rebuilt as
 * elements, never inserted as HTML.
 */
(function () {
  "use strict";
  var self = document.currentScript;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!self || !form || !input || !list || !window.Promise) return;
  // Site-absolute paths ("/pagefind/2026/"), like the one Pagefind derives for the bundle
  // it was loaded from; from each, it also derives the site root its results link to.
  var bundles = (self.getAttribute("data-pagefind-bundles") || "").split(" ")
    .filter(Boolean).map(function (b) { return new URL(b, document.baseURI).pathname; });
  var loading = null;
  var MAX = 30;
  var OPTIONS = { excerptLength: 24 };

  function pagefind() {
    if (!loading) {
      loading = bundles.length === 0 ? Promise.reject(new Error("no index")) :
        import(bundles[0] + "pagefind.js").then(function (pf) {
          return Promise.resolve(pf.options(OPTIONS)).then(function () {
            // Options given to options() are the first bundle's only: each merged bundle
            // gets its own.
            return Promise.all(bundles.slice(1).map(function (b) {
              return pf.mergeIndex(b, OPTIONS);
            }));
          }).then(function () {
            return pf;
          });
        });
    }
    return loading;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function excerpt(html) {
    // Pagefind's excerpt is escaped text with <mark> around the words found.
    var p = el("p", "search-excerpt");
    var doc = new DOMParser().parseFromString(html, "text/html");
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") p.appendChild(el("mark", "", node.textContent));
      else p.appendChild(document.createTextNode(node.textContent));
    });
    return p;
  }

  function item(data) {
    var meta = data.meta || {};
    var li = el("li", "search-result");
    var link = el("a", "", meta.title || meta.week || data.url);
    link.href = data.url;
    var h = el("h2", "search-title");
    h.appendChild(link);
    li.appendChild(h);
    var facts = el("p", "kicker");
    facts.appendChild(document.createTextNode("Week " + (meta.week || "?") + " · score " +
      (meta.score || "n/a") + " · "));
    var name = meta.band || "n/a";
    facts.appendChild(el("span", "band band-" + name.toLowerCase().replace(/ /g, "-"), name));
    li.appendChild(facts);
    if (data.excerpt) li.appendChild(excerpt(data.excerpt));
    return li;
  }

  function run(query) {
    list.textContent = "";
    if (!query) return;
    status.textContent = "Searching…";
    pagefind().then(function (pf) {
      return pf.search(query);
    }).then(function (search) {
      var found = search.results.length;
      var shown = search.results.slice(0, MAX);
      return Promise.all(shown.map(function (r) { return r.data(); })).then(function (rows) {
        rows.forEach(function (data) { list.appendChild(item(data)); });
        status.textContent = found === 0 ? "No issue mentions “" + query + "”." :
          (found === 1 ? "1 issue" : found + " issues") + " found for “" + query + "”" +
          (found > MAX ? "; the " + MAX + " best matches are shown." : ".");
      });
    }).catch(function () {
      status.textContent = "Search could not load its index. The archive lists every week.";
    });
  }

  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = input.value.trim();
    var url = new URL(window.location.href);
    url.searchParams.set("q", q);
    window.history.replaceState(null, "", url.href);
    run(q);
  });
  run(input.value.trim());
})();
