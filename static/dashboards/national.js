// The national view: a choropleth of the provinces (joined by official code, never by name), the
// group distribution and the region means. Clicking a province opens its page.
// `window.__cchcMap` exposes the map chart to the browser tests.
(function () {
  "use strict";
  var C = window.CCHCCharts, getJSON = C.getJSON, formatter = C.formatter, init = C.init, esc = C.esc;

  function drawMap(el) {
    return Promise.all([getJSON(el.dataset.geo), getJSON(el.dataset.url)]).then(function (res) {
      var geo = res[0], d = res[1];
      var fmt = formatter(d.decimal);
      var own = (el.dataset.own || "").split(" ").filter(Boolean);
      var names = {};
      geo.features.forEach(function (f) { names[f.properties.code] = f.properties.name; });
      echarts.registerMap(el.dataset.map, geo);
      var byCode = {};
      d.data.forEach(function (item) { byCode[item.name] = item; });
      var chart = init(el);
      chart.setOption({
        animation: false,
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            var item = byCode[p.name];
            if (!item) return esc(names[p.name] || p.name) + "<br>" + esc(d.labels.no_data);
            return "<strong>" + esc(item.label) + "</strong><br>" + esc(d.labels.score) + ": " + esc(item.text) +
              "<br>" + esc(d.labels.rank) + ": " + esc(item.rank);
          }
        },
        visualMap: {
          type: "continuous", min: d.min, max: d.max, calculable: true, realtime: true,
          left: 8, bottom: 8, itemHeight: 140,
          inRange: { color: ["#c0392b", "#f4d03f", "#1e8449"] },
          formatter: function (v) { return fmt(v); }
        },
        series: [{
          type: "map", map: el.dataset.map, nameProperty: "code", selectedMode: false, roam: false,
          // Fit the whole geometry, islands included (a fixed crop would drop Hoàng Sa and Trường Sa).
          top: 8, bottom: 8, left: 72, right: 96,
          itemStyle: { areaColor: "#e4e8ec", borderColor: "#ffffff", borderWidth: 0.6 },
          emphasis: { label: { show: false }, itemStyle: { borderColor: "#1c2430", borderWidth: 1.2 } },
          // The user's own province stands out: a dark outline and its name on the map.
          data: d.data.map(function (item) {
            if (own.indexOf(item.name) < 0) return item;
            return Object.assign({}, item, {
              itemStyle: { borderColor: "#1c2430", borderWidth: 2.2 },
              label: { show: true, formatter: esc(item.label), fontSize: 11, fontWeight: 700, color: "#1c2430" }
            });
          }),
          markPoint: {
            symbol: "circle", symbolSize: 1, silent: true,
            label: { show: true, color: "#1c2430", fontSize: 10, fontWeight: 600, position: "top", align: "center", lineHeight: 13 },
            itemStyle: { color: "transparent" },
            data: d.archipelagos.map(function (a) { return { name: a.name, coord: a.coord, value: a.name, label: { formatter: a.name } }; })
          }
        }]
      });
      chart.on("click", function (p) {
        var item = byCode[p.name];
        if (item && item.url) window.location.assign(item.url);
      });
      window.__cchcMap = chart;
      el.dataset.ready = "1";
    });
  }

  var small = {
    groups: function (el, d) {
      init(el).setOption({
        animation: false,
        grid: { left: 40, right: 10, top: 10, bottom: 24 },
        tooltip: { trigger: "axis", valueFormatter: C.axisNumber },
        xAxis: { type: "category", data: d.labels, axisLabel: { fontSize: 10 } },
        yAxis: { type: "value", min: 0, minInterval: 1, axisLabel: { formatter: C.axisNumber } },
        series: [{ name: d.series[0].name, type: "bar", data: d.series[0].data, itemStyle: { color: "#0b5cad" } }]
      });
    },
    regions: function (el, d) {
      var f = formatter(d.decimal);
      init(el).setOption({
        animation: false,
        grid: { left: 150, right: 30, top: 22, bottom: 24 },
        tooltip: { trigger: "axis", valueFormatter: f },
        xAxis: { type: "value", min: 0, axisLabel: { formatter: C.axisNumber } },
        yAxis: { type: "category", data: d.labels, inverse: true, axisLabel: { fontSize: 10, width: 140, overflow: "break", lineHeight: 12 } },
        series: [{
          name: d.series[0].name, type: "bar", data: d.series[0].data, itemStyle: { color: "#0b5cad" },
          markLine: d.national_mean === null ? undefined : {
            symbol: "none", label: { formatter: esc(f(d.national_mean)), position: "end" },
            data: [{ xAxis: d.national_mean }]
          }
        }]
      });
    }
  };

  function filters() {
    var index = document.getElementById("f-index"), year = document.getElementById("f-year");
    if (!index || !year) return;
    index.addEventListener("change", function () {
      var years = index.options[index.selectedIndex].dataset.years.split(",");
      year.innerHTML = "";
      years.forEach(function (y) { var o = document.createElement("option"); o.value = y; o.textContent = y; year.appendChild(o); });
      index.form.submit();
    });
    year.addEventListener("change", function () { year.form.submit(); });
  }

  function start() {
    filters();
    if (!window.echarts) return;
    var pending = [];
    var map = document.getElementById("national-map");
    if (map) pending.push(drawMap(map));
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var fn = small[el.dataset.chart];
      if (fn) pending.push(getJSON(el.dataset.url).then(function (d) { fn(el, d); }));
    });
    C.ready(pending);
  }
  C.onLoad(start);
})();
