// Never lose a word on the report and contribution forms (issue 16), without inline script (the CSP forbids it):
//   <form data-workspace-form [data-autosave="30"]>   warns before leaving with unsaved changes; with data-autosave,
//       saves the draft (no files) through the page's own URL (action=autosave) when a field is left after a change
//       and every N seconds while typing; a 409 (someone saved since) stops autosaving and says so, never overwrites
//   <form data-evidence-delete="ID">   deleted with fetch (JSON), its line removed in place: typed text stays;
//       without JavaScript the form posts and the page reloads
//   <button data-confirm-selected="CSS selector">   asks "N 份…?" with the number of ticked boxes, refuses none
//   <details data-open-wide>           open on wide screens, folded on a phone
// Confirmations of single buttons (data-confirm) stay in behaviours.js, which runs first.
(function () {
  "use strict";

  function statusLine(form, selector) {
    return form ? form.querySelector(selector) : document.querySelector(selector);
  }

  function say(line, text, kind) {
    if (!line) return;
    line.textContent = text;
    line.classList.remove("saved", "error");
    if (kind) line.classList.add(kind);
    if (kind === "error") line.setAttribute("role", "alert");
  }

  // --- unsaved changes and autosave ---------------------------------------------------------------
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-workspace-form]"));
  forms.forEach(function (form) {
    var state = { dirty: false, edits: 0, saving: false, stopped: false, timer: null, resume: null };
    form.workspaceState = state;
    var seconds = parseInt(form.getAttribute("data-autosave") || "0", 10);

    function autosave() {
      if (!seconds || !state.dirty || state.saving || state.stopped) return;
      var data = new FormData(form);
      data.delete("evidence");
      data.set("action", "autosave");
      var editsAtStart = state.edits;
      state.saving = true;
      fetch(window.location.href, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, status: response.status, body: body }; });
        })
        .then(function (result) {
          var line = statusLine(form, ".autosave-status");
          if (result.ok) {
            form.querySelector("input[name=version]").value = result.body.version;
            if (state.edits === editsAtStart) state.dirty = false;
            say(line, "草稿已自动保存(" + result.body.saved_at + ")", "saved");
          } else {
            if (result.status === 409) state.stopped = true;
            say(line, result.body.error || "自动保存失败,请手动保存草稿。", "error");
          }
        })
        .catch(function () {
          say(statusLine(form, ".autosave-status"), "自动保存失败(网络不可用),请稍后手动保存草稿。", "error");
        })
        .then(function () {
          state.saving = false;
          var resume = state.resume;
          state.resume = null;
          if (resume) resume();  // a 保存/提交 clicked meanwhile goes ahead with the new version
        });
    }

    form.addEventListener("input", function (event) {
      if (event.target.type === "file") return;
      state.dirty = true;
      state.edits += 1;
    });
    form.addEventListener("change", function (event) {
      if (event.target.type === "file") { state.dirty = true; return; }  // files need a real save: warn only
      state.dirty = true;
      if (seconds) { window.clearTimeout(state.timer); state.timer = window.setTimeout(autosave, 800); }
    });
    if (seconds) window.setInterval(autosave, seconds * 1000);
  });

  window.addEventListener("beforeunload", function (event) {
    var unsaved = forms.some(function (form) { return form.workspaceState.dirty; });
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";  // Chromium still needs it set to show its own dialog
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented) return;  // a confirmation (behaviours.js) was declined
    if (form.workspaceState) {  // the real save or submit
      var state = form.workspaceState;
      if (state.saving) {  // wait for the autosave in flight, else this post would carry a stale version
        event.preventDefault();
        var submitter = event.submitter;
        state.resume = function () { form.requestSubmit(submitter); };
        return;
      }
      state.dirty = false;
      state.stopped = true;
      return;
    }
    if (!form.hasAttribute("data-evidence-delete") || !window.fetch) return;
    event.preventDefault();
    var id = form.getAttribute("data-evidence-delete");
    var line = document.querySelector(".evidence-status");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (!result.ok) { say(line, result.body.error || "删除失败", "error"); return; }
        var item = document.querySelector("[data-evidence-item='" + id + "']");
        if (item) item.remove();
        form.remove();
        say(line, result.body.message, "saved");
      })
      .catch(function () { say(line, "删除失败(网络不可用),文字内容未受影响。", "error"); });
  });

  // --- the focused field stays clear of the sticky bar ------------------------------------------------
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    var form = field.form || (field.closest && field.closest("form"));
    if (!form || !field.matches("input, textarea, select")) return;
    var bar = form.querySelector(".actions.sticky");
    if (!bar || window.getComputedStyle(bar).position !== "sticky") return;
    window.requestAnimationFrame(function () {
      var barTop = bar.getBoundingClientRect().top;
      var box = field.getBoundingClientRect();
      if (bar.contains(field) || box.bottom <= barTop - 8) return;
      window.scrollBy(0, box.bottom - barTop + 16);
    });
  });

  // --- confirm with the number of ticked rows -------------------------------------------------------
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm-selected]") : null;
    if (!button) return;
    var ticked = document.querySelectorAll(button.getAttribute("data-confirm-selected") + ":checked").length;
    if (!ticked) {
      window.alert("请先勾选要处理的报告。");
      event.preventDefault();
      return;
    }
    var text = (button.getAttribute("data-confirm-text") || "确定处理所选的 {n} 份报告?").replace("{n}", ticked);
    if (!window.confirm(text)) event.preventDefault();
  });

  // --- folded filters on a phone --------------------------------------------------------------------
  if (window.matchMedia && window.matchMedia("(min-width: 900px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (box) { box.open = true; });
  }
})();
