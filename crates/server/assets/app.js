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
// A reason template chosen from a list is written into its text box, to be completed there
// (the server does not add it twice). What the reviewer typed is kept.
document.querySelectorAll("select[data-fills]").forEach(function (sel) {
  var box = document.getElementById(sel.getAttribute("data-fills"));
  if (!box) { return; }
  var last = "";
  sel.addEventListener("change", function () {
    var t = sel.value;
    var typed = box.value.trim();
    if (typed === "" || typed === last) {
      box.value = t;
    } else if (t && box.value.indexOf(t) < 0) {
      box.value = t + "；" + box.value;
    }
    last = t;
    box.focus();
  });
});

// The menu's groups: one open at a time; Escape or a click elsewhere closes it (without
// JavaScript each stays open until its own heading is clicked again).
(function () {
  var groups = document.querySelectorAll("nav .nav-group");
  groups.forEach(function (g) {
    g.addEventListener("toggle", function () {
      if (!g.open) { return; }
      groups.forEach(function (o) { if (o !== g) { o.open = false; } });
    });
  });
  document.addEventListener("click", function (e) {
    groups.forEach(function (g) { if (g.open && !g.contains(e.target)) { g.open = false; } });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    groups.forEach(function (g) {
      if (g.open) { g.open = false; g.querySelector("summary").focus(); }
    });
  });
})();
