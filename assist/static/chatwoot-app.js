/* Chatwoot dashboard app: tells the agent panel which conversation Chatwoot shows.
 *
 * Chatwoot shows a dashboard app in an iframe beside the conversation. On the iframe's
 * load, and whenever the app posts the string "chatwoot-dashboard-app:fetch-info" to its
 * parent, Chatwoot posts back JSON.stringify({event: "appContext", data: {conversation,
 * contact, currentAgent}}) — a string. The iframe is not reloaded when the agent switches
 * conversation, so the context is asked for again every few seconds while visible.
 * Each new context becomes a window CustomEvent "assist:context" with
 * {agent_id, conversation_id} in assist's ids (chatwoot:{account}:{id}); the panel listens.
 * Inert outside an iframe. Optional ?chatwoot_origin=https://chat.example.com in the panel
 * URL restricts whose messages are believed (otherwise: only the embedding window's).
 */
(function () {
  "use strict";
  if (window.parent === window) return;

  const FETCH_INFO = "chatwoot-dashboard-app:fetch-info";
  const ASK_EVERY_MS = 3000;
  const allowedOrigin = new URLSearchParams(location.search).get("chatwoot_origin");
  let lastKey = null;

  function idText(value) {
    if (typeof value === "number" && Number.isInteger(value) && value >= 0) return String(value);
    if (typeof value === "string" && /^[A-Za-z0-9_-]{1,40}$/.test(value)) return value;
    return null;
  }

  /* Whose panel shows the conversation: its assignee (frames follow the assigned agent),
   * else the agent looking at it. */
  function contextOf(data) {
    const conversation = data.conversation || {};
    const account = idText(conversation.account_id);
    if (account === null) return null;
    const number = idText(conversation.id);
    const assignee = (conversation.meta || {}).assignee;
    const person = assignee && assignee.type !== "agent_bot" ? idText(assignee.id) : null;
    const user = person !== null ? person : idText((data.currentAgent || {}).id);
    return {
      agent_id: user === null ? null : "chatwoot:" + account + ":" + user,
      conversation_id: number === null ? null : "chatwoot:" + account + ":" + number,
    };
  }

  function onMessage(event) {
    if (event.source !== window.parent) return;
    if (allowedOrigin && event.origin !== allowedOrigin) return;
    if (typeof event.data !== "string") return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (!message || message.event !== "appContext" || !message.data) return;
    const detail = contextOf(message.data);
    if (detail === null) return;
    const key = detail.agent_id + "|" + detail.conversation_id;
    if (key === lastKey) return;
    lastKey = key;
    window.AssistChatwoot.context = detail;
    window.dispatchEvent(new CustomEvent("assist:context", {detail: detail}));
  }

  function ask() {
    if (document.visibilityState === "hidden") return;
    window.parent.postMessage(FETCH_INFO, "*");
  }

  window.AssistChatwoot = {context: null, ask: ask};
  window.addEventListener("message", onMessage);
  document.addEventListener("visibilitychange", ask);
  window.addEventListener("focus", ask);
  ask();
  setInterval(ask, ASK_EVERY_MS);
})();
