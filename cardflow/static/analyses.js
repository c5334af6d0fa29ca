// Cardflow's analysis charts: every <canvas data-chart='{...}'> that htmx swaps in becomes a
// Chart.js bar chart. The JSON is the server's (labels, datasets of numbers, axis titles); it is
// read from the attribute, never evaluated. Chart.js (vendored) is loaded on first use.
// The table beside each chart holds the same figures: it is the chart's text alternative.
// For tests: a drawn canvas gets data-chart-drawn="1"; window.CardflowCharts.charts lists them.
(function () {
  "use strict";
  if (window.CardflowCharts) return;
  var VENDOR = "/static/vendor/chart.umd.min.js";
  var COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a"];
  var DANGER = "#d62728";
  var charts = [];
  var loading = null;

  function loadVendor() {
    if (window.Chart) return Promise.resolve();
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = VENDOR;
      s.onload = resolve;
      s.onerror = function () { loading = null; reject(new Error("could not load " + VENDOR)); };
      document.head.appendChild(s);
    });
    return loading;
  }

  function axisTitle(text) {
    return text ? { display: true, text: text } : { display: false };
  }

  function config(spec) {
    var horizontal = !!spec.horizontal;
    var datasets = (spec.datasets || []).map(function (d, i) {
      var color = d.danger ? DANGER : COLORS[i % COLORS.length];
      return { label: String(d.label), data: d.data, backgroundColor: color, borderColor: color, borderWidth: 1 };
    });
    var valueAxis = { beginAtZero: true, stacked: !!spec.stacked, title: axisTitle(horizontal ? spec.x : spec.y) };
    var labelAxis = { stacked: !!spec.stacked, title: axisTitle(horizontal ? spec.y : spec.x),
                      ticks: { autoSkip: !horizontal } };
    return {
      type: "bar",
      data: { labels: (spec.labels || []).map(String), datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis }
      }
    };
  }

  function draw(canvas) {
    if (canvas.dataset.chartDrawn || !canvas.isConnected) return;
    var spec;
    try {
      spec = JSON.parse(canvas.dataset.chart);
    } catch (e) {
      canvas.dataset.chartDrawn = "error";
      return;
    }
    canvas.dataset.chartDrawn = "pending";
    loadVendor().then(function () {
      if (!canvas.isConnected) return;
      charts.push(new window.Chart(canvas, config(spec)));
      canvas.dataset.chartDrawn = "1";
    }, function () {
      canvas.dataset.chartDrawn = "error";
      var note = document.createElement("p");
      note.className = "muted";
      note.textContent = "The chart library could not be loaded; the table has the figures.";
      canvas.replaceWith(note);
    });
  }

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches("canvas[data-chart]")) draw(scope);
    scope.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  // Charts whose canvas left the page (a section swapped again) are destroyed, not leaked.
  function prune() {
    charts = charts.filter(function (c) {
      if (c.canvas && c.canvas.isConnected) return true;
      c.destroy();
      return false;
    });
    window.CardflowCharts.charts = charts;
  }

  window.CardflowCharts = { charts: charts, init: init };
  document.addEventListener("htmx:load", function (e) { init(e.target); });
  document.addEventListener("htmx:afterSwap", function (e) { prune(); init(e.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
