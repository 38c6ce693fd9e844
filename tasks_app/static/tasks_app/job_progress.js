/* Progress of background jobs in the console: one poller for imports (/console/imports/<id>/) and exports
   (/console/exports/). Each box names its job's small JSON status endpoint in data-status-url; the poller
   fetches it, hands the answer to the box's kind (update returns true once the job has finished) and asks
   again until then (five times slower after a network error). Shipped with the project: no CDN, no library. */
(function () {
  "use strict";

  // inline display too: a class such as .button sets display, which would beat the hidden attribute
  function show(el, on) { if (el) { el.hidden = !on; el.style.display = on ? "" : "none"; } }

  function pollJob(box, kind) {
    var url = box.getAttribute("data-status-url");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        if (kind.update(box, data)) { if (kind.finished) { kind.finished(box, data); } return; }
        window.setTimeout(function () { pollJob(box, kind); }, kind.interval);
      })
      .catch(function () { window.setTimeout(function () { pollJob(box, kind); }, kind.interval * 5); });
  }

  var IMPORT = {
    selector: "[data-import-job][data-status-url]",
    interval: 800,
    update: function (box, data) {
      var state = box.querySelector(".import-state");
      var bar = box.querySelector(".import-bar");
      var error = box.querySelector(".import-error");
      if (state) { state.textContent = data.status_label; }
      if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
      if (error) { error.textContent = data.error || ""; error.hidden = !data.error; }
      return data.status !== "queued" && data.status !== "parsing";
    },
    // parsing has finished: reload so the preview (or the error) is shown
    finished: function () { window.location.reload(); }
  };

  var EXPORT = {
    selector: "[data-export-job][data-status-url]",
    interval: 1000,
    update: function (box, data) {
      var state = box.querySelector(".export-state");
      var bar = box.querySelector(".export-bar");
      var count = box.querySelector(".export-count");
      var error = box.querySelector(".export-error");
      var link = box.querySelector(".export-download");
      var banner = box.querySelector(".export-banner");
      if (state) { state.textContent = data.status_label; }
      // the banner tells the job's state as it goes (texts from the page: data-banner-<status>)
      var text = banner && banner.getAttribute("data-banner-" + data.status);
      if (text) { banner.textContent = text; banner.className = "export-banner banner-" + data.status; }
      if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
      if (count) { count.textContent = data.progress + " / " + data.total + " 行"; }
      if (error) { error.textContent = data.error || ""; show(error, !!data.error); }
      if (link && data.download_url) { link.href = data.download_url; show(link, true); }
      var finished = data.status === "done" || data.status === "failed";
      if (finished) { show(box.querySelector(".export-hint"), false); }
      return finished;
    }
  };

  function start() {
    // An import page follows its one job; an export page every unfinished job on it.
    var importBox = document.querySelector(IMPORT.selector);
    if (importBox) { pollJob(importBox, IMPORT); }
    var boxes = document.querySelectorAll(EXPORT.selector);
    for (var i = 0; i < boxes.length; i++) { pollJob(boxes[i], EXPORT); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
