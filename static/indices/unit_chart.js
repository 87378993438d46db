// Score (left axis) and rank (right axis, inverted) of one subject over the years,
// with its predecessors' series before the 2025 reorganisation (shared formatter: charts.js).
(function () {
  "use strict";
  var C = window.CCHCCharts;
  function draw() {
    var el = document.getElementById("unit-chart");
    if (!el || !window.echarts) return;
    C.ready([C.getJSON(el.dataset.url).then(function (data) {
      var fmt = function (v) { return C.number(v, 2); };
      var series = data.series.map(function (s) {
        var isRank = s.kind === "rank";
        return {
          name: s.name + " · " + (isRank ? el.dataset.rankLabel : el.dataset.scoreLabel),
          type: "line", connectNulls: false, yAxisIndex: isRank ? 1 : 0,
          lineStyle: isRank ? { type: "dashed" } : undefined, data: s.data
        };
      });
      C.init(el).setOption({
        animation: false,
        tooltip: { trigger: "axis", valueFormatter: fmt },
        legend: { type: "scroll", bottom: 0 },
        grid: { left: 48, right: 48, top: 24, bottom: 56 },
        xAxis: { type: "category", data: data.labels },
        yAxis: [
          { type: "value", name: el.dataset.scoreLabel, axisLabel: { formatter: C.axisNumber } },
          { type: "value", name: el.dataset.rankLabel, inverse: true, minInterval: 1, min: 1, axisLabel: { formatter: C.axisNumber } }
        ],
        series: series
      });
    })]);
  }
  C.onLoad(draw);
})();
