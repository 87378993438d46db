// What every chart script shares: JSON from the chart endpoints, the one formatter (numbers in the page's
// language — 10.000 and 76,47% in Vietnamese — and every name HTML-escaped before it reaches a tooltip or
// label), SVG charts (they print crisply on A4) that follow the window and the print layout, and a ready
// flag for tests. Chart scripts never build tooltip HTML from a name without `esc`.
window.CCHCCharts = (function () {
  "use strict";
  var charts = [];
  var lang = (document.documentElement.lang || "vi").toLowerCase().indexOf("en") === 0 ? "en-GB" : "vi-VN";

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }
  // Text for HTML: names come from the database (plan areas, agencies, units) and are never markup.
  function esc(value) {
    if (value === null || value === undefined) return "";
    return String(value).replace(/[&<>"'`=\/]/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";";
    });
  }
  // A number with the page's grouping and decimal separators; `places` fixed (default: as needed, max 2).
  function number(v, places) {
    if (v === null || v === undefined || v === "" || isNaN(Number(v))) return "–";
    var opts = places === undefined
      ? { maximumFractionDigits: 2 }
      : { minimumFractionDigits: places, maximumFractionDigits: places };
    return new Intl.NumberFormat(lang, opts).format(Number(v));
  }
  function percent(v, places) {
    var s = number(v, places === undefined ? 2 : places);
    return s === "–" ? s : s + "%";
  }
  // A one-argument formatter with fixed places (ECharts passes the label's index as a second argument).
  function formatter(_decimal, places) {
    return function (v) { return number(v, places === undefined ? 2 : places); };
  }
  // Axis labels: whole numbers grouped (10.000), decimals only when the axis needs them.
  var axisNumber = function (v) { return number(v); };
  function init(el) {
    var chart = echarts.init(el, null, { renderer: "svg" });
    charts.push(chart);
    return chart;
  }
  // Once every chart in `pending` is drawn, mark the page ready; keep the charts sized to the page.
  function ready(pending) {
    Promise.all(pending).then(function () { document.body.dataset.chartsReady = "1"; });
    var resize = function () { charts.forEach(function (c) { c.resize(); }); };
    // Again once the new layout (print or screen) has settled: the first pass may see the old sizes.
    var redraw = function () { resize(); window.requestAnimationFrame(resize); window.setTimeout(resize, 60); };
    window.addEventListener("resize", redraw);
    window.addEventListener("beforeprint", redraw);
    window.addEventListener("afterprint", redraw);
    if (window.matchMedia) window.matchMedia("print").addEventListener("change", redraw);
  }
  function onLoad(start) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  }
  return {
    getJSON: getJSON, esc: esc, number: number, percent: percent, formatter: formatter, axisNumber: axisNumber,
    init: init, ready: ready, onLoad: onLoad
  };
})();
