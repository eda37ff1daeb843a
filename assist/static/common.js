// 坐席助手 — what every page shares: the token from the page URL, websocket connections
// that start again from the snapshot, the server's clock, the shop's time zone, labels,
// and copy-to-clipboard that still works inside a chat platform's cross-origin iframe.
"use strict";
const AssistCommon = (() => {
  const params = new URLSearchParams(location.search);
  const TOKEN = params.get("token");
  const zoneMeta = document.querySelector('meta[name="assist-timezone"]');
  const TIMEZONE = (zoneMeta && zoneMeta.content) || "Asia/Shanghai";

  const INTENTS = {greeting: "打招呼", stock: "问库存", sizing: "问尺码", logistics: "问物流",
    bargaining: "议价", returns: "退换货", color_difference: "色差", authenticity: "问正品",
    complaint: "投诉", thanks_bye: "致谢/告别", unknown: "未识别"};
  const ALERTS = {greeting_breach: "欢迎语超时", reply_breach: "回复超时",
    escalation: "等待过久，已升级", negative_phrase: "负面用语", unpaid_order: "订单未付款",
    complaint: "顾客投诉"};
  const RULES = {negative_phrase: "负面用语", impolite: "不礼貌用语", long_message: "回复过长",
    missing_greeting: "缺少问候语", missing_closing: "缺少告别语", slow_typing: "打字偏慢"};

  /** A page-relative URL with the page's own token passed on (links between pages). */
  function withToken(path) {
    if (!TOKEN) return path;
    const url = new URL(path, location.href);
    url.searchParams.set("token", TOKEN);
    return url.pathname + url.search + url.hash;
  }

  /** fetch() with the page's token as a bearer header. */
  function api(path) {
    const headers = TOKEN ? {Authorization: "Bearer " + TOKEN} : {};
    return fetch(path, {headers}).then((response) => {
      if (!response.ok) throw new Error(path + ": HTTP " + response.status);
      return response.json();
    });
  }

  // The server's clock: countdowns use the snapshot's "at" (server now), so a browser
  // whose clock is off still shows the deadline the service enforces.
  let offsetMs = 0;
  function syncClock(serverIso) {
    const server = Date.parse(serverIso);
    if (!Number.isNaN(server)) offsetMs = server - Date.now();
  }
  function serverNow() { return Date.now() + offsetMs; }

  /**
   * Subscribe to a channel; every (re)connect starts with a snapshot frame. Returns a
   * handle whose close() stops reconnecting (the panel switches agents this way).
   */
  function connect(path, onFrame) {
    const status = document.getElementById("status");
    const url = new URL(withToken(path), location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    let delay = 500;
    let socket = null;
    let closed = false;
    function setStatus(text, online) {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("offline", !online);
    }
    function open() {
      socket = new WebSocket(url.href);
      socket.onopen = () => { setStatus("在线", true); delay = 500; };
      socket.onmessage = (message) => {
        const frame = JSON.parse(message.data);
        if (frame.type === "snapshot") syncClock(frame.at);
        onFrame(frame);
      };
      socket.onclose = (event) => {
        if (closed) return;
        const denied = event.code === 4401 || event.code === 4403;
        setStatus(denied ? "无权访问：请检查链接中的 token" : "已断开，重连中…", false);
        setTimeout(open, denied ? 10000 : delay);
        delay = Math.min(delay * 2, 10000);
      };
    }
    setStatus("连接中…", false);
    open();
    return {close() { closed = true; if (socket) socket.close(); }};
  }

  const timeFormat = new Intl.DateTimeFormat("zh-CN", {timeZone: TIMEZONE, hour12: false,
    hour: "2-digit", minute: "2-digit", second: "2-digit"});
  const dateTimeFormat = new Intl.DateTimeFormat("zh-CN", {timeZone: TIMEZONE, hour12: false,
    month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit"});
  /** An ISO instant as the shop's wall clock (today: time only). */
  function shopTime(iso) {
    const instant = new Date(iso);
    if (Number.isNaN(instant.getTime())) return "";
    const sameDay = Math.abs(serverNow() - instant.getTime()) < 12 * 3600 * 1000;
    return (sameDay ? timeFormat : dateTimeFormat).format(instant);
  }

  function seconds(value) {
    const s = Math.max(0, Math.round(value));
    return s < 60 ? s + " 秒" : Math.floor(s / 60) + " 分 " + (s % 60) + " 秒";
  }

  // -- copy ----------------------------------------------------------------------------
  // The Clipboard API is refused inside a cross-origin iframe (as chat platforms embed the
  // panel) unless the embedder allows it; execCommand("copy") on a hidden textarea still
  // works there, within the click that asked for it.
  function copyByCommand(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    area.style.opacity = "0";
    document.body.append(area);
    const selection = document.getSelection();
    const previous = selection && selection.rangeCount ? selection.getRangeAt(0) : null;
    area.select();
    area.setSelectionRange(0, text.length);
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
    area.remove();
    if (previous && selection) { selection.removeAllRanges(); selection.addRange(previous); }
    return ok;
  }

  async function copyText(text) {
    // Synchronous first: it keeps the click's user activation, which the fallback needs.
    if (copyByCommand(text)) return true;
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(text); return true; } catch (error) { /* refused */ }
    }
    return false;
  }

  /** A button that copies ``text`` and says 已复制 (or asks to copy by hand). */
  function copyButton(text, className) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy " + (className || "");
    button.title = "点击复制";
    const body = document.createElement("span");
    body.className = "copy-text";
    body.textContent = text;
    const tip = document.createElement("span");
    tip.className = "copy-tip";
    tip.setAttribute("aria-live", "polite");
    button.append(body, tip);
    button.addEventListener("click", async () => {
      const ok = await copyText(text);
      tip.textContent = ok ? "已复制" : "复制失败，请手动选中复制";
      button.classList.toggle("copied", ok);
      button.classList.toggle("copy-failed", !ok);
      clearTimeout(button._tipTimer);
      button._tipTimer = setTimeout(() => {
        tip.textContent = "";
        button.classList.remove("copied", "copy-failed");
      }, 1800);
    });
    return button;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  return {TOKEN, TIMEZONE, INTENTS, ALERTS, RULES, withToken, api, connect, syncClock,
    serverNow, shopTime, seconds, copyText, copyButton, element};
})();

// Links between pages carry the page's token (loopback mode has none).
document.addEventListener("DOMContentLoaded", () => {
  for (const link of document.querySelectorAll("a[data-keep-token]")) {
    link.href = AssistCommon.withToken(link.getAttribute("href"));
  }
});
