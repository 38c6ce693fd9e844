/* Console division pages: a search box in front of a unit <select> filters its options (phones keep
   the native picker); the names chosen in a multiple select are listed under it. No dependencies. */
(function () {
  "use strict";
  function chosen(select) {
    var out = [];
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].selected && select.options[i].value) out.push(select.options[i].text);
    }
    return out;
  }
  function showChosen(select) {
    var note = document.querySelector('.picker-chosen[data-for="' + select.id + '"]');
    if (note) note.textContent = chosen(select).length ? "已选:" + chosen(select).join("、") : "未选择";
  }
  document.querySelectorAll(".picker-filter").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-for"));
    if (!select) return;
    input.addEventListener("input", function () {
      var needle = input.value.trim();
      for (var i = 0; i < select.options.length; i++) {
        var option = select.options[i];
        option.hidden = needle !== "" && !option.selected && option.text.indexOf(needle) === -1;
      }
    });
    if (select.multiple) {
      select.addEventListener("change", function () { showChosen(select); });
      showChosen(select);
    }
  });
})();
