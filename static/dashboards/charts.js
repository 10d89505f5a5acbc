/* Draws every <canvas data-chart="ID"> from the JSON of <script id="ID" type="application/json">
   (core.charts.ChartTable.chart_data) with Chart.js (static/vendor/chartjs). A click on a bar or point
   opens its link (the filtered admin list), when it has one. No inline script: CSP allows our origin. */
(function () {
  "use strict";
  function format(spec, value) {
    if (value === null || value === undefined) { return ""; }
    var lang = document.documentElement.lang || "ko";
    var digits = spec.percent ? 3 : 0;
    var text = new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value);
    return spec.prefix + text + spec.suffix;
  }
  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof Chart === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.datasets.map(function (set) {
      return { label: set.label, data: set.data, links: set.links, tension: 0.2, spanGaps: true };
    });
    var chart = new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "nearest", intersect: true },
        scales: {
          x: { stacked: spec.stacked },
          y: {
            stacked: spec.stacked,
            beginAtZero: !spec.percent,
            max: spec.percent ? 100 : undefined,
            ticks: {
              precision: spec.percent ? undefined : 0,
              callback: function (value) { return format(spec, value); }
            }
          }
        },
        plugins: {
          legend: { display: datasets.length > 1 },
          tooltip: {
            callbacks: {
              label: function (item) { return item.dataset.label + ": " + format(spec, item.parsed.y); }
            }
          }
        },
        onClick: function (event, elements) {
          if (!elements.length) { return; }
          var element = elements[0];
          var links = datasets[element.datasetIndex].links || [];
          if (links[element.index]) { window.location.href = links[element.index]; }
        },
        onHover: function (event, elements) {
          var link = elements.length && (datasets[elements[0].datasetIndex].links || [])[elements[0].index];
          event.native.target.style.cursor = link ? "pointer" : "default";
        }
      }
    });
    canvas.chart = chart;
  }
  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
