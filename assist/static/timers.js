// 坐席助手 — how a timer frame reads on a page. The state (running, warning, breached,
// met) is the server's, from its timer frames; the page only counts the seconds between
// frames, on the server's clock (AssistCommon.serverNow), never deciding a state itself.
"use strict";
const AssistTimers = (() => {
  const {serverNow, seconds} = AssistCommon;
  const WAITING = {greeting: "待问候", reply: "待回复"};
  const DONE = {greeting: "已问候", reply: "已回复"};
  const LATE = {greeting: "问候超时", reply: "回复超时"};

  /** Answered after its deadline: the server says so ("late"), or its instants do. */
  function isLate(timer) {
    if (typeof timer.late === "boolean") return timer.late;
    return Date.parse(timer.at) > Date.parse(timer.deadline);
  }

  /** {text, state} for a timer: state is a CSS class (running|warning|breached|met|late). */
  function describe(timer) {
    if (!timer) return {text: "", state: ""};
    const kind = timer.kind in WAITING ? timer.kind : "reply";
    if (timer.state === "met") {
      if (!isLate(timer)) return {text: DONE[kind], state: "met"};
      const over = (Date.parse(timer.at) - Date.parse(timer.deadline)) / 1000;
      return {text: DONE[kind] + "（晚了 " + seconds(over) + "）", state: "late"};
    }
    if (timer.state === "stopped") return {text: "已结束", state: "stopped"};
    const now = serverNow();
    const left = (Date.parse(timer.deadline) - now) / 1000;
    if (timer.state === "breached") {
      return {text: LATE[kind] + " " + seconds(-left), state: "breached"};
    }
    // running or warning, as the server last said; the deadline may pass a moment before
    // the breached frame arrives, so count down to zero and hold there.
    return {text: WAITING[kind] + " · 剩 " + seconds(Math.max(0, left)), state: timer.state};
  }

  /** Seconds the customer has waited so far (server clock), or the final wait. */
  function waited(timer) {
    if (!timer) return 0;
    if (timer.state === "met" || timer.state === "stopped") return timer.waited_s || 0;
    return Math.max(0, (serverNow() - Date.parse(timer.started_at)) / 1000);
  }

  function isWaiting(timer) {
    return !!timer && ["running", "warning", "breached"].includes(timer.state);
  }

  return {describe, waited, isWaiting, isLate};
})();
