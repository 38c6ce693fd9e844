// Small page behaviours declared in the markup, so no template needs an inline script (the CSP forbids them):
//   <select data-autosubmit>                 submits its form when the choice changes
//   <button data-confirm="…"> / <form …>     asks before the click or the submission goes ahead
//   <input type="checkbox" data-check-all="CSS selector">   ticks or clears every matching box
//   <button data-print>                      opens the browser's print dialog (the 督办单 page)
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    var target = event.target.closest ? event.target.closest("[data-confirm], [data-check-all]") : null;
    if (!target) return;
    if (target.hasAttribute("data-check-all")) {
      document.querySelectorAll(target.getAttribute("data-check-all")).forEach(function (box) {
        box.checked = target.checked;
      });
      return;
    }
    if (target.tagName !== "FORM" && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
