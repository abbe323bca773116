// Draw a warning's cases per day with ECharts, from the JSON the page carries (no inline script: CSP).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-series]").forEach(function (el) {
    var data = JSON.parse(document.getElementById(el.dataset.series).textContent);
    if (!window.echarts || !data.days.length) return;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 12, top: 16, bottom: 28 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.days.map(function (d) { return d.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: el.dataset.label || "", type: "bar", data: data.counts, itemStyle: { color: "#c62828" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
