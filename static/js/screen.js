/* consult: the projector's screen. It follows the meeting over the live channel (a screen
   link's socket authorises by its token, or a signed-in person's by the meeting's rule), swaps
   in the screen fragment the server renders once per change, counts the speaker's time down
   on the server's clock, and goes dark as soon as its link is revoked: a push on revocation,
   and every watch (repeated every few seconds) asks for the token again. */
(function () {
  "use strict";
  var root = document.querySelector(".screen-view");
  if (!root || typeof window.io !== "function") return;
  var meetingId = Number(root.getAttribute("data-meeting-id"));
  var token = root.getAttribute("data-screen-token") || null;
  var status = root.querySelector(".screen-status");
  var offset = 0;
  var dark = false;
  var RECHECK_MS = 5000;

  function version() {
    var panel = document.getElementById("screen-panel");
    return panel ? Number(panel.getAttribute("data-version")) : 0;
  }

  function swapIn(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var fresh = holder.content.firstElementChild;
    var old = document.getElementById("screen-panel");
    if (fresh && old && !dark) { old.replaceWith(fresh); tick(); }
  }

  function resync() {
    fetch(root.getAttribute("data-panel-url"), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 404) { goDark(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) { if (html) swapIn(html); })
      .catch(function () {});
  }

  function goDark() {
    if (dark) return;
    dark = true;
    var panel = document.getElementById("screen-panel");
    if (panel) panel.remove();
    root.classList.add("dark");
    status.textContent = root.getAttribute("data-msg-dark");
    if (socket) socket.disconnect();
  }

  /* ---- the countdown, on the server's clock ---- */
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function fmt(seconds) {
    seconds = Math.abs(Math.round(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return (h ? h + ":" + pad(m) : m) + ":" + pad(s);
  }
  function tick() {
    var countdown = document.querySelector("#screen-panel .countdown-big");
    if (!countdown) return;
    var now = Date.now() + offset;
    var started = Date.parse(countdown.getAttribute("data-started"));
    var pausedAt = countdown.getAttribute("data-paused-at");
    var end = pausedAt ? Date.parse(pausedAt) : now;
    var spoken = (end - started) / 1000 - Number(countdown.getAttribute("data-paused-seconds"));
    var left = Number(countdown.getAttribute("data-limit")) - spoken;
    countdown.textContent = left < 0 ? "+" + fmt(left) + " " + root.getAttribute("data-msg-over") : fmt(left);
    countdown.classList.toggle("overrun", left < 0);
  }
  setInterval(tick, 250);

  /* ---- the live channel ---- */
  var socket = window.io("/live", { transports: ["websocket", "polling"], auth: token ? { screen: token } : {} });
  var recheck = null;

  function watch(first) {
    socket.emit("watch_screen", token ? { token: token } : { meeting: meetingId }, function (answer) {
      if (!answer || !answer.ok) { if (!answer || answer.dark || token) goDark(); return; }
      if (first || Number(answer.version) > version()) resync();
    });
  }

  socket.on("connect", function () {
    status.textContent = "";
    root.classList.remove("reconnecting");
    watch(true);
    var rounds = 0, best = null;
    (function ask() {
      var sent = Date.now();
      socket.emit("clock", {}, function (answer) {
        var back = Date.now();
        if (answer && answer.now && (best === null || back - sent < best)) {
          best = back - sent;
          offset = answer.now - (sent + back) / 2;
        }
        if (++rounds < 3) ask();
      });
    })();
    if (recheck) clearInterval(recheck);
    recheck = setInterval(function () { watch(false); }, RECHECK_MS);
  });
  socket.on("screen-panel", function (payload) {
    if (!payload || Number(payload.meeting) !== meetingId) return;
    if (Number(payload.version) < version()) return;
    swapIn(payload.html);
  });
  socket.on("screen-dark", goDark);
  function lost(reason) {
    if (dark) return;
    if (recheck) { clearInterval(recheck); recheck = null; }
    // Refused at connection (socket.active false): the link no longer works.
    if (!socket.active) { if (token) goDark(); return; }
    root.classList.add("reconnecting");
    status.textContent = root.getAttribute("data-msg-reconnecting");
  }
  socket.on("connect_error", lost);
  socket.on("disconnect", function (reason) {
    if (reason === "io server disconnect" && token) {
      // Dropped by the server: a revoked link. Ask once more over HTTP to be sure.
      resync();
      socket.connect();
      return;
    }
    lost(reason);
  });
  tick();
})();
