// The bot check of the report's last step (complaints/services/botcheck.py is the server side). Loaded as a
// module after vendor/altcha/altcha.min.js (the "external" build: no inline style, no worker from a blob, so
// the page's Content-Security-Policy needs no 'unsafe-inline' and no blob: workers). Without JavaScript none
// of this runs and the report is still sent, marked "not verified" for the staff.
const widget = document.querySelector("altcha-widget[data-worker]");
if (widget && globalThis.$altcha) {
  // The proof of work runs in a worker served by Posko itself.
  const workerUrl = widget.dataset.worker;
  globalThis.$altcha.algorithms.set("PBKDF2/SHA-256", () => new Worker(workerUrl));

  // "Send" pressed while the widget is still working would be stopped by the browser (the widget marks its
  // checkbox required meanwhile): wait for the check instead, then send, verified or not (a check that
  // failed never keeps a report back).
  const form = widget.closest("form");
  let waiting = null;
  form?.addEventListener("click", (event) => {
    const button = event.target.closest("button[type=submit], input[type=submit]");
    if (!button || button.closest("altcha-widget")) return;
    if (typeof widget.getState === "function" && widget.getState() === "verifying") {
      event.preventDefault();
      waiting = button;
    }
  });
  widget.addEventListener("statechange", (event) => {
    const state = event.detail && event.detail.state;
    if (waiting && state !== "verifying") {
      const button = waiting;
      waiting = null;
      form.requestSubmit(button);
    }
  });

  // Solve at once, while the reporter reads their answers.
  if (typeof widget.verify === "function") widget.verify();
}
