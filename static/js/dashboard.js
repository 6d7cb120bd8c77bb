/* Dashboard charts (issue 5, area 5C): draws the four charts from the JSON the page embeds
   with json_script (#dashboard-data). Money arrives as decimal strings; every word shown comes
   translated in data.words. The Chart.js instances
   are kept on window.dashboardCharts (the browser journey checks they exist). */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var css = getComputedStyle(document.documentElement);
  var colour = function (name, fallback) { return (css.getPropertyValue(name) || fallback).trim(); };
  var accent = colour("--accent", "#2454d6");
  var palette = [accent, "#1a7f4b", "#b26a00", "#8e44ad", "#c0362c", "#0f8b8d", "#5b6b8c",
    "#d35400", "#2c3e50", "#16a085", "#7f8c8d", "#e67e22"];
  var num = function (v) { return v === null || v === undefined ? null : Number(v); };
  var words = data.words;
  var money = new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 0 });

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = colour("--muted", "#667085");
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;

  var charts = {};
  var make = function (id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { charts[id.replace("chart-", "")] = new Chart(canvas, config); }
  };

  var t = data.trend;
  make("chart-trend", {
    type: "line",
    data: {
      labels: t.labels.map(function (w) { return w.slice(5); }),
      datasets: [
        { label: words.calls, data: t.calls, borderColor: palette[0], backgroundColor: palette[0], yAxisID: "y", tension: 0.25 },
        { label: words.calls_goal, data: t.goal_calls, borderColor: palette[0], borderDash: [6, 4], pointRadius: 0, borderWidth: 1, yAxisID: "y" },
        { label: words.meetings, data: t.meetings, borderColor: palette[1], backgroundColor: palette[1], yAxisID: "y1", tension: 0.25 },
        { label: words.visits, data: t.visits, borderColor: palette[2], backgroundColor: palette[2], yAxisID: "y1", tension: 0.25 },
        { label: words.new_prospects, data: t.new_prospects, borderColor: palette[3], backgroundColor: palette[3], yAxisID: "y1", tension: 0.25 }
      ]
    },
    options: {
      interaction: { mode: "index", intersect: false },
      scales: {
        y: { beginAtZero: true, position: "left", title: { display: true, text: words.calls } },
        y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: words.trend_right_axis } }
      }
    }
  });

  var a = data.attainment;
  var attainmentSets = a.reps.length > 1 ? a.reps.map(function (rep, i) {
    var c = palette[(i + 1) % palette.length];
    return { label: rep.name, data: rep.values.map(num), borderColor: c, backgroundColor: c, borderWidth: 1.5, pointRadius: 2, tension: 0.2, spanGaps: true };
  }) : [];
  attainmentSets.unshift({ label: a.reps.length > 1 ? words.team : (a.reps[0] ? a.reps[0].name : words.attainment),
    data: a.team.map(num), borderColor: "#17203a", backgroundColor: "#17203a", borderWidth: 3, tension: 0.2, spanGaps: true });
  attainmentSets.push({ label: words.quota, data: a.labels.map(function () { return 100; }),
    borderColor: colour("--ok", "#1a7f4b"), borderDash: [4, 4], borderWidth: 1, pointRadius: 0 });
  make("chart-attainment", {
    type: "line",
    data: { labels: a.labels, datasets: attainmentSets },
    options: {
      interaction: { mode: "nearest", intersect: false },
      scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return v + "%"; } } } },
      plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + (c.parsed.y === null ? words.no_quota : c.parsed.y + "%"); } } } }
    }
  });

  var f = data.funnel;
  make("chart-funnel", {
    type: "bar",
    data: { labels: f.labels, datasets: [{ label: words.reached, data: f.reached,
      backgroundColor: f.labels.map(function (_, i) { return i === f.labels.length - 1 ? colour("--ok", "#1a7f4b") : accent; }) }] },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false }, tooltip: { callbacks: { afterLabel: function (c) {
        var conv = f.conversion[c.dataIndex]; return conv === null ? "" : conv + "% " + words.moved_on; } } } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
    }
  });

  var y = data.yoy;
  make("chart-yoy", {
    type: "bar",
    data: { labels: y.labels, datasets: [
      { label: String(y.year - 1), data: y.last_year.map(num), backgroundColor: "#c7cfe3" },
      { label: String(y.year), data: y.this_year.map(num), backgroundColor: accent }
    ] },
    options: {
      scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return money.format(v); } } } },
      plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + money.format(c.parsed.y); } } } }
    }
  });

  window.dashboardCharts = charts;
})();
