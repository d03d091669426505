// Improvements to the report form when JavaScript runs; the form works without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function syncIdentity() {
    var anon = document.querySelector('input[name="anonymous"]:checked');
    var box = document.getElementById("identity-fields");
    if (box) box.hidden = !!(anon && anon.value === "true");
  }

  document.addEventListener("change", function (e) {
    if (e.target && e.target.name === "anonymous") syncIdentity();
  });
  document.addEventListener("DOMContentLoaded", syncIdentity);
  document.addEventListener("htmx:afterSettle", syncIdentity);

  // The "add another" buttons set _more before htmx collects the form values.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("button[name=_action][value=submit]");
    var form = document.getElementById("report-form");
    if (btn && form) form.elements["_more"].value = "";
  }, true);

  // Upload progress bar for the whole report (htmx sends it as one multipart request).
  document.addEventListener("htmx:xhr:progress", function (e) {
    var box = document.getElementById("upload-progress");
    if (!box || !e.detail.lengthComputable) return;
    var pct = Math.round((e.detail.loaded / e.detail.total) * 100);
    box.classList.remove("d-none");
    box.setAttribute("aria-valuenow", pct);
    box.firstElementChild.style.width = pct + "%";
    box.firstElementChild.textContent = pct + "%";
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    var btn = document.getElementById("submit-report");
    if (btn && e.detail.elt && e.detail.elt.id === "report-form") btn.disabled = true;
  });
  document.addEventListener("htmx:afterRequest", function () {
    var btn = document.getElementById("submit-report");
    if (btn) btn.disabled = false;
  });
})();
