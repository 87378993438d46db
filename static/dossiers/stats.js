// Dossier statistics page: draws the monthly trend from the JSON endpoint.
(function () {
  "use strict";
  function draw(el) {
    fetch(el.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var chart = window.echarts.init(el);
        chart.setOption({
          tooltip: { trigger: "axis" },
          legend: {},
          xAxis: { type: "category", data: data.labels },
          yAxis: [{ type: "value", name: "%", max: 100 }, { type: "value" }],
          series: data.series.map(function (s) {
            return { name: s.name, type: s.type, yAxisIndex: s.axis || 0, data: s.data, connectNulls: true };
          })
        });
        window.addEventListener("resize", function () { chart.resize(); });
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("dossier-trend");
    if (el && window.echarts) { draw(el); }
  });
})();
