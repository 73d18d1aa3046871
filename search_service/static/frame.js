/* The iframe widget (/embed?q=...) tells the page that frames it how tall it is, so the host
   can size the frame to fit: window.addEventListener("message", e => { if (e.data &&
   e.data.type === "search-service:height") frame.style.height = e.data.height + "px"; }).
   A static file (not inline) so the widget's Content-Security-Policy can stay strict. */
(function () {
  "use strict";
  if (window.parent === window) {
    return;
  }
  var last = -1;

  function report() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height === last) {
      return;
    }
    last = height;
    // The height is not a secret and the host's origin is unknown: any origin may read it.
    window.parent.postMessage({ type: "search-service:height", height: height, href: location.href }, "*");
  }

  if (typeof ResizeObserver === "function") {
    new ResizeObserver(report).observe(document.documentElement);
  }
  window.addEventListener("load", report);
  report();
})();
