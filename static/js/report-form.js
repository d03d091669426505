// Improvements to the report form when JavaScript runs; every step works without it. No inline handlers:
// everything is wired here (the pages' Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Step 1: hide the identity fields while "anonymously" is chosen.
  function syncIdentity() {
    var anon = document.querySelector('input[name="anonymous"]:checked');
    var box = document.getElementById("identity-fields");
    if (box) box.hidden = !!(anon && anon.value === "true");
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.name === "anonymous") syncIdentity();
  });

  // Step 4: files go up one by one over tus (resumable, in pieces), each with its own progress and a visible
  // message when it fails; sizes, counts and types are checked before a single byte is sent.
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, key) { return key in values ? values[key] : m; });
  }

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function accepted(file, accept) {
    var name = file.name.toLowerCase();
    return accept.split(",").some(function (rule) {
      rule = rule.trim();
      if (!rule) return false;
      if (rule.charAt(0) === ".") return name.slice(-rule.length) === rule;
      return (file.type || "").indexOf(rule) === 0;
    });
  }

  function setupUploads() {
    var input = document.getElementById("id_files");
    var box = document.getElementById("add-files");
    if (!input || !box || !window.tus || !window.tus.isSupported) return;
    var form = input.form;
    var list = document.getElementById("upload-list");
    var button = document.getElementById("upload-files");
    var msg = box.dataset;
    var count = +input.dataset.keptCount;
    var total = +input.dataset.keptBytes;
    var running = 0;
    var finished = 0;
    var failed = 0;
    button.classList.add("js-hide");

    function item(file) {
      var li = document.createElement("li");
      li.className = "upload-item border rounded p-2 mb-2";
      var name = document.createElement("div");
      name.className = "text-break fw-semibold";
      name.textContent = file.name;
      var status = document.createElement("div");
      status.className = "small upload-status";
      li.appendChild(name);
      li.appendChild(status);
      list.appendChild(li);
      return li;
    }

    function refuse(file, text) {
      var li = item(file);
      li.classList.add("border-danger", "upload-refused");
      var error = document.createElement("div");
      error.className = "upload-error";
      error.setAttribute("role", "alert");
      error.textContent = text;
      li.querySelector(".upload-status").textContent = msg.msgRefused;
      li.appendChild(error);
    }

    function done() {
      // Every file is in: show the kept files (and any location warning) by saving the step as it is.
      if (running === 0 && failed === 0 && finished > 0) {
        input.value = "";
        form.requestSubmit(button);
      }
    }

    function send(file) {
      var li = item(file);
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      li.insertBefore(bar, li.querySelector(".upload-status"));
      var status = li.querySelector(".upload-status");
      status.textContent = msg.msgSending + " 0%";
      running += 1;
      var upload = new window.tus.Upload(file, {
        endpoint: new URL(input.dataset.uploadUrl, window.location.href).href,
        chunkSize: +input.dataset.chunk,
        retryDelays: [0, 1000, 3000],
        metadata: { filename: file.name, filetype: file.type || "" },
        headers: { "X-CSRFToken": csrfToken(form) },
        removeFingerprintOnSuccess: true,
        onProgress: function (sent, size) {
          var pct = size ? Math.floor((sent / size) * 100) : 0;
          bar.value = pct;
          status.textContent = msg.msgSending + " " + pct + "%";
        },
        onError: function (error) {
          running -= 1;
          failed += 1;
          var response = error.originalResponse;
          var serverText = response && response.getStatus() >= 400 && response.getStatus() < 500 ? response.getBody() : "";
          var old = li.querySelector(".upload-error");
          if (old) old.remove();
          var box2 = document.createElement("div");
          box2.className = "upload-error mt-1";
          box2.setAttribute("role", "alert");
          box2.textContent = serverText || fill(msg.msgFailed, { name: file.name, reason: String(error.message || error).slice(0, 80) });
          li.appendChild(box2);
          li.classList.add("border-danger");
          if (!serverText) {
            var retry = document.createElement("button");
            retry.type = "button";
            retry.className = "btn btn-outline-primary btn-sm mt-1 upload-retry";
            retry.textContent = msg.msgRetry;
            retry.addEventListener("click", function () {
              retry.remove();
              box2.remove();
              li.classList.remove("border-danger");
              failed -= 1;
              running += 1;
              upload.start();
            });
            li.appendChild(retry);
          }
        },
        onSuccess: function () {
          running -= 1;
          finished += 1;
          bar.value = 100;
          status.textContent = msg.msgDone;
          li.classList.add("border-success", "upload-done");
          done();
        },
      });
      // A file whose upload was cut before (even before a reload) goes on from where the server stopped.
      upload.findPreviousUploads().then(function (previous) {
        if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      });
    }

    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      var maxFile = +input.dataset.maxFile;
      var maxTotal = +input.dataset.maxTotal;
      var maxCount = +input.dataset.maxCount;
      var go = [];
      files.forEach(function (file) {
        if (file.size > maxFile) return refuse(file, fill(msg.msgTooLarge, { name: file.name }));
        if (!accepted(file, input.dataset.accept)) return refuse(file, fill(msg.msgType, { name: file.name }));
        if (count + 1 > maxCount || total + file.size > maxTotal) return refuse(file, fill(msg.msgTooMany, { name: file.name }));
        count += 1;
        total += file.size;
        go.push(file);
      });
      // The form itself never carries these files: they go up in pieces, or not at all.
      input.value = "";
      go.forEach(send);
    });
  }

  function ready() {
    syncIdentity();
    setupUploads();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
