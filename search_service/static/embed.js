/* search-service widget for other sites:

     <div class="archive-search"></div>
     <script src="https://SEARCH-HOST/static/embed.js" data-site="www.example.org"
             data-size="5" data-target=".archive-search" defer></script>

   Draws a search box and results inside a shadow root (the host page's CSS and ours cannot
   clash), styled by CSS custom properties set on the container (--ss-bg, --ss-fg, --ss-muted,
   --ss-accent, --ss-accent-fg, --ss-border, --ss-mark-bg, --ss-mark-fg, --ss-font,
   --ss-radius). It calls the JSON API across origins (CORS) and never parses scraped text as
   HTML: titles are text, and snippets keep only their <mark> elements. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src) {
    return;
  }
  var base = new URL("..", script.src).href; // the script lives at BASE/static/embed.js
  var MAX_SIZE = 20;

  function option(name, fallback) {
    var value = script.getAttribute("data-" + name);
    return value === null || value === "" ? fallback : value;
  }

  /* "{count:,} results" -> "1,234 results": the catalogue's str.format templates. */
  function fill(template, values) {
    return String(template).replace(/\{(\w+)(:,)?\}/g, function (_, name, grouped) {
      var value = values[name];
      if (grouped && typeof value === "number") {
        return value.toLocaleString("en");
      }
      return value === undefined || value === null ? "" : String(value);
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  /* A <time> reading "11 Nov 2019" for the day the page gave (its own calendar day). */
  function dateElement(published) {
    var day = String(published).slice(0, 10);
    var node = element("time", "", day);
    node.dateTime = day;
    var parsed = new Date(day + "T00:00:00Z");
    if (!isNaN(parsed.getTime()) && typeof Intl === "object") {
      node.textContent = parsed.toLocaleDateString("en-GB", {
        timeZone: "UTC", day: "numeric", month: "short", year: "numeric"
      });
    }
    return node;
  }

  /* The API's snippet is escaped HTML plus <mark>; keep the text and the marks, nothing else. */
  function snippetNodes(html) {
    var template = document.createElement("template"); // inert: nothing in it runs or loads
    template.innerHTML = html;
    var out = document.createDocumentFragment();
    template.content.childNodes.forEach(function (node) {
      if (node.nodeType === Node.ELEMENT_NODE && node.tagName === "MARK") {
        out.appendChild(element("mark", "", node.textContent));
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function mount(host, strings) {
    var site = option("site", "");
    var size = Math.max(1, Math.min(MAX_SIZE, parseInt(option("size", "5"), 10) || 5));
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var uid = "ss-" + Math.random().toString(36).slice(2, 8);

    var sheet = element("link");
    sheet.rel = "stylesheet";
    sheet.href = base + "static/embed-widget.css";
    root.appendChild(sheet);

    var wrapper = element("div", "ss-widget");
    var form = element("form", "ss-form");
    form.setAttribute("role", "search");
    form.action = base + "search";
    form.method = "get";
    form.target = "_blank";
    var label = element("label", "ss-label", strings["search.label"]);
    label.htmlFor = uid + "-q";
    var box = element("input", "ss-input");
    box.type = "search";
    box.name = "q";
    box.id = uid + "-q";
    box.placeholder = option("placeholder", strings["search.placeholder"]);
    box.autocomplete = "off";
    var button = element("button", "ss-button", strings["search.button"]);
    button.type = "submit";
    var row = element("div", "ss-row");
    row.appendChild(box);
    row.appendChild(button);
    form.appendChild(label);
    form.appendChild(row);
    var status = element("p", "ss-status");
    status.setAttribute("role", "status");
    var list = element("ol", "ss-results");
    var more = element("p", "ss-more");
    wrapper.appendChild(form);
    wrapper.appendChild(status);
    wrapper.appendChild(list);
    wrapper.appendChild(more);
    root.appendChild(wrapper);

    var pending = null;

    function render(data, q) {
      list.textContent = "";
      more.textContent = "";
      var count = fill(strings[data.total === 1 ? "count.results.one" : "count.results.other"],
                       { count: data.total });
      status.textContent = data.total
        ? fill(strings["results.summary"], { results: count, q: q })
        : fill(strings["results.none"], { q: q });
      data.hits.forEach(function (hit) {
        var item = element("li", "ss-result");
        var heading = element("h3", "ss-title");
        var link = element("a", "", hit.title || strings["results.untitled"]);
        link.href = base + "doc/" + encodeURIComponent(hit.id) + "?q=" + encodeURIComponent(q);
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        heading.appendChild(link);
        item.appendChild(heading);
        var meta = element("p", "ss-meta", hit.site);
        if (hit.published) {
          meta.appendChild(document.createTextNode(" · "));
          meta.appendChild(dateElement(hit.published));
        }
        item.appendChild(meta);
        var snippet = element("p", "ss-snippet");
        snippet.appendChild(snippetNodes(hit.snippet));
        item.appendChild(snippet);
        list.appendChild(item);
      });
      if (data.total > data.hits.length) {
        var all = element("a", "", fill(strings["embed.more"], { results: count }));
        all.href = base + "search?q=" + encodeURIComponent(q) + (site ? "&site=" + encodeURIComponent(site) : "");
        all.target = "_blank";
        all.rel = "noopener noreferrer";
        more.appendChild(all);
      }
    }

    form.addEventListener("submit", function (event) {
      var q = box.value.trim();
      if (!q || typeof fetch !== "function") {
        return; // the form opens the full results page instead
      }
      event.preventDefault();
      if (pending) {
        pending.abort();
      }
      pending = typeof AbortController === "function" ? new AbortController() : null;
      var url = base + "api/v1/search?facets=&size=" + size + "&q=" + encodeURIComponent(q) +
        (site ? "&site=" + encodeURIComponent(site) : "");
      fetch(url, pending ? { signal: pending.signal } : {})
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (data.ok) {
            render(data, q);
          } else {
            list.textContent = "";
            more.textContent = "";
            status.textContent = fill(strings["embed.error"], { message: data.error.message });
          }
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") {
            return;
          }
          status.textContent = fill(strings["embed.error"], { message: String(error) });
        });
    });

    var initial = option("query", "");
    if (initial) {
      box.value = initial;
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  }

  function start() {
    var selector = option("target", "");
    var host = selector ? document.querySelector(selector) : null;
    if (!host) {
      host = document.createElement("div");
      host.className = "search-service-widget";
      script.parentNode.insertBefore(host, script);
    }
    fetch(base + "embed/strings.json")
      .then(function (response) { return response.json(); })
      .then(function (strings) { mount(host, strings); })
      .catch(function () { /* the service is unreachable: leave the page as it is */ });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
