/* Export progress (console /console/exports/): polls each unfinished job's small JSON status endpoint and
   updates its bar, count, state, error and download link. Shipped with the project: no CDN, no library. */
(function () {
  "use strict";
  var INTERVAL = 1000;

  // inline display too: a class such as .button sets display, which would beat the hidden attribute
  function show(el, on) { if (el) { el.hidden = !on; el.style.display = on ? "" : "none"; } }

  function update(box, data) {
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

  function poll(box) {
    var url = box.getAttribute("data-status-url");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        if (!update(box, data)) { window.setTimeout(function () { poll(box); }, INTERVAL); }
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, INTERVAL * 5); });
  }

  function start() {
    var boxes = document.querySelectorAll("[data-export-job][data-status-url]");
    for (var i = 0; i < boxes.length; i++) { poll(boxes[i]); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
