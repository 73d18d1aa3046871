/* Progressive enhancement only: every page works without this file.
   - "/" anywhere outside a text field jumps to the search box;
   - Arrow Down / Arrow Up move through the result cards (Enter opens the focused one);
   - suggestions appear under the search box as you type (debounced, never blocking typing). */
(function () {
  "use strict";

  var SUGGEST_DELAY_MS = 150;
  var MIN_CHARS = 2;

  function isEditable(element) {
    if (!element) {
      return false;
    }
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  function cardLinks() {
    return Array.prototype.slice.call(document.querySelectorAll(".results .card-link"));
  }

  /* Move focus to the next (+1) or previous (-1) result; true when focus moved. */
  function moveThroughResults(step) {
    var links = cardLinks();
    if (!links.length) {
      return false;
    }
    var index = links.indexOf(document.activeElement);
    if (index === -1) {
      var card = document.activeElement && document.activeElement.closest
        ? document.activeElement.closest(".result") : null;
      index = card ? links.indexOf(card.querySelector(".card-link")) : -1;
    }
    var next = index === -1 ? (step > 0 ? 0 : links.length - 1) : index + step;
    if (next < 0 || next >= links.length) {
      return false;
    }
    links[next].focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) {
      return;
    }
    var active = document.activeElement;
    if (event.key === "/" && !isEditable(active)) {
      var box = document.getElementById("q");
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
      return;
    }
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && !isEditable(active)) {
      if (moveThroughResults(event.key === "ArrowDown" ? 1 : -1)) {
        event.preventDefault();
      }
    }
  });

  /* -- suggestions ------------------------------------------------------------------------ */

  function setUpSuggestions(box) {
    var list = document.getElementById(box.getAttribute("aria-controls"));
    var endpoint = box.getAttribute("data-suggest");
    if (!list || !endpoint || typeof fetch !== "function") {
      return;
    }
    var timer = null;
    var pending = null;
    var selected = -1;
    var typed = box.value;

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
    }

    function close() {
      list.hidden = true;
      list.textContent = "";
      selected = -1;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var items = options();
      selected = index;
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0 && items[index]) {
        box.setAttribute("aria-activedescendant", items[index].id);
        box.value = items[index].textContent;
      } else {
        box.removeAttribute("aria-activedescendant");
        box.value = typed;
      }
    }

    function choose(text) {
      box.value = text;
      close();
      if (box.form) {
        box.form.submit();
      }
    }

    function show(suggestions) {
      list.textContent = "";
      selected = -1;
      suggestions.forEach(function (text, i) {
        var item = document.createElement("li");
        item.id = "q-suggestion-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = text; // text only: a title is never parsed as HTML
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the box
          choose(text);
        });
        list.appendChild(item);
      });
      list.hidden = suggestions.length === 0;
      box.setAttribute("aria-expanded", suggestions.length ? "true" : "false");
    }

    function fetchSuggestions() {
      var text = box.value;
      if (text.trim().length < MIN_CHARS) {
        close();
        return;
      }
      if (pending) {
        pending.abort();
      }
      pending = typeof AbortController === "function" ? new AbortController() : null;
      fetch(endpoint + "?q=" + encodeURIComponent(text), pending ? { signal: pending.signal } : {})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && data.ok && box.value === text && document.activeElement === box) {
            typed = text;
            show(data.suggestions || []);
          }
        })
        .catch(function () { /* aborted or offline: simply no suggestions */ });
    }

    box.addEventListener("input", function () {
      typed = box.value;
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, SUGGEST_DELAY_MS);
    });

    box.addEventListener("keydown", function (event) {
      var count = options().length;
      if (list.hidden || !count) {
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(selected + 1 >= count ? -1 : selected + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(selected - 1 < -1 ? count - 1 : selected - 1);
      } else if (event.key === "Escape") {
        event.preventDefault();
        box.value = typed;
        close();
      } else if (event.key === "Enter") {
        close(); // the form submits what is in the box
      }
    });

    box.addEventListener("blur", function () {
      setTimeout(close, 100);
    });
  }

  var searchBox = document.getElementById("q");
  if (searchBox) {
    setUpSuggestions(searchBox);
  }
})();
