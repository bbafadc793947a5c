// Charts of the statistics page, drawn by the vendored ECharts from the page's own data.
(function () {
  var el = document.getElementById("stats-data");
  if (!el || !window.echarts) return;
  var data = JSON.parse(el.textContent);
  // The charts' words come from the page, in its language (the catalogue's, as every other text).
  var words = (document.getElementById("stats-labels") || {}).dataset || {};
  function word(key, fallback) { return words[key] || fallback; }
  var save = { feature: { saveAsImage: { title: word("png", "下载 PNG"), pixelRatio: 2 } } };
  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node) return;
    var c = echarts.init(node, null, { renderer: "canvas" });
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
    return c;
  }
  var regions = chart("chart-regions", {
    toolbox: save,
    tooltip: { trigger: "axis" },
    grid: { left: 48, right: 16, bottom: 64, top: 32 },
    xAxis: { type: "category", data: data.regions.map(function (r) { return r.name; }), axisLabel: { rotate: 30 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", name: word("products", "备案产品"), data: data.regions.map(function (r) { return r.products; }), itemStyle: { color: "#1f4e8c" } }]
  });
  if (regions) {
    regions.on("click", function (p) {
      var r = data.regions[p.dataIndex];
      if (r) window.location.href = "/stats?region=" + encodeURIComponent(r.key);
    });
  }
  var top = data.fields.slice(0, 9);
  var rest = data.fields.slice(9).reduce(function (n, f) { return n + f.products; }, 0);
  if (rest > 0) top.push({ name: word("other", "其他"), products: rest });
  chart("chart-fields", {
    toolbox: save,
    tooltip: { trigger: "item" },
    // Names and counts go in a legend below the ring, never around it where a narrow card
    // cut them off; the ring's centre names the slice pointed at.
    legend: {
      type: "scroll", orient: "horizontal", bottom: 0, left: "center",
      formatter: function (name) {
        var f = top.filter(function (x) { return x.name === name; })[0];
        return f ? name + "：" + f.products : name;
      }
    },
    series: [{
      type: "pie", radius: ["30%", "55%"], center: ["50%", "42%"], avoidLabelOverlap: true,
      label: { show: false, position: "center" },
      emphasis: { label: { show: true, fontSize: 13, width: 110, overflow: "break", formatter: "{b}\n{c}" } },
      data: top.map(function (f) { return { name: f.name, value: f.products }; })
    }]
  });
  chart("chart-months", {
    toolbox: save,
    tooltip: { trigger: "axis" },
    legend: { data: [word("registered", "备案数"), word("withdrawn", "撤销数")], top: 0 },
    grid: { left: 40, right: 16, bottom: 32, top: 32 },
    xAxis: { type: "category", data: data.months.map(function (m) { return m.month; }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { type: "line", name: word("registered", "备案数"), data: data.months.map(function (m) { return m.registered; }) },
      { type: "line", name: word("withdrawn", "撤销数"), data: data.months.map(function (m) { return m.withdrawn; }) }
    ]
  });
})();
