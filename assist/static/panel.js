// 坐席助手 — the agent side panel (360 px wide, often inside a chat platform's iframe).
// One card per open conversation: what the customer wrote, the countdown, lint advice on
// the agent's last message and suggested replies. The snapshot makes it whole after a
// reload; closed or transferred conversations leave.
"use strict";
const AssistPanel = (() => {
  const {INTENTS, RULES, connect, copyButton, element, shopTime} = AssistCommon;
  const {describe} = AssistTimers;

  function plainAdvice(text) {
    // Rule files cite the shop handbook (§七.11); an agent needs the advice, not the citation.
    return (text || "").replace(/\s*[（(]§[^）)]*[）)]/g, "");
  }

  function start(initialAgent) {
    const root = document.getElementById("conversations");
    const empty = document.getElementById("empty");
    const who = document.getElementById("who");
    const cards = new Map();
    // Conversations that left (closed / transferred away): late lint for them is dropped;
    // a customer writing again (timer or suggestion) brings the conversation back.
    const gone = new Set();
    let agentId = initialAgent;
    let focusedId = null;
    let channel = null;

    function card(conversationId) {
      let entry = cards.get(conversationId);
      if (!entry) {
        const node = document.getElementById("conversation-template")
          .content.firstElementChild.cloneNode(true);
        node.dataset.conversation = conversationId;
        node.querySelector(".cid").textContent = conversationId;
        node.querySelector(".cid").title = conversationId;
        root.prepend(node);
        entry = {node, timer: null};
        cards.set(conversationId, entry);
      }
      return entry;
    }

    function remove(conversationId) {
      const entry = cards.get(conversationId);
      if (entry) { entry.node.remove(); cards.delete(conversationId); }
      refreshEmpty();
    }

    function refreshEmpty() {
      empty.hidden = cards.size > 0;
      if (focusedId && cards.has(focusedId)) {
        const node = cards.get(focusedId).node;
        if (root.firstElementChild !== node) root.prepend(node);
      }
      for (const [id, entry] of cards) entry.node.classList.toggle("focused", id === focusedId);
    }

    function paintTimer(entry) {
      const badge = entry.node.querySelector(".timer");
      const {text, state} = describe(entry.timer);
      if (badge.textContent !== text) badge.textContent = text;
      badge.className = "timer " + state;
      entry.node.dataset.state = state;
    }

    function showCustomer(entry, message, customerId) {
      if (customerId) entry.node.querySelector(".customer-id").textContent = "顾客 " + customerId;
      if (!message || message.text == null) return;
      const box = entry.node.querySelector(".customer");
      box.hidden = false;
      box.querySelector(".said").textContent = message.text;
      box.querySelector(".when").textContent = message.at ? shopTime(message.at) : "";
    }

    function showSuggestion(entry, frame) {
      const box = entry.node.querySelector(".suggestion");
      // Nothing fits well enough: show nothing rather than a guess.
      box.hidden = !frame || frame.intent === "unknown" || !frame.replies || !frame.replies.length;
      if (box.hidden) return;
      box.querySelector(".intent").textContent =
        "识别为「" + (INTENTS[frame.intent] || frame.intent) + "」· 把握 " +
        Math.round(frame.confidence * 100) + "%　点击回复即可复制";
      const list = box.querySelector(".replies");
      list.replaceChildren(...frame.replies.map((reply) => {
        const item = element("li");
        item.append(copyButton(reply, "reply"));
        return item;
      }));
    }

    function showLint(entry, frame) {
      const box = entry.node.querySelector(".lint");
      box.replaceChildren();
      const findings = (frame && frame.findings) || [];
      box.hidden = findings.length === 0;
      for (const finding of findings) {
        const line = element("div", "finding " + (finding.severity || ""));
        const head = element("p", "finding-head");
        head.append(element("strong", null, RULES[finding.rule] || "提醒"));
        if (finding.phrase) {
          head.append("：「", element("mark", null, finding.phrase), "」");
        }
        line.append(head, element("p", "advice", plainAdvice(finding.advice)));
        const alternatives = finding.alternatives || [];
        if (alternatives.length) {
          line.append(element("p", "alt-title", "可以这样说（点击复制）："));
          const list = element("ul", "alternatives");
          for (const text of alternatives) {
            const item = element("li");
            item.append(copyButton(text, "alternative"));
            list.append(item);
          }
          line.append(list);
        }
        box.append(line);
      }
    }

    function fromSnapshot(view) {
      const entry = card(view.conversation_id);
      entry.timer = view.timer;
      showCustomer(entry, view.last_customer_message, view.customer_id);
      if (view.suggestion) showSuggestion(entry, view.suggestion);
      if (view.lint) showLint(entry, view.lint);
    }

    function onFrame(frame) {
      switch (frame.type) {
        case "snapshot":
          for (const entry of cards.values()) entry.node.remove();
          cards.clear();
          gone.clear();
          // oldest first, so the newest ends on top (cards are prepended)
          for (const view of frame.conversations || []) fromSnapshot(view);
          break;
        case "timer":
          if (frame.state === "stopped") { remove(frame.conversation_id); return; }
          if (frame.state === "met" && gone.has(frame.conversation_id)) return;
          gone.delete(frame.conversation_id);
          card(frame.conversation_id).timer = frame;
          break;
        case "conversation":
          gone.add(frame.conversation_id);
          remove(frame.conversation_id);
          return;
        case "suggestion": {
          // Computed by a worker, a suggestion may arrive after its conversation left;
          // a conversation that comes back starts a new wait (a timer frame) first.
          if (gone.has(frame.conversation_id)) return;
          const entry = card(frame.conversation_id);
          showCustomer(entry, frame.text != null ? {text: frame.text, at: frame.at} : null);
          showSuggestion(entry, frame);
          break;
        }
        case "lint":
          if (gone.has(frame.conversation_id)) return;
          showLint(card(frame.conversation_id), frame);
          break;
        default:
          return;
      }
      for (const entry of cards.values()) paintTimer(entry);
      refreshEmpty();
    }

    function subscribe(agent) {
      if (channel) channel.close();
      for (const entry of cards.values()) entry.node.remove();
      cards.clear();
      refreshEmpty();
      agentId = agent;
      who.textContent = agent;
      who.title = agent;
      document.title = "坐席助手 · " + agent;
      channel = connect("/ws/agent/" + encodeURIComponent(agent), onFrame);
    }

    // The chat platform tells the panel which agent and conversation are on screen
    // (static/chatwoot-app.js dispatches it; CONTRACTS.md "Panel focus hook").
    window.addEventListener("assist:context", (event) => {
      const detail = event.detail || {};
      if (detail.agent_id && detail.agent_id !== agentId) subscribe(detail.agent_id);
      focusedId = detail.conversation_id || null;
      refreshEmpty();
    });

    subscribe(agentId);
    setInterval(() => { for (const entry of cards.values()) paintTimer(entry); }, 250);
  }

  return {start, plainAdvice};
})();
