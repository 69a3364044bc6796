// Scoring pages: charts (vendored Chart.js), the ICP form's per-kind fields and the weights sum.
// Everything works without it: charts fall back to their tables, every field stays visible.
(function () {
  const COLORS = { score: "#4f46e5", fit: "#6366f1", intent: "#f59e0b", engagement: "#10b981", predictive: "#ec4899" };

  function readJson(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function historyChart(canvas, data) {
    const series = [
      { key: "score", label: "Score", width: 3 },
      { key: "fit", label: "Fit", width: 1.5 },
      { key: "intent", label: "Intent", width: 1.5 },
      { key: "engagement", label: "Engagement", width: 1.5 },
    ];
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: series.map((s) => ({
          label: s.label, data: data[s.key], borderColor: COLORS[s.key], backgroundColor: COLORS[s.key],
          borderWidth: s.width, pointRadius: data.labels.length > 20 ? 0 : 3, tension: 0.25,
          borderDash: s.key === "score" ? [] : [4, 3], hidden: false,
        })),
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { min: 0, max: 100, ticks: { stepSize: 25 } }, x: { ticks: { maxTicksLimit: 8 } } },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12, boxHeight: 2 } } },
      },
    });
  }

  function calibrationChart(canvas, bins) {
    const points = bins.map((b) => ({ x: b.predicted, y: b.observed, count: b.count }));
    const top = Math.max(0.05, ...bins.map((b) => Math.max(b.predicted, b.observed))) * 1.1;
    return new window.Chart(canvas, {
      type: "scatter",
      data: {
        datasets: [
          { label: "Accounts (equal-size groups)", data: points, backgroundColor: COLORS.score, pointRadius: 5 },
          { label: "Perfect calibration", data: [{ x: 0, y: 0 }, { x: top, y: top }], type: "line",
            borderColor: "#94a3b8", borderDash: [5, 4], borderWidth: 1.5, pointRadius: 0 },
        ],
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: {
          x: { min: 0, max: top, title: { display: true, text: "Predicted chance" },
               ticks: { callback: (v) => Math.round(v * 100) + " %" } },
          y: { min: 0, max: top, title: { display: true, text: "Observed share" },
               ticks: { callback: (v) => Math.round(v * 100) + " %" } },
        },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: (c) => c.raw.count !== undefined
            ? `predicted ${(c.raw.x * 100).toFixed(1)} %, observed ${(c.raw.y * 100).toFixed(1)} % (${c.raw.count} snapshots)`
            : "" } },
        },
      },
    });
  }

  function drawCharts(root) {
    if (!window.Chart) return;
    root.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      if (canvas.dataset.drawn) return;
      const data = readJson(canvas.dataset.source);
      if (!data) return;
      canvas.dataset.drawn = "1";
      if (canvas.dataset.chart === "history") historyChart(canvas, data);
      if (canvas.dataset.chart === "calibration") calibrationChart(canvas, data);
      const fallback = canvas.closest(".chart-box") && canvas.closest(".chart-box").nextElementSibling;
      if (fallback && fallback.matches("[data-chart-fallback]")) fallback.hidden = true;
    });
  }

  // ICP form: show the config fields of the chosen kind only.
  function syncKinds(form) {
    const select = form.querySelector("select[name$='kind']");
    if (!select) return;
    form.querySelectorAll("[data-kinds]").forEach((group) => {
      group.classList.toggle("shown", group.dataset.kinds.split(" ").includes(select.value));
    });
  }

  // Weights form: the four percentages must add up to 100.
  function syncSum(form) {
    const line = form.querySelector("[data-weight-sum]");
    if (!line) return;
    let total = 0;
    form.querySelectorAll("[data-weight]").forEach((input) => { total += parseFloat(input.value) || 0; });
    const ok = Math.abs(total - 100) <= 1;
    line.textContent = ok ? `Adds up to ${Math.round(total)} % ✓` : `Adds up to ${Math.round(total * 10) / 10} % — make it 100 %`;
    line.classList.toggle("bad", !ok);
    line.classList.toggle("ok", ok);
  }

  function init(root) {
    root.querySelectorAll("form.criterion-form").forEach(syncKinds);
    root.querySelectorAll("form.propose-form").forEach(syncSum);
    drawCharts(root);
  }

  document.addEventListener("change", (event) => {
    const form = event.target.closest("form.criterion-form");
    if (form) syncKinds(form);
  });
  document.addEventListener("input", (event) => {
    const form = event.target.closest("form.propose-form");
    if (form) syncSum(form);
  });
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:afterSwap", (event) => init(event.target));
})();
