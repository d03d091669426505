// The bot check of the report's last step (complaints/services/botcheck.py is the server side). Loaded as a
// module after vendor/altcha/altcha.min.js (the "external" build: no inline style, no worker from a blob, so
// the page's Content-Security-Policy needs no 'unsafe-inline' and no blob: workers). Without JavaScript none
// of this runs and the report is still sent, marked "not verified" for the staff.
const widget = document.querySelector("altcha-widget[data-worker]");
if (widget && globalThis.$altcha) {
  // The proof of work runs in a worker served by Posko itself.
  const workerUrl = widget.dataset.worker;
  globalThis.$altcha.algorithms.set("PBKDF2/SHA-256", () => new Worker(workerUrl));
  // Solve at once, while the reporter reads their answers. Pressed before it is done, "send" waits for it
  // (the widget's auto="onsubmit"); should it fail, a second press sends the report unverified.
  if (typeof widget.verify === "function") widget.verify();
}
