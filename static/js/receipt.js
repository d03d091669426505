// The receipt's print button, when JavaScript runs (without it, the PDF link and the browser's own print
// menu do the same). No inline handlers: the page's Content-Security-Policy forbids them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-print]");
    if (btn) window.print();
  });
})();
