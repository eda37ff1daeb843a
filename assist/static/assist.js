// 坐席助手 pages: the agent side panel and the supervisor board. Both only render what
// the service sends over its websocket channels; a reconnect starts from the snapshot.
"use strict";
const Assist = (() => {
  const INTENTS = {greeting: "打招呼", stock: "库存", sizing: "尺码", logistics: "物流",
    bargaining: "议价", returns: "退换货", color_difference: "色差", authenticity: "正品",
    complaint: "投诉", thanks_bye: "致谢/告别", unknown: "未识别"};
  const KINDS = {greeting_breach: "欢迎语超时", reply_breach: "回复超时",
    escalation: "等待过久（升级）", negative_phrase: "负面用语", unpaid_order: "未付款订单"};
  const TIMER_NAMES = {greeting: "欢迎", reply: "回复"};

  function connect(path, onFrame) {
    const status = document.getElementById("status");
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
    let delay = 500;
    function open() {
      const socket = new WebSocket(url);
      socket.onopen = () => { status.textContent = "在线"; status.classList.remove("offline"); delay = 500; };
      socket.onmessage = (message) => onFrame(JSON.parse(message.data));
      socket.onclose = () => {
        status.textContent = "已断开，重连中…"; status.classList.add("offline");
        setTimeout(open, delay); delay = Math.min(delay * 2, 10000);
      };
    }
    open();
  }

  function remaining(timer) {
    const left = (Date.parse(timer.deadline) - Date.now()) / 1000;
    const waited = (Date.now() - Date.parse(timer.started_at)) / 1000;
    return {left, waited};
  }

  function timerText(timer) {
    if (!timer) return "";
    const name = TIMER_NAMES[timer.kind] || timer.kind;
    if (timer.state === "met") return name + "已回复";
    if (timer.state === "stopped") return "已结束";
    const {left, waited} = remaining(timer);
    if (left > 0) return name + " 剩 " + left.toFixed(0) + " 秒";
    return name + " 超时 " + (-left).toFixed(0) + " 秒（已等 " + waited.toFixed(0) + " 秒）";
  }

  function timerState(timer) {
    if (!timer) return "";
    if (timer.state === "met" || timer.state === "stopped") return timer.state;
    const {left} = remaining(timer);
    if (left <= 0) return "breached";
    return timer.state === "warning" || left <= 5 ? "warning" : "running";
  }

  function panel(agentId) {
    const root = document.getElementById("conversations");
    const empty = document.getElementById("empty");
    const template = document.getElementById("conversation-template");
    const cards = new Map();

    function card(conversationId) {
      let entry = cards.get(conversationId);
      if (!entry) {
        const node = template.content.firstElementChild.cloneNode(true);
        node.dataset.conversation = conversationId;
        node.querySelector(".cid").textContent = conversationId;
        root.prepend(node);
        entry = {node, timer: null};
        cards.set(conversationId, entry);
        empty.hidden = true;
      }
      return entry;
    }

    function paintTimer(entry) {
      const span = entry.node.querySelector(".timer");
      span.textContent = timerText(entry.timer);
      span.className = "timer " + timerState(entry.timer);
    }

    function showSuggestion(frame) {
      const entry = card(frame.conversation_id);
      const box = entry.node.querySelector(".suggestion");
      // Nothing fits well enough: show nothing rather than a guess.
      box.hidden = frame.intent === "unknown" || frame.replies.length === 0;
      const confidence = Math.round(frame.confidence * 100);
      box.querySelector(".intent").textContent =
        "意图：" + (INTENTS[frame.intent] || frame.intent) + "（" + confidence + "%）";
      const list = box.querySelector(".replies");
      list.replaceChildren(...frame.replies.map((reply) => {
        const item = document.createElement("li");
        item.textContent = reply;
        item.title = "点击复制";
        item.onclick = () => navigator.clipboard && navigator.clipboard.writeText(reply);
        return item;
      }));
    }

    function showLint(frame) {
      const entry = card(frame.conversation_id);
      const box = entry.node.querySelector(".lint");
      box.replaceChildren();
      box.hidden = frame.findings.length === 0;
      for (const finding of frame.findings) {
        const line = document.createElement("div");
        if (finding.phrase) {
          const mark = document.createElement("mark");
          mark.textContent = finding.phrase;
          line.append("「", mark, "」 ");
        }
        line.append(finding.advice);
        if (finding.alternatives && finding.alternatives.length) {
          const list = document.createElement("ul");
          for (const alternative of finding.alternatives) {
            const item = document.createElement("li");
            item.textContent = alternative;
            list.append(item);
          }
          line.append(list);
        }
        box.append(line);
      }
    }

    connect("/ws/agent/" + encodeURIComponent(agentId), (frame) => {
      if (frame.type === "snapshot") {
        for (const c of frame.conversations) { card(c.conversation_id).timer = c.timer; }
      } else if (frame.type === "timer") {
        card(frame.conversation_id).timer = frame;
      } else if (frame.type === "suggestion") {
        showSuggestion(frame);
      } else if (frame.type === "lint") {
        showLint(frame);
      }
      for (const entry of cards.values()) paintTimer(entry);
    });
    setInterval(() => { for (const entry of cards.values()) paintTimer(entry); }, 250);
  }

  function board() {
    const body = document.querySelector("#waits tbody");
    const alerts = document.getElementById("alerts");
    const waits = new Map();

    function paint() {
      const rows = [...waits.entries()]
        .filter(([, w]) => w.timer && w.timer.state !== "met" && w.timer.state !== "stopped")
        .sort(([, a], [, b]) => Date.parse(a.timer.started_at) - Date.parse(b.timer.started_at))
        .map(([id, w]) => {
          const row = document.createElement("tr");
          row.className = timerState(w.timer);
          row.dataset.conversation = id;
          const waited = remaining(w.timer).waited.toFixed(0) + " 秒";
          for (const text of [id, w.agent || "-", timerText(w.timer), waited]) {
            const cell = document.createElement("td");
            cell.textContent = text;
            row.append(cell);
          }
          return row;
        });
      body.replaceChildren(...rows);
    }

    connect("/ws/supervisor?frames=alert,timer", (frame) => {
      if (frame.type === "snapshot") {
        waits.clear();
        for (const c of frame.conversations) waits.set(c.conversation_id, {agent: c.agent_id, timer: c.timer});
      } else if (frame.type === "timer") {
        waits.set(frame.conversation_id, {agent: frame.agent_id, timer: frame});
      } else if (frame.type === "alert") {
        const item = document.createElement("li");
        item.className = frame.kind;
        const when = new Date(frame.at).toLocaleTimeString();
        const waited = frame.waited_s != null ? "，已等 " + frame.waited_s + " 秒" : "";
        item.textContent = when + " " + (KINDS[frame.kind] || frame.kind) + " · " +
          frame.conversation_id + " · 客服 " + (frame.agent_id || "-") + waited;
        alerts.prepend(item);
        while (alerts.children.length > 200) alerts.lastElementChild.remove();
      }
      paint();
    });
    setInterval(paint, 500);
  }

  return {panel, board};
})();
