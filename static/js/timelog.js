/* Manager's time log report (issue 13): the coaching share per month against the target
   share, drawn from the JSON the page embeds with json_script (#timelog-data). Shares arrive
   as decimal strings (null for a month without time); the legend's words come translated
   from the canvas's data-label-* attributes. The chart is kept on window.timelogChart. */
(function () {
  "use strict";
  var source = document.getElementById("timelog-data");
  var canvas = document.getElementById("chart-coaching-share");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent).share;
  var css = getComputedStyle(document.documentElement);
  var colour = function (name, fallback) { return (css.getPropertyValue(name) || fallback).trim(); };
  var num = function (v) { return v === null || v === undefined ? null : Number(v); };
  Chart.defaults.maintainAspectRatio = false;
  window.timelogChart = new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: canvas.dataset.labelShare, data: data.coaching.map(num),
          backgroundColor: colour("--accent", "#2454d6") },
        { type: "line", label: canvas.dataset.labelTarget,
          data: data.labels.map(function () { return data.target; }),
          borderColor: colour("--ok", "#1a7f4b"), borderDash: [6, 4], pointRadius: 0, borderWidth: 2 }
      ]
    },
    options: {
      scales: { y: { beginAtZero: true, max: 100, ticks: { callback: function (v) { return v + "%"; } } } }
    }
  });
})();
