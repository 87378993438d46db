// The leader's dashboard: one small chart per [data-chart] element, data from its JSON endpoint.
// SVG renderer so the charts print crisply on A4; no animation so print and screenshots see the final state.
(function () {
  "use strict";
  var C = window.CCHCCharts, getJSON = C.getJSON, formatter = C.formatter, init = C.init, esc = C.esc;
  var STATUS_COLOURS = ["#1e7b34", "#0b5cad", "#2a9d8f", "#9aa5b1"];

  var draw = {
    trend: function (el, d) {
      var f = formatter(d.decimal);
      init(el).setOption({
        animation: false,
        grid: { left: 44, right: 10, top: 10, bottom: d.series.length > 1 ? 52 : 22 },
        // A plain legend wraps onto a second line: no pager arrows on paper.
        legend: d.series.length > 1 ? { bottom: 0, type: "plain", itemGap: 6, itemWidth: 14, textStyle: { fontSize: 9 } } : undefined,
        tooltip: {
          trigger: "axis",
          formatter: function (items) {
            return items.map(function (p) {
              var rank = d.series[p.seriesIndex].ranks[p.dataIndex];
              return p.marker + esc(p.seriesName) + " " + esc(p.axisValue) + ": " + f(p.value) + (rank ? " (" + esc(d.rank_label) + " " + C.number(rank) + ")" : "");
            }).join("<br>");
          }
        },
        xAxis: { type: "category", data: d.labels, axisLabel: { fontSize: 10 } },
        yAxis: { type: "value", scale: true, axisLabel: { formatter: C.axisNumber, fontSize: 10 } },
        series: d.series.map(function (s) {
          return {
            name: s.name, type: "line", data: s.data, connectNulls: false, symbolSize: 5,
            lineStyle: s.own ? { width: 2.5 } : { width: 1, type: "dashed" }
          };
        })
      });
    },
    "plan-status": function (el, d) {
      if (!d.labels.length) return;
      init(el).setOption({
        animation: false,
        tooltip: { trigger: "item", formatter: function (p) { return p.marker + esc(p.name) + ": " + C.number(p.value) + " (" + C.percent(p.percent, 0) + ")"; } },
        legend: { bottom: 0, textStyle: { fontSize: 11 } },
        series: [{
          type: "pie", radius: ["40%", "68%"], center: ["50%", "42%"], label: { formatter: function (p) { return C.number(p.value); } },
          data: d.labels.map(function (label, i) {
            return { name: label, value: d.series[0].data[i], itemStyle: { color: STATUS_COLOURS[i] } };
          })
        }]
      });
    },
    "plan-areas": function (el, d) {
      if (!d.labels.length) return;
      init(el).setOption({
        animation: false,
        grid: { left: 40, right: 10, top: 28, bottom: 22 },
        legend: { top: 0, textStyle: { fontSize: 11 } },
        tooltip: {
          trigger: "axis",
          formatter: function (items) {
            var i = items[0].dataIndex;
            return esc(d.labels[i]) + ". " + esc(d.names[i]) + "<br>" + items.map(function (p) {
              return p.marker + esc(p.seriesName) + ": " + C.number(p.value);
            }).join("<br>") + "<br>" + esc(d.rates[i]);
          }
        },
        xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value", min: 0, minInterval: 1, axisLabel: { formatter: C.axisNumber } },
        series: [
          { name: d.series[0].name, type: "bar", stack: "t", data: d.series[0].data, itemStyle: { color: "#1e7b34" } },
          { name: d.series[1].name, type: "bar", stack: "t", data: d.series[1].data, itemStyle: { color: "#d5dbe2" } }
        ]
      });
    },
    "dossiers-monthly": function (el, d) {
      if (!d.labels.length) return;
      var f = formatter(d.decimal);
      init(el).setOption({
        animation: false,
        grid: { left: 40, right: 48, top: 28, bottom: 22 },
        legend: { top: 0, textStyle: { fontSize: 10 } },
        tooltip: { trigger: "axis", valueFormatter: C.axisNumber },
        xAxis: { type: "category", data: d.labels, axisLabel: { fontSize: 10 } },
        yAxis: [
          { type: "value", min: 0, max: 100, interval: 25, axisLabel: { formatter: function (v) { return C.number(v, 0) + "%"; }, fontSize: 10 } },
          { type: "value", min: 0, axisLabel: { formatter: C.axisNumber, fontSize: 10 } }
        ],
        series: d.series.map(function (s) {
          var rate = s.kind === "rate";
          return {
            name: s.name, type: rate ? "line" : "bar", yAxisIndex: rate ? 0 : 1, data: s.data, z: rate ? 3 : 1,
            itemStyle: rate ? { color: "#b3261e" } : undefined,
            tooltip: rate ? { valueFormatter: function (v) { return C.percent(v); } } : undefined
          };
        })
      });
    }
  };

  function start() {
    if (!window.echarts) return;
    var pending = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var fn = draw[el.dataset.chart];
      if (!fn) return;
      pending.push(getJSON(el.dataset.url).then(function (d) { fn(el, d); }));
    });
    C.ready(pending);
  }
  C.onLoad(start);
})();
