// 坐席助手 — the supervisor board: customers waiting now (oldest first), the alert feed
// saying what happened, and waiting times over the last hour. Frames are applied in
// batches (every 50 ms) and the table repainted at most once a second, so
// the page keeps up with hundreds of open conversations.
"use strict";
const AssistBoard = (() => {
  const {ALERTS, api, connect, element, seconds, serverNow, shopTime} = AssistCommon;
  const {describe, waited, isWaiting} = AssistTimers;
  const MAX_ROWS = 300;
  const MAX_ALERTS = 300;

  function alertDetail(frame) {
    const parts = [];
    if (frame.kind === "negative_phrase") {
      const phrases = frame.phrases || (frame.phrase ? [frame.phrase] : []);
      if (phrases.length) parts.push("用语「" + phrases.join("」「") + "」");
      if (frame.text) parts.push("原话：" + frame.text);
    } else if (frame.kind === "escalation") {
      parts.push("顾客已等 " + seconds(frame.waited_s || 0) + "，请主管介入");
    } else if (frame.kind === "unpaid_order") {
      if (frame.waited_s != null) parts.push("下单后 " + seconds(frame.waited_s) + " 仍未付款");
    } else if (frame.waited_s != null) {
      parts.push("顾客已等 " + seconds(frame.waited_s));
    }
    if (frame.kind === "complaint" && frame.text) parts.push("顾客：" + frame.text);
    if (frame.order_id) parts.push("订单 " + frame.order_id);
    if (frame.amount != null) parts.push("金额 ¥" + frame.amount);
    return parts.join("；");
  }

  function alertItem(frame) {
    const item = element("li", frame.kind);
    item.dataset.kind = frame.kind;
    const head = element("div");
    head.append(element("span", "at", shopTime(frame.at)),
      element("span", "what", ALERTS[frame.kind] || frame.kind),
      " · 会话 " + frame.conversation_id + " · 客服 " + (frame.agent_id || "未分配"));
    item.append(head);
    const detail = alertDetail(frame);
    if (detail) item.append(element("div", "detail", detail));
    return item;
  }

  // -- optional sound and desktop notifications ----------------------------------------
  function notifier() {
    const sound = document.getElementById("sound");
    const desktop = document.getElementById("desktop");
    sound.checked = localStorage.getItem("assist.sound") === "1";
    desktop.checked = localStorage.getItem("assist.desktop") === "1" &&
      "Notification" in window && Notification.permission === "granted";
    sound.onchange = () => localStorage.setItem("assist.sound", sound.checked ? "1" : "0");
    desktop.onchange = async () => {
      if (desktop.checked && "Notification" in window && Notification.permission !== "granted") {
        desktop.checked = (await Notification.requestPermission()) === "granted";
      }
      localStorage.setItem("assist.desktop", desktop.checked ? "1" : "0");
    };
    let audio = null;
    return (frame) => {
      if (sound.checked) {
        audio = audio || new AudioContext();
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = frame.kind === "escalation" ? 880 : 660;
        gain.gain.value = 0.08;
        tone.connect(gain).connect(audio.destination);
        tone.start();
        tone.stop(audio.currentTime + 0.25);
      }
      if (desktop.checked && "Notification" in window && Notification.permission === "granted") {
        new Notification("坐席助手 · " + (ALERTS[frame.kind] || frame.kind),
          {body: "会话 " + frame.conversation_id + "\n" + alertDetail(frame), tag: frame.conversation_id});
      }
    };
  }

  function start() {
    const body = document.querySelector("#waits tbody");
    const waitsEmpty = document.getElementById("waits-empty");
    const more = document.getElementById("waits-more");
    const alerts = document.getElementById("alerts");
    const alertsEmpty = document.getElementById("alerts-empty");
    const counts = {waiting: document.getElementById("count-waiting"),
      breached: document.getElementById("count-breached"),
      alerts: document.getElementById("count-alerts")};
    const chart = AssistChart.create(document.getElementById("chart"));
    const notify = notifier();
    const waits = new Map();   // conversation id → {agent, timer}
    const rows = new Map();    // conversation id → <tr>
    const seenAlerts = new Set();
    let pending = [];
    let dirty = true;

    function addAlert(frame, live) {
      const key = [frame.kind, frame.conversation_id, frame.at, frame.message_id || ""].join("|");
      if (seenAlerts.has(key)) return;
      seenAlerts.add(key);
      const item = alertItem(frame);
      if (live) { item.classList.add("fresh"); notify(frame); }
      alerts.prepend(item);
      while (alerts.children.length > MAX_ALERTS) alerts.lastElementChild.remove();
    }

    function apply(frame) {
      if (frame.type === "snapshot") {
        waits.clear();
        alerts.replaceChildren();
        seenAlerts.clear();
        for (const c of frame.conversations || []) {
          waits.set(c.conversation_id, {agent: c.agent_id, timer: c.timer});
        }
        for (const alert of frame.alerts || []) addAlert(alert, false);
      } else if (frame.type === "timer") {
        waits.set(frame.conversation_id, {agent: frame.agent_id, timer: frame});
        if (frame.state === "met") chart.add(frame.at, frame.waited_s, AssistTimers.isLate(frame));
      } else if (frame.type === "conversation" && frame.change === "closed") {
        waits.delete(frame.conversation_id);
      } else if (frame.type === "alert") {
        addAlert(frame, true);
      }
      dirty = true;
    }

    function row(id) {
      let tr = rows.get(id);
      if (!tr) {
        tr = element("tr");
        tr.dataset.conversation = id;
        for (const name of ["cid", "agent", "timer", "num waited"]) tr.append(element("td", name));
        rows.set(id, tr);
      }
      return tr;
    }

    function paint() {
      const waiting = [...waits.entries()]
        .filter(([, w]) => isWaiting(w.timer))
        .sort(([, a], [, b]) => Date.parse(a.timer.started_at) - Date.parse(b.timer.started_at));
      for (const id of rows.keys()) if (!waits.has(id) || !isWaiting(waits.get(id).timer)) rows.delete(id);
      const shown = waiting.slice(0, MAX_ROWS).map(([id, w]) => {
        const tr = row(id);
        const {text, state} = describe(w.timer);
        tr.className = state;
        const cells = tr.children;
        cells[0].textContent = id;
        cells[1].textContent = w.agent || "未分配";
        cells[2].textContent = text;
        cells[3].textContent = seconds(waited(w.timer));
        return tr;
      });
      const same = shown.length === body.children.length &&
        shown.every((tr, i) => body.children[i] === tr);
      if (!same) body.replaceChildren(...shown);
      waitsEmpty.hidden = waiting.length > 0;
      more.hidden = waiting.length <= MAX_ROWS;
      more.textContent = "另有 " + (waiting.length - MAX_ROWS) + " 位顾客在等待（只列出等得最久的 " + MAX_ROWS + " 位）";
      counts.waiting.textContent = waiting.length;
      counts.breached.textContent = waiting.filter(([, w]) => w.timer.state === "breached").length;
      counts.alerts.textContent = alerts.children.length;
      alertsEmpty.hidden = alerts.children.length > 0;
      chart.draw(serverNow());
      dirty = false;
    }

    function flush() {
      const batch = pending;
      pending = [];
      for (const frame of batch) apply(frame);
      if (dirty) paint();
    }

    connect("/ws/supervisor?frames=alert,timer,conversation", (frame) => {
      if (frame.type === "snapshot") {
        pending = [frame];  // a snapshot supersedes whatever was queued before it
        loadChart();
      } else {
        pending.push(frame);
      }
      if (pending.length === 1) setTimeout(flush, 50);  // timers, unlike rAF, run in background tabs
    });
    function loadChart() {
      api("/api/waits/minutes").then((summary) => {
        chart.load(summary);
        dirty = true;
      }).catch(() => { /* the chart then fills from live frames */ });
    }
    setInterval(() => { dirty = true; if (!pending.length) paint(); }, 1000);
    paint();
  }

  return {start, alertDetail};
})();
