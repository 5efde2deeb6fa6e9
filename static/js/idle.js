/* consult: the warning before the confidential idle limit (WCAG 2.2.1 Timing Adjustable).
   `data-warn` seconds before the limit, a non-modal alert dialog says when the session will ask
   for a fresh sign-in and offers one action, "Stay signed in", which asks the server to renew
   the idle clock (it refuses once the limit has passed or the session has ended). Focus goes to
   that button and comes back to where the person was typing. Before warning, the server is
   asked how much time is really left: activity in another tab counts. */
(function () {
  "use strict";
  var guard = document.querySelector("[data-idle-guard]");
  if (!guard || !window.fetch) return;

  var dialog = guard.querySelector("[role='alertdialog']");
  var soon = guard.querySelector("[data-idle-soon]");
  var ended = guard.querySelector("[data-idle-ended]");
  var sentence = guard.querySelector("[data-idle-text]");
  var countdown = guard.querySelector("[data-idle-countdown]");
  var stay = guard.querySelector("[data-idle-stay]");
  var close = guard.querySelector("[data-idle-close]");
  var error = guard.querySelector("[data-idle-error]");
  var status = guard.querySelector("[data-idle-status]");
  var url = guard.getAttribute("data-url");
  var warn = Number(guard.getAttribute("data-warn")) || 120;
  var deadline = Date.now() + Number(guard.getAttribute("data-remaining")) * 1000;
  var timer = null;
  var ticker = null;
  var before = null;
  var over = false;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  // The answer, or {remaining: 0} when the session has ended (the server then redirects to
  // the sign-in page; a manual redirect shows up as an "opaqueredirect"), or null offline.
  function ask(method) {
    var headers = { Accept: "application/json" };
    if (method === "POST") headers["X-CSRFToken"] = csrfToken();
    return fetch(url, {
      method: method,
      headers: headers,
      credentials: "same-origin",
      redirect: "manual",
      cache: "no-store"
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 0) {
        return { remaining: 0, extended: false };
      }
      if (!response.ok) return null;
      return response.json();
    }).catch(function () { return null; });
  }

  function secondsLeft() {
    return Math.max(0, Math.round((deadline - Date.now()) / 1000));
  }

  function mmss(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function schedule() {
    window.clearTimeout(timer);
    if (over) return;
    timer = window.setTimeout(check, Math.max(0, deadline - warn * 1000 - Date.now()));
  }

  function check() {
    ask("GET").then(function (answer) {
      if (answer && typeof answer.remaining === "number") {
        deadline = Date.now() + answer.remaining * 1000;
        if (answer.remaining <= 0) { end(); return; }
        if (answer.remaining > warn + 1) { schedule(); return; }
      }
      show();
    });
  }

  function update() {
    var left = secondsLeft();
    countdown.textContent = "(" + mmss(left) + ")";
    if (left <= 0) check();
  }

  function open() {
    if (!dialog.hidden) return;
    before = document.activeElement;
    dialog.hidden = false;
  }

  function show() {
    if (over) return;
    // 24-hour, in the page's language, as consult.dates writes times (never "10:04 PM").
    var clock = new Date(deadline).toLocaleTimeString(document.documentElement.lang || "en",
      { hour: "2-digit", minute: "2-digit", hour12: false });
    var template = guard.getAttribute("data-msg-soon");
    if (template) sentence.textContent = template.replace("{time}", clock);
    error.textContent = "";
    soon.hidden = false;
    ended.hidden = true;
    open();
    update();
    window.clearInterval(ticker);
    ticker = window.setInterval(update, 1000);
    stay.focus();
  }

  function end() {
    over = true;
    window.clearInterval(ticker);
    window.clearTimeout(timer);
    var wasOpen = !dialog.hidden;
    soon.hidden = true;
    ended.hidden = false;
    open();
    if (wasOpen || dialog.contains(document.activeElement)) close.focus();
  }

  function hide() {
    window.clearInterval(ticker);
    dialog.hidden = true;
    if (before && document.contains(before) && before.focus) before.focus();
    before = null;
  }

  function doStay() {
    stay.disabled = true;
    ask("POST").then(function (answer) {
      stay.disabled = false;
      if (answer && answer.extended) {
        deadline = Date.now() + answer.remaining * 1000;
        hide();
        status.textContent = "";
        window.setTimeout(function () {
          status.textContent = guard.getAttribute("data-msg-stayed") || "";
        }, 50);
        schedule();
      } else if (answer) {
        end();
      } else {
        error.textContent = guard.getAttribute("data-msg-failed") || "";
      }
    });
  }

  stay.addEventListener("click", doStay);
  close.addEventListener("click", hide);
  dialog.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") return;
    evt.preventDefault();
    if (over) hide(); else doStay();  // closing the warning means staying
  });
  // Timers sleep in background tabs: look again when the page is shown.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !over) {
      if (deadline - Date.now() <= warn * 1000) check(); else schedule();
    }
  });
  schedule();
})();
