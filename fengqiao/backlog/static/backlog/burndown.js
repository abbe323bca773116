// Draw a burn-down (the stock of open cases at the end of each day) with ECharts, from the JSON the page carries.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-burndown]").forEach(function (el) {
    var data = JSON.parse(document.getElementById(el.dataset.burndown).textContent);
    if (!window.echarts) return;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.days.map(function (d) { return d.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: el.dataset.label || "", type: "line", data: data.open, areaStyle: { opacity: 0.15 },
                 itemStyle: { color: "#b71c1c" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
