// Small enhancements; every page works without them.
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.hidden = false;
  b.addEventListener("click", function () { window.print(); });
});
document.querySelectorAll("[data-select-all]").forEach(function (box) {
  box.hidden = false;
  box.addEventListener("change", function () {
    var form = box.closest("form");
    form.querySelectorAll('input[name="item"]').forEach(function (c) { c.checked = box.checked; });
  });
});
