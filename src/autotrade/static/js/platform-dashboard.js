/* Platform dashboard: draws "orders by province" with the vendored ECharts from the JSON block the page
   carries (#platform-province-data). The table under the chart holds the same numbers. */
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("platform-province-chart");
    var src = document.getElementById("platform-province-data");
    if (!el || !src || !window.echarts) { return; }
    var d = JSON.parse(src.textContent);
    var esc = window.echarts.format.encodeHTML;
    el.style.height = Math.max(160, 34 * d.labels.length + 40) + "px";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items[0].dataIndex;
          return esc(d.labels[i]) + "<br>" + esc(d.series) + ": " + d.orders[i] +
            "<br>" + esc(d.gmv_label) + ": " + esc(d.gmv[i]);
        }
      },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: d.labels },
      series: [{
        name: d.series, type: "bar", data: d.orders, barMaxWidth: 22,
        itemStyle: { color: "#1b5fae" }, label: { show: true, position: "right" }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
