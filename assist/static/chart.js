// 坐席助手 — the board's waiting-time chart: one bar per minute of the last hour (average
// wait of the customers answered in that minute), a dot for the longest, and a dashed line
// at the reply deadline. Plain SVG; no chart library, nothing from a CDN.
"use strict";
const AssistChart = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const MINUTE = 60 * 1000;

  function svg(tag, attributes, text) {
    const node = document.createElementNS(NS, tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    if (text != null) node.textContent = text;
    return node;
  }

  /** Per-minute buckets {count, total, max, breached}, keyed by the minute's epoch ms. */
  function create(container) {
    const buckets = new Map();
    let deadline = 20;

    function add(endedIso, waitedS, breached) {
      const key = Math.floor(Date.parse(endedIso) / MINUTE) * MINUTE;
      if (Number.isNaN(key)) return;
      const bucket = buckets.get(key) || {count: 0, total: 0, max: 0, breached: 0};
      bucket.count += 1;
      bucket.total += waitedS;
      bucket.max = Math.max(bucket.max, waitedS);
      bucket.breached += breached ? 1 : 0;
      buckets.set(key, bucket);
    }

    function load(summary) {
      buckets.clear();
      if (summary.reply_s) deadline = summary.reply_s;
      for (const minute of summary.minutes || []) {
        buckets.set(Date.parse(minute.minute), {count: minute.answered, total: minute.avg_s * minute.answered,
          max: minute.max_s, breached: minute.breached});
      }
    }

    function draw(nowMs) {
      const width = 720, height = 180, left = 36, bottom = 20, top = 8;
      const end = Math.floor(nowMs / MINUTE) * MINUTE;
      const start = end - 59 * MINUTE;
      for (const key of buckets.keys()) if (key < start) buckets.delete(key);
      let peak = deadline * 1.5;
      for (const bucket of buckets.values()) peak = Math.max(peak, bucket.max);
      const scale = (height - bottom - top) / peak;
      const step = (width - left) / 60;
      const chart = svg("svg", {viewBox: `0 0 ${width} ${height}`, role: "img",
        "aria-label": "最近一小时每分钟的平均等待时间"});
      const y = (seconds) => height - bottom - seconds * scale;
      const digits = peak < 10 ? 1 : 0;  // sub-second deadlines still get distinct ticks
      for (const tick of [0, peak / 2, peak]) {
        chart.append(svg("line", {x1: left, x2: width, y1: y(tick), y2: y(tick), stroke: "#e5e6eb"}));
        chart.append(svg("text", {x: left - 4, y: y(tick) + 4, "text-anchor": "end",
          "font-size": 10, fill: "#86909c"}, tick.toFixed(digits) + "s"));
      }
      chart.append(svg("line", {x1: left, x2: width, y1: y(deadline), y2: y(deadline),
        stroke: "#cb2634", "stroke-dasharray": "4 3", class: "deadline"}));
      let bars = 0;
      for (let i = 0; i < 60; i++) {
        const key = start + i * MINUTE;
        const x = left + i * step;
        if (i % 10 === 0 || i === 59) {
          chart.append(svg("text", {x: x + step / 2, y: height - 5, "text-anchor": "middle",
            "font-size": 10, fill: "#86909c"}, AssistCommon.shopTime(new Date(key).toISOString()).slice(0, 5)));
        }
        const bucket = buckets.get(key);
        if (!bucket || !bucket.count) continue;
        const average = bucket.total / bucket.count;
        const bar = svg("rect", {x: x + 1, width: Math.max(1, step - 2), y: y(average),
          height: Math.max(1, average * scale), class: "bar",
          fill: average > deadline ? "#f76560" : "#4080ff"});
        bar.append(svg("title", {}, `${AssistCommon.shopTime(new Date(key).toISOString()).slice(0, 5)}：` +
          `${bucket.count} 位顾客，平均等待 ${average.toFixed(1)} 秒，最长 ${bucket.max.toFixed(1)} 秒` +
          (bucket.breached ? `，${bucket.breached} 次超时` : "")));
        chart.append(bar);
        chart.append(svg("circle", {cx: x + step / 2, cy: y(bucket.max), r: 2, fill: "#1d2129"}));
        bars += 1;
      }
      container.replaceChildren(chart);
      container.dataset.bars = String(bars);
      return bars;
    }

    return {add, load, draw};
  }

  return {create};
})();
