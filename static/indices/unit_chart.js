// Score (left axis) and rank (right axis, inverted) of one subject over the years,
// with its predecessors' series before the 2025 reorganisation.
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("unit-chart");
    if (!el || !window.echarts) return;
    fetch(el.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var comma = data.decimal === ",";
        var fmt = function (v) {
          if (v === null || v === undefined) return "–";
          var s = (Math.round(v * 100) / 100).toFixed(2);
          return comma ? s.replace(".", ",") : s;
        };
        var series = data.series.map(function (s) {
          var isRank = s.kind === "rank";
          return {
            name: s.name + " · " + (isRank ? el.dataset.rankLabel : el.dataset.scoreLabel),
            type: "line", connectNulls: false, yAxisIndex: isRank ? 1 : 0,
            lineStyle: isRank ? { type: "dashed" } : undefined, data: s.data
          };
        });
        var chart = echarts.init(el);
        chart.setOption({
          tooltip: { trigger: "axis", valueFormatter: fmt },
          legend: { type: "scroll", bottom: 0 },
          grid: { left: 48, right: 48, top: 24, bottom: 56 },
          xAxis: { type: "category", data: data.labels },
          yAxis: [
            { type: "value", name: el.dataset.scoreLabel, axisLabel: { formatter: fmt } },
            { type: "value", name: el.dataset.rankLabel, inverse: true, minInterval: 1, min: 1 }
          ],
          series: series
        });
        window.addEventListener("resize", function () { chart.resize(); });
      });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
