/* Import progress (console /console/imports/<id>/): polls the job's small JSON status endpoint, moves the
   bar, and reloads the page once parsing has finished so the preview (or the error) is shown. Shipped with
   the project: no CDN, no library. */
(function () {
  "use strict";
  var INTERVAL = 800;

  function update(box, data) {
    var state = box.querySelector(".import-state");
    var bar = box.querySelector(".import-bar");
    var error = box.querySelector(".import-error");
    if (state) { state.textContent = data.status_label; }
    if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
    if (error) { error.textContent = data.error || ""; error.hidden = !data.error; }
    return data.status !== "queued" && data.status !== "parsing";
  }

  function poll(box) {
    var url = box.getAttribute("data-status-url");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        if (update(box, data)) { window.location.reload(); return; }
        window.setTimeout(function () { poll(box); }, INTERVAL);
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, INTERVAL * 5); });
  }

  function start() {
    var box = document.querySelector("[data-import-job][data-status-url]");
    if (box) { poll(box); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
