// Region and industry pickers (docs/pickers.md). Without this file each picker is a plain input
// the server resolves (a code or an exact name). With it the input becomes an ARIA combobox:
// typing searches by name or code, choosing a region or an industry that has levels below it
// shows them next (province → city → county, 门类 → 大类 → 中类 → 小类), and the form submits
// the chosen code. Keys: ↓/↑ move, Enter chooses, Escape closes, Backspace in an empty box goes
// up a level.
(function () {
  "use strict";
  var LEAF = { region: "county", industry: "class" };
  var LEVEL = {
    nation: "全国", province: "省级", city: "市级", county: "县级",
    section: "门类", division: "大类", group: "中类", "class": "小类"
  };
  var seq = 0;
  // The API names regions and industries in the page's language (繁體 converted): it is asked
  // in the language of the page, whatever the browser's own Accept-Language.
  var HEADERS = { Accept: "application/json", "Accept-Language": document.documentElement.lang || "zh-CN" };

  function label(item) { return item.name + "（" + item.code + "）"; }
  function codeOf(text) {
    var m = /（([0-9A-Za-z]+)）\s*$/.exec(text);
    return m ? m[1] : null;
  }

  function setup(box) {
    var kind = box.getAttribute("data-picker");
    var input = box.querySelector("input");
    if (!input || box.getAttribute("data-ready")) { return; }
    box.setAttribute("data-ready", "1");
    var root = box.getAttribute("data-root") || "";
    // The picker's own words in the page's language, as the server wrote them (data-texts).
    var texts = {};
    try { texts = JSON.parse(box.getAttribute("data-texts") || "{}"); } catch (e) { texts = {}; }
    function t(s) { return texts[s] || s; }
    var rootName = box.getAttribute("data-root-name") || t(kind === "region" ? "全国" : "全部门类");
    var n = ++seq;
    var listId = input.id + "-list";

    // The code goes in a hidden field of the input's name; the input shows name and code.
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = input.name;
    hidden.value = codeOf(input.value) || input.value;
    input.removeAttribute("name");
    input.parentNode.insertBefore(hidden, input.nextSibling);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var pop = document.createElement("div");
    pop.className = "picker-pop";
    pop.hidden = true;
    var trail = document.createElement("p");
    trail.className = "picker-trail";
    var list = document.createElement("ul");
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", box.querySelector("label").textContent);
    pop.appendChild(trail);
    pop.appendChild(list);
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.parentNode.insertBefore(pop, hidden.nextSibling);
    input.parentNode.insertBefore(status, pop.nextSibling);

    var items = [];
    var active = -1;
    var path = []; // the levels walked down: [{code, name}]
    var chosen = codeOf(input.value) ? { code: codeOf(input.value), text: input.value } : null;
    var timer = null;
    var ticket = 0;

    function endpoint(q, parent) {
      var base = kind === "region" ? "/api/v1/regions" : "/api/v1/industries";
      if (q) {
        return base + "?per_page=20&q=" + encodeURIComponent(q) +
          (kind === "region" && root ? "&within=" + root : "");
      }
      var p = parent || (kind === "region" ? root : "");
      return base + "?per_page=200" + (p ? "&parent=" + encodeURIComponent(p) : "");
    }

    function load(q, parent, then) {
      var mine = ++ticket;
      fetch(endpoint(q, parent), { credentials: "same-origin", headers: HEADERS })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (page) { if (mine === ticket) { then(page.items || []); } })
        .catch(function () { if (mine === ticket) { then([]); } });
    }

    function drawTrail(searching) {
      trail.textContent = "";
      if (searching) { trail.textContent = t("按名称或代码查找"); return; }
      var parts = [{ code: "", name: rootName }].concat(path);
      parts.forEach(function (p, i) {
        if (i > 0) { trail.appendChild(document.createTextNode(" › ")); }
        var b = document.createElement("button");
        b.type = "button";
        b.tabIndex = -1;
        b.className = "linklike";
        b.textContent = p.name;
        b.addEventListener("mousedown", function (e) { e.preventDefault(); });
        b.addEventListener("click", function () { path = path.slice(0, i); browse(); input.focus(); });
        trail.appendChild(b);
      });
    }

    function draw(rows, searching) {
      items = rows;
      active = rows.length ? 0 : -1;
      list.textContent = "";
      drawTrail(searching);
      rows.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = input.id + "-opt-" + n + "-" + i;
        li.setAttribute("role", "option");
        var name = document.createElement("span");
        name.className = "picker-name";
        name.textContent = item.name;
        var code = document.createElement("span");
        code.className = "picker-code";
        code.textContent = item.code;
        li.appendChild(name);
        li.appendChild(code);
        if (item.level !== LEAF[kind]) {
          var down = document.createElement("span");
          down.className = "picker-down";
          down.setAttribute("aria-hidden", "true");
          down.textContent = "›";
          li.appendChild(down);
        }
        var more = item.full_name && item.full_name !== item.name ? item.full_name : t(LEVEL[item.level] || "");
        if (more) {
          var m = document.createElement("span");
          m.className = "picker-more";
          m.textContent = more;
          li.appendChild(m);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { choose(i); });
        list.appendChild(li);
      });
      if (!rows.length) {
        var none = document.createElement("li");
        none.className = "picker-none";
        none.textContent = t("没有找到，请换个名称或代码");
        list.appendChild(none);
      }
      mark();
      open();
      status.textContent = rows.length ? t("共 {0} 项，用上下方向键选择，回车确定").replace("{0}", rows.length) : t("没有找到");
    }

    function mark() {
      Array.prototype.forEach.call(list.querySelectorAll("[role=option]"), function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        if (i === active) {
          input.setAttribute("aria-activedescendant", li.id);
          if (li.scrollIntoView) { li.scrollIntoView({ block: "nearest" }); }
        }
      });
      if (active < 0) { input.removeAttribute("aria-activedescendant"); }
    }

    function open() { pop.hidden = false; input.setAttribute("aria-expanded", "true"); }
    function close() {
      pop.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function browse() {
      var parent = path.length ? path[path.length - 1].code : "";
      load("", parent, function (rows) { draw(rows, false); });
    }

    function search(q) { load(q, "", function (rows) { draw(rows, true); }); }

    function choose(i) {
      var item = items[i];
      if (!item) { return; }
      chosen = { code: item.code, text: label(item) };
      input.value = chosen.text;
      hidden.value = item.code;
      input.removeAttribute("aria-invalid");
      if (item.level === LEAF[kind]) { close(); status.textContent = t("已选择 {0}").replace("{0}", chosen.text); return; }
      // Cascade: the levels below the choice are offered next; the choice itself stands.
      path = trailTo(item);
      load("", item.code, function (rows) {
        if (!rows.length) { close(); return; }
        draw(rows, false);
        status.textContent = t("已选择 {0}，可继续选择下级，或按 Esc 确定").replace("{0}", chosen.text);
      });
    }

    // The trail down to a chosen item: its ancestors as far as the list walked knows them.
    function trailTo(item) {
      var at = -1;
      for (var i = 0; i < path.length; i++) { if (path[i].code === item.parent) { at = i; } }
      return (at >= 0 ? path.slice(0, at + 1) : []).concat([{ code: item.code, name: item.name }]);
    }

    function refresh() {
      var text = input.value.trim();
      if (chosen && input.value === chosen.text) { return; }
      chosen = null;
      hidden.value = text;
      if (!text) { path = []; browse(); } else { search(text); }
    }

    input.addEventListener("input", function () {
      // What is typed is what the form sends until a choice is made (the server resolves it).
      if (!(chosen && input.value === chosen.text)) { chosen = null; hidden.value = input.value.trim(); }
      clearTimeout(timer);
      timer = setTimeout(refresh, 150);
    });
    // Opened on a choice the page was shown with: the trail down to it is fetched, and the list
    // shows the level below it (or, at the last level, its siblings).
    function reopen() {
      var base = kind === "region" ? "/api/v1/regions/" : "/api/v1/industries/";
      var code = chosen.code;
      fetch(base + encodeURIComponent(code), { credentials: "same-origin", headers: HEADERS })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (item) {
          if (!item || !chosen || chosen.code !== code) { browse(); return; }
          var trailItems = (item.ancestors || []).filter(function (a) {
            return a.level !== "nation" && (!root || (a.code !== root && a.code.indexOf(root.replace(/0+$/, "")) === 0));
          }).map(function (a) { return { code: a.code, name: a.name }; });
          if (item.level !== LEAF[kind]) {
            path = trailItems.concat([{ code: item.code, name: item.name }]);
          } else if (trailItems.length) {
            path = trailItems;
          } else if (kind === "industry" && item.parent) {
            fetch(base + encodeURIComponent(item.parent), { credentials: "same-origin", headers: HEADERS })
              .then(function (r) { return r.ok ? r.json() : null; })
              .then(function (up) { path = up ? [{ code: up.code, name: up.name }] : []; browse(); })
              .catch(function () { browse(); });
            return;
          } else {
            path = [];
          }
          browse();
        })
        .catch(function () { browse(); });
    }

    input.addEventListener("focus", function () {
      if (!pop.hidden) { return; }
      if (chosen && !path.length) { reopen(); } else if (chosen || !input.value.trim()) { browse(); } else { search(input.value.trim()); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (pop.hidden) { open(); if (!items.length) { browse(); } return; }
        if (!items.length) { return; }
        active = e.key === "ArrowDown" ? (active + 1) % items.length : (active <= 0 ? items.length - 1 : active - 1);
        mark();
      } else if (e.key === "Enter") {
        if (!pop.hidden && active >= 0) { e.preventDefault(); choose(active); }
      } else if (e.key === "Escape") {
        if (!pop.hidden) { e.preventDefault(); close(); }
      } else if (e.key === "Backspace" && !input.value && path.length) {
        e.preventDefault();
        path = path.slice(0, -1);
        browse();
      }
    });
  }

  document.querySelectorAll("[data-picker]").forEach(setup);
})();
