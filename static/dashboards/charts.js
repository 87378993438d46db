// What the dashboards' scripts share: JSON from the chart endpoints, Vietnamese decimals, SVG charts
// (they print crisply on A4) that follow the window and the print layout, and a ready flag for tests.
window.CCHCCharts = (function () {
  "use strict";
  var charts = [];

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }
  function formatter(decimal, places) {
    return function (v) {
      if (v === null || v === undefined) return "–";
      var s = Number(v).toFixed(places === undefined ? 2 : places);
      return decimal === "," ? s.replace(".", ",") : s;
    };
  }
  function init(el) {
    var chart = echarts.init(el, null, { renderer: "svg" });
    charts.push(chart);
    return chart;
  }
  // Once every chart in `pending` is drawn, mark the page ready; keep the charts sized to the page.
  function ready(pending) {
    Promise.all(pending).then(function () { document.body.dataset.chartsReady = "1"; });
    var redraw = function () { charts.forEach(function (c) { c.resize(); }); };
    window.addEventListener("resize", redraw);
    window.addEventListener("beforeprint", redraw);
    window.addEventListener("afterprint", redraw);
    if (window.matchMedia) window.matchMedia("print").addEventListener("change", redraw);
  }
  function onLoad(start) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  }
  return { getJSON: getJSON, formatter: formatter, init: init, ready: ready, onLoad: onLoad };
})();
