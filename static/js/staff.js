/* Staff pages: forms on the case page post with htmx and the page updates in place; without JavaScript the
   same forms post and redirect as usual. Nothing here is needed for the pages to work. */
(function () {
  "use strict";
  if (!window.htmx) return;
  // The case page answers a refused form with the page itself and the reason: 400 (something to correct),
  // 403 (not yours to do, and why) or 409 (someone else acted first). Swap those like a success.
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "(400|403|409)", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
  ];

  var live = document.createElement("div");
  live.className = "visually-hidden";
  live.setAttribute("aria-live", "polite");
  live.id = "staff-live";
  document.body.appendChild(live);

  var lastForm = null;
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
    lastForm = form && form.id ? form.id : null;
  });

  document.body.addEventListener("htmx:afterSettle", function () {
    var problem = document.getElementById("case-problem");
    if (problem) {
      problem.focus();
      return;
    }
    var alert = document.querySelector("#main > .alert");
    if (alert) live.textContent = alert.textContent.trim();
    var form = lastForm && document.getElementById(lastForm);
    var field = form && form.querySelector("textarea, input:not([type=hidden]), select, button");
    if (field) field.focus({ preventScroll: true });
  });

  function failed() {
    var main = document.getElementById("main");
    if (!main) return;
    var box = document.createElement("div");
    box.className = "alert alert-danger";
    box.setAttribute("role", "alert");
    var page = document.getElementById("case-page");
    box.textContent = (page && page.getAttribute("data-error-text")) || "Error: nothing was saved. Try again.";
    main.insertBefore(box, main.firstChild);
  }
  document.body.addEventListener("htmx:responseError", failed);
  document.body.addEventListener("htmx:sendError", failed);
})();
