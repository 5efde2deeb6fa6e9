/* consult meetings: the live views (delegate, chair's console, screen).
   The server broadcasts the rendered panel after every change, with the meeting's version;
   this script swaps it in, keeps countdowns on the server's clock, finds "my place", sends a
   presence heartbeat, and resyncs over HTTP after a reconnection or a missed version. */
(function () {
  "use strict";
  var root = document.querySelector(".meeting-live");
  var idHolder = document.querySelector("[data-meeting-id]");
  if (!root || !idHolder || typeof window.htmx === "undefined") return;
  var meetingId = Number(idHolder.getAttribute("data-meeting-id"));
  var view = root.getAttribute("data-view");  // delegate | chair | screen
  var panelId = view === "chair" ? "console-panel" : "live-panel";
  // Under the Chatham House Rule the panel tags delegations by a digest that names nobody.
  var myDelegation = root.getAttribute("data-my-delegation") || document.body.getAttribute("data-delegation-id");
  // The chair and the Secretariat see names: under the Rule their named panel comes separately.
  var named = root.getAttribute("data-named") === "true";
  var offset = 0;  // server clock minus this device's clock, in ms

  function version() {
    var panel = document.getElementById(panelId);
    return panel ? Number(panel.getAttribute("data-version")) : 0;
  }

  function swapIn(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var fresh = holder.content.firstElementChild;
    var old = document.getElementById(panelId);
    if (!fresh || !old) return;
    // Keep focus on the control a chair just used, if it is still there.
    var focused = document.activeElement && document.activeElement.id;
    // A list the chair opened (everyone attending) stays open.
    old.querySelectorAll("details[id][open]").forEach(function (d) {
      var again = fresh.querySelector("details#" + d.id);
      if (again) again.open = true;
    });
    old.replaceWith(fresh);
    window.htmx.process(fresh);
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
    afterSwap();
  }

  function resync() {
    window.htmx.ajax("GET", root.getAttribute("data-panel-url"),
      { target: "#" + panelId, swap: "outerHTML" });
  }

  function onPanel(payload) {
    if (!payload || Number(payload.meeting) !== meetingId) return;
    if (view === "delegate" && named && payload.chatham && !payload.named) return;
    if (Number(payload.version) < version()) return;  // an older state arrived late
    swapIn(payload.html);
  }

  /* ---- my place in the queue (delegate view) ---- */
  // floorOnly: the per-person floor panel itself was just swapped in; only relabel it then,
  // never fetch it again (a fetch loop while the shared panel lags behind).
  function afterSwap(floorOnly) {
    if (view !== "delegate" || !myDelegation) return;
    var entries = document.querySelectorAll("#live-panel .queue-list > li");
    var place = 0;
    for (var i = 0; i < entries.length; i++) {
      if (entries[i].getAttribute("data-delegation-id") === myDelegation) { place = i + 1; entries[i].classList.add("mine"); break; }
    }
    var speaking = document.querySelector("#live-panel .speaker-name[data-delegation-id='" + myDelegation + "']");
    var mine = document.querySelector("#floor-panel [data-my-request]");
    var saysSpeaking = mine && mine.getAttribute("data-speaking") === "true";
    // Our own request panel is per person: fetch it only when our situation changed.
    if (!floorOnly && ((place || speaking) ? (!mine || (speaking && !saysSpeaking)) : !!mine)) {
      window.htmx.ajax("GET", root.getAttribute("data-floor-url"), { target: "#floor-panel", swap: "outerHTML" });
      return;
    }
    var label = document.querySelector("#floor-panel .place");
    if (label && place) label.textContent = label.getAttribute("data-place-text").replace("N", place);
  }
  document.body.addEventListener("htmx:afterSwap", function (evt) {
    if (!evt.target) return;
    if (evt.target.id === "floor-panel") afterSwap(true);
    else if (evt.target.id === panelId) afterSwap(false);
  });

  /* ---- countdowns on the server's clock ---- */
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function fmt(seconds) {
    var sign = seconds < 0 ? "-" : "";
    seconds = Math.abs(Math.round(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return sign + (h ? h + ":" + pad(m) : m) + ":" + pad(s);
  }
  function tick() {
    var now = Date.now() + offset;
    var countdown = document.querySelector("#" + panelId + " .countdown-big");
    if (countdown) {
      var started = Date.parse(countdown.getAttribute("data-started"));
      var pausedAt = countdown.getAttribute("data-paused-at");
      var end = pausedAt ? Date.parse(pausedAt) : now;
      var spoken = (end - started) / 1000 - Number(countdown.getAttribute("data-paused-seconds"));
      var left = Number(countdown.getAttribute("data-limit")) - spoken;
      countdown.textContent = left < 0
        ? fmt(left) + " " + (countdown.getAttribute("data-overrun-text") || "") : fmt(left);
      countdown.classList.toggle("overrun", left < 0);
    }
    var elapsed = document.querySelector("#" + panelId + " .elapsed[data-since]");
    if (elapsed && elapsed.getAttribute("data-since")) {
      var since = Date.parse(elapsed.getAttribute("data-since"));
      elapsed.textContent = fmt(Number(elapsed.getAttribute("data-base")) + (now - since) / 1000);
    }
  }
  setInterval(tick, 250);

  function syncClock(socket) {
    var best = null;
    var rounds = 0;
    (function ask() {
      var sent = Date.now();
      socket.emit("clock", {}, function (answer) {
        var back = Date.now();
        var rtt = back - sent;
        if (answer && (best === null || rtt < best.rtt)) {
          best = { rtt: rtt, offset: answer.now - (sent + back) / 2 };
          offset = best.offset;
        }
        if (++rounds < 3) ask();
      });
    })();
  }

  /* ---- the live channel ---- */
  var heartbeat = null;
  function attach(socket, reconnected) {
    if (!root.hasAttribute("data-attached")) {
      root.setAttribute("data-attached", "");
      socket.on(view === "chair" ? "meeting-console" : "meeting-panel", onPanel);
      if (view === "delegate" && named) socket.on("meeting-panel-named", onPanel);
    }
    // Where the person follows from is what they (or the desk) set, not a form's default.
    socket.emit("watch_meeting", { meeting: meetingId, view: view, presence: null }, function (answer) {
      if (answer && answer.ok && (reconnected || Number(answer.version) !== version())) resync();
    });
    syncClock(socket);
    if (heartbeat) clearInterval(heartbeat);
    if (view !== "screen") {
      heartbeat = setInterval(function () {
        socket.emit("meeting_here", { meeting: meetingId }, function (answer) {
          if (answer && answer.ok && Number(answer.version) > version()) resync();
        });
      }, 30000);
    }
  }
  document.addEventListener("consult:connect", function (evt) {
    attach(evt.detail.socket, evt.detail.reconnected);
  });
  if (window.consult && window.consult.socket && window.consult.socket.connected) {
    attach(window.consult.socket, false);
  }

  /* ---- the chair's keys: one key press per common action ---- */
  if (view === "chair") {
    document.addEventListener("keydown", function (evt) {
      if (evt.ctrlKey || evt.metaKey || evt.altKey) return;
      var tag = (evt.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "textarea" || tag === "select" || evt.target.isContentEditable) return;
      var key = evt.key.toLowerCase();
      if (key === "p" && document.querySelector("#console-panel .countdown-big[data-paused-at]:not([data-paused-at=''])")) {
        key = "resume";
      }
      var button = key === "resume" ? document.querySelector("button[data-action='resume']")
        : document.querySelector("button[data-key='" + key + "']");
      if (button) { evt.preventDefault(); button.click(); }
    });
  }
  afterSwap();
})();
