/* 质检与绩效 page: month or date range → per-agent QA points, band, KPI, complaints;
   drill-down to each failing chat and its reasons; CSV downloads. No framework, no CDN. */
(function () {
  "use strict";
  var token = new URLSearchParams(location.search).get("token");
  var rows = [];
  var sort = { key: "agent_id", dir: 1 };
  var $ = function (id) { return document.getElementById(id); };

  function headers() { return token ? { Authorization: "Bearer " + token } : {}; }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function status(text, cls) { var s = $("status"); s.textContent = text; s.className = "status " + (cls || ""); }

  function showError(message) {
    var box = $("error");
    box.hidden = !message;
    box.textContent = message || "";
  }

  function params() {
    var mode = document.querySelector("input[name=mode]:checked").value;
    var query = new URLSearchParams();
    if (mode === "month") {
      if (!$("month").value) throw new Error("请选择月份");
      query.set("month", $("month").value);
    } else {
      if (!$("from").value || !$("to").value) throw new Error("请选择开始和结束日期");
      if ($("from").value > $("to").value) throw new Error("开始日期不能晚于结束日期");
      query.set("from", $("from").value);
      query.set("to", $("to").value);
    }
    return query;
  }

  function getJson(url) {
    return fetch(url, { headers: headers() }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          var error = body && body.error ? body.error.message : response.statusText;
          throw new Error(error);
        }
        return body;
      });
    });
  }

  function bandClass(agent) {
    if (agent.full_marks) return "band-full";
    if (agent.deduction === "all") return "band-none";
    if (agent.deduction) return "band-minus";
    return "band-ok";
  }

  function merge(scores, kpi) {
    var byAgent = {};
    scores.agents.forEach(function (a) {
      byAgent[a.agent_id] = {
        agent_id: a.agent_id, points: a.points, band: a.band, deduction: a.deduction,
        days_lost: a.days_lost, sampled: a.sampled, failed: a.failed, full_marks: a.full_marks,
        complaints: a.complaints.count, complaint_label: a.complaints.label || "",
        days: a.days, kpi: null, indicators: []
      };
    });
    kpi.agents.forEach(function (k) {
      var row = byAgent[k.agent_id];
      if (!row) {
        row = byAgent[k.agent_id] = {
          agent_id: k.agent_id, points: null, band: "", deduction: null, days_lost: null,
          sampled: 0, failed: 0, full_marks: false, complaints: 0, complaint_label: "", days: []
        };
      }
      row.kpi = k.score;
      row.indicators = k.indicators;
    });
    return Object.keys(byAgent).map(function (id) { return byAgent[id]; });
  }

  function compare(a, b) {
    var x = a[sort.key], y = b[sort.key];
    if (x === "all") x = 1e9; if (y === "all") y = 1e9;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    if (typeof x === "number" && typeof y === "number") return (x - y) * sort.dir;
    return String(x).localeCompare(String(y), "zh-CN") * sort.dir;
  }

  function cell(tr, value, cls) { tr.appendChild(el("td", value === null || value === undefined ? "-" : value, cls)); }

  function render() {
    var body = document.querySelector("#agents tbody");
    body.textContent = "";
    rows.slice().sort(compare).forEach(function (row) {
      var tr = el("tr");
      tr.dataset.agent = row.agent_id;
      cell(tr, row.agent_id);
      cell(tr, row.points, "num");
      cell(tr, row.band, bandClass(row));
      cell(tr, row.deduction === "all" ? "全部" : row.deduction, "num");
      cell(tr, row.days_lost, "num");
      cell(tr, row.sampled, "num");
      cell(tr, row.failed, "num");
      cell(tr, row.kpi, "num");
      cell(tr, row.complaints, "num");
      cell(tr, row.complaint_label);
      tr.addEventListener("click", function () { detail(row); });
      body.appendChild(tr);
    });
    $("empty").hidden = rows.length > 0;
    document.querySelectorAll("#agents th").forEach(function (th) {
      if (th.dataset.key === sort.key) th.setAttribute("aria-sort", sort.dir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
  }

  function detail(row) {
    document.querySelectorAll("#agents tbody tr").forEach(function (tr) {
      tr.classList.toggle("selected", tr.dataset.agent === row.agent_id);
    });
    $("detail").hidden = false;
    $("detail-title").textContent = "客服 " + row.agent_id + " · 每日抽检";
    var kpiBox = $("kpi-detail");
    kpiBox.textContent = "";
    if (row.indicators.length) {
      var list = el("ul", null, "kpi-list");
      row.indicators.forEach(function (i) {
        list.appendChild(el("li", i.label + "：" + (i.value === null ? "-" : i.value) +
          " → " + i.points + " 分 × " + i.weight + "%"));
      });
      kpiBox.appendChild(list);
    }
    var body = document.querySelector("#days tbody");
    body.textContent = "";
    row.days.forEach(function (day) {
      var tr = el("tr");
      cell(tr, day.date);
      cell(tr, day.sampled, "num");
      cell(tr, day.failed, "num");
      cell(tr, day.point_lost ? "扣1分" : "—", day.point_lost ? "lost" : "");
      var td = el("td");
      day.failures.forEach(function (f) {
        var link = el("button", f.conversation_id, "chat-link");
        link.type = "button";
        link.title = f.reasons.join("；");
        link.addEventListener("click", function () { chat(f.conversation_id); });
        td.appendChild(link);
        var reasons = el("ul", null, "reasons");
        f.reasons.forEach(function (r) { reasons.appendChild(el("li", r)); });
        td.appendChild(reasons);
      });
      tr.appendChild(td);
      body.appendChild(tr);
    });
    $("chat").textContent = "";
  }

  function chat(id) {
    var box = $("chat");
    box.textContent = "加载中…";
    getJson("/api/qa/conversations/" + encodeURIComponent(id)).then(function (body) {
      box.textContent = "";
      box.appendChild(el("h2", "会话 " + id + (body.passed ? " · 合格" : " · 不合格")));
      body.items.forEach(function (item) {
        var div = el("div", null, "item " + (item.passed ? "pass" : "fail"));
        div.appendChild(el("span", (item.passed ? "✔ " : "✘ ") + (item.reason || labels[item.item] || item.item)));
        if (item.text) div.appendChild(el("span", "“" + item.text + "”", "quote"));
        box.appendChild(div);
      });
    }).catch(function (error) { box.textContent = "无法加载：" + error.message; });
  }

  var labels = { greeting: "问候语", closing: "结束语", attitude: "服务态度", timely: "响应及时", answered: "问题已回复" };

  function load() {
    var query;
    try { query = params(); } catch (error) { showError(error.message); return Promise.resolve(); }
    showError("");
    status("加载中…", "busy");
    return Promise.all([
      getJson("/api/qa/scores?" + query.toString()),
      getJson("/api/kpi?" + query.toString())
    ]).then(function (results) {
      rows = merge(results[0], results[1]);
      $("detail").hidden = true;
      render();
      status("已更新");
    }).catch(function (error) {
      showError("查询失败：" + error.message);
      status("出错", "offline");
    });
  }

  function download(path, name) {
    var query;
    try { query = params(); } catch (error) { showError(error.message); return; }
    fetch(path + "?" + query.toString(), { headers: headers() }).then(function (response) {
      if (!response.ok) throw new Error(response.statusText);
      return response.blob();
    }).then(function (blob) {
      var link = el("a");
      link.href = URL.createObjectURL(blob);
      link.download = name;
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    }).catch(function (error) { showError("下载失败：" + error.message); });
  }

  function init() {
    var now = new Date();
    var month = now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0");
    var initial = new URLSearchParams(location.search);
    $("month").value = initial.get("month") || month;
    $("from").value = month + "-01";
    $("to").value = now.toISOString().slice(0, 10);
    document.querySelectorAll("#agents th").forEach(function (th) {
      th.addEventListener("click", function () {
        sort = { key: th.dataset.key, dir: sort.key === th.dataset.key ? -sort.dir : 1 };
        render();
      });
    });
    $("query").addEventListener("submit", function (event) { event.preventDefault(); load(); });
    $("csv-qa").addEventListener("click", function () { download("/api/qa/scores.csv", "质检-" + $("month").value + ".csv"); });
    $("csv-kpi").addEventListener("click", function () { download("/api/kpi.csv", "绩效-" + $("month").value + ".csv"); });
    load();
  }

  window.AssistQa = { load: load };
  init();
})();
