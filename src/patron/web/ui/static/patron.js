// patron's only script: CSRF header for HTMX requests, and the charts. No inline scripts
// anywhere (the Content-Security-Policy forbids them).
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRF-Token"] = meta.content;
});

function drawBarChart(elementId, dataId) {
  const el = document.getElementById(elementId);
  const data = document.getElementById(dataId);
  if (!el || !data || typeof echarts === "undefined") return;
  const chart = echarts.init(el);
  const values = JSON.parse(data.textContent);
  chart.setOption({
    tooltip: {},
    grid: { left: 60, right: 20, top: 20, bottom: 40 },
    xAxis: { type: "category", data: values.labels },
    yAxis: { type: "value" },
    series: [{ type: "bar", data: values.values, itemStyle: { color: "#1f5f8b" } }],
  });
  window.addEventListener("resize", () => chart.resize());
}

window.addEventListener("load", () => drawBarChart("sources-chart", "sources-data"));
