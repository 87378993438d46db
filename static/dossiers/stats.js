// Dossier statistics page: draws the monthly trend from the JSON endpoint (shared formatter: charts.js).
(function () {
  "use strict";
  var C = window.CCHCCharts;
  function draw(el) {
    return C.getJSON(el.dataset.url).then(function (data) {
      C.init(el).setOption({
        animation: false,
        tooltip: { trigger: "axis", valueFormatter: C.axisNumber },
        legend: {},
        xAxis: { type: "category", data: data.labels },
        yAxis: [
          { type: "value", name: "%", min: 0, max: 100, axisLabel: { formatter: C.axisNumber } },
          { type: "value", min: 0, axisLabel: { formatter: C.axisNumber } }
        ],
        series: data.series.map(function (s) {
          return { name: s.name, type: s.type, yAxisIndex: s.axis || 0, data: s.data, connectNulls: true };
        })
      });
    });
  }
  C.onLoad(function () {
    var el = document.getElementById("dossier-trend");
    if (el && window.echarts) C.ready([draw(el)]);
  });
})();
