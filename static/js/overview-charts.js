/* Charts for the fund overview and the forecast (Chart.js). Data comes from a json_script
   element; every chart has a table with the same numbers next to it (WCAG 1.1.1). */
(function () {
  "use strict";
  var COLORS = ["#1e5aa8", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#4a5568"];
  var nok = new Intl.NumberFormat("nb-NO", { maximumFractionDigits: 0 });

  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function money(ctx) {
    var v = ctx.parsed.y !== undefined ? ctx.parsed.y : ctx.parsed;
    return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + nok.format(v) + " kr";
  }

  function baseOptions(stacked) {
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { tooltip: { callbacks: { label: money } }, legend: { position: "bottom" } },
      scales: {
        x: { stacked: !!stacked },
        y: { stacked: !!stacked, ticks: { callback: function (v) { return nok.format(v); } } }
      }
    };
  }

  var charts = [];
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas || typeof Chart === "undefined") { return; }
    charts.push(new Chart(canvas, config));
    canvas.setAttribute("data-rendered", "true");
  }

  function overview(data) {
    var labels = data.years;
    var names = data.names || {};
    draw("chart-sources", {
      type: "line",
      data: {
        labels: labels,
        datasets: Object.keys(data.bySource).map(function (name, i) {
          return { label: name, data: data.bySource[name], borderColor: COLORS[i], backgroundColor: COLORS[i], fill: false, tension: 0 };
        })
      },
      options: baseOptions(false)
    });
    draw("chart-flows", {
      type: "bar",
      data: {
        labels: labels,
        datasets: [
          { label: names["in"] || "Inn", data: data.flows["in"], backgroundColor: COLORS[0] },
          { label: names.out || "Ut", data: data.flows.out.map(function (v) { return -v; }), backgroundColor: COLORS[1] },
          { label: names.back || "Tilbake", data: data.flows.back, backgroundColor: COLORS[2] },
          { label: names.capital || "Kapital", data: data.flows.capital, type: "line", borderColor: COLORS[3], backgroundColor: COLORS[3] }
        ]
      },
      options: baseOptions(false)
    });
    draw("chart-recovery", {
      type: "bar",
      data: {
        labels: data.recovery.labels,
        datasets: [
          { label: names.cost || "Utviklingskostnad", data: data.recovery.cost, backgroundColor: COLORS[5] },
          { label: names.recovered || "Tilbakeført", data: data.recovery.recovered, backgroundColor: COLORS[2] }
        ]
      },
      options: baseOptions(false)
    });
    var fylkeOptions = baseOptions(true);
    fylkeOptions.indexAxis = "y";
    fylkeOptions.scales = { x: { stacked: true }, y: { stacked: true } };
    fylkeOptions.plugins.tooltip = {};
    draw("chart-fylker", {
      type: "bar",
      data: {
        labels: data.fylker.labels,
        datasets: [
          { label: names.participating || "Deltar", data: data.fylker.participating, backgroundColor: COLORS[0] },
          { label: names.others || "Deltar ikke", data: data.fylker.others, backgroundColor: "#a0aec0" }
        ]
      },
      options: fylkeOptions
    });
  }

  function forecast(data) {
    var datasets = [];
    var names = data.names || {};
    data.series.forEach(function (s, i) {
      datasets.push({ label: s.label + " – " + (names.capital || "kapital"), data: s.closing, borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length], tension: 0 });
      datasets.push({ label: s.label + " – " + (names.available || "disponibelt"), data: s.available, borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length], borderDash: [6, 4], tension: 0 });
    });
    draw("chart-forecast", { type: "line", data: { labels: data.labels, datasets: datasets }, options: baseOptions(false) });
  }

  function benefits(list) {
    list.forEach(function (p) {
      var options = baseOptions(false);
      options.scales.members = { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { precision: 0 } };
      options.plugins.tooltip = {};
      var datasets = [
        { label: "Planlagt gevinst (kr)", data: p.planned, backgroundColor: COLORS[5] },
        { label: "Realisert gevinst (kr)", data: p.realised, backgroundColor: COLORS[2] },
        { label: "Medlemmer med tilgang", data: p.adoption, type: "line", yAxisID: "members", borderColor: COLORS[0], backgroundColor: COLORS[0], tension: 0 }
      ];
      if (p.target !== null) {
        datasets.push({ label: "Mål for utbredelse", data: p.years.map(function () { return p.target; }), type: "line", yAxisID: "members", borderColor: COLORS[1], backgroundColor: COLORS[1], borderDash: [6, 4], pointRadius: 0 });
      }
      draw(p.id, { type: "bar", data: { labels: p.years, datasets: datasets }, options: options });
    });
  }

  function start() {
    var bn = read("benefits-data");
    if (bn) { benefits(bn); }
    var data = read("overview-data");
    if (data) { overview(data); }
    var fc = read("forecast-data");
    if (fc) { forecast(fc); }
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
