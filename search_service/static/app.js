/* Progressive enhancement only: every page works without this file.
   Press "/" anywhere outside a text field to jump to the search box. */
(function () {
  "use strict";

  function isEditable(element) {
    if (!element) {
      return false;
    }
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) {
      return;
    }
    if (isEditable(document.activeElement)) {
      return;
    }
    var box = document.getElementById("q");
    if (!box) {
      return;
    }
    event.preventDefault();
    box.focus();
    box.select();
  });
})();
