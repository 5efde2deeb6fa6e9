/* consult meetings: the agenda page, kept up to date while it is open.
   After every change the server broadcasts the agenda as everyone sees it, with the meeting's
   version and a notice. This page swaps it in, keeps its own papers and documents (the
   [data-personal] blocks, which depend on who looks), reads the notice out, and re-fetches
   over HTTP when it is a chair's page (its buttons are the chair's) or after a reconnection. */
(function () {
  "use strict";
  var holder = document.querySelector("[data-meeting-id]");
  if (!holder || !document.getElementById("agenda")) return;
  var meetingId = Number(holder.getAttribute("data-meeting-id"));

  function agenda() { return document.getElementById("agenda"); }
  function version() { var a = agenda(); return a ? Number(a.getAttribute("data-version")) : 0; }
  function say(text) {
    var region = document.getElementById("agenda-announce");
    if (region && text) region.textContent = text;
  }

  function refetch(notice) {
    var old = agenda();
    if (!old || typeof window.htmx === "undefined") return;
    window.htmx.ajax("GET", old.getAttribute("data-agenda-url"), { target: "#agenda", swap: "outerHTML" })
      .then(function () { say(notice); });
  }

  function swapIn(html, notice) {
    var old = agenda();
    var box = document.createElement("template");
    box.innerHTML = html.trim();
    var fresh = box.content.firstElementChild;
    if (!old || !fresh) return;
    // What this person may see of each item stays: the broadcast carries nobody's.
    fresh.querySelectorAll("[data-personal]").forEach(function (slot) {
      var mine = old.querySelector("[data-personal='" + slot.getAttribute("data-personal") + "']");
      if (mine) slot.replaceWith(mine);
    });
    ["data-agenda-url", "data-manages"].forEach(function (name) {
      if (old.hasAttribute(name)) fresh.setAttribute(name, old.getAttribute(name));
    });
    var focused = document.activeElement && old.contains(document.activeElement);
    old.replaceWith(fresh);
    if (focused) { fresh.setAttribute("tabindex", "-1"); fresh.focus(); }
    say(notice);
  }

  function onAgenda(payload) {
    if (!payload || Number(payload.meeting) !== meetingId) return;
    if (Number(payload.version) < version()) return;  // an older state arrived late
    var old = agenda();
    if (old && old.getAttribute("data-manages") === "true") refetch(payload.notice);
    else swapIn(payload.html, payload.notice);
  }

  var attached = false;
  function attach(socket, reconnected) {
    if (!attached) { attached = true; socket.on("meeting-agenda", onAgenda); }
    socket.emit("watch_meeting", { meeting: meetingId, view: "agenda" }, function (answer) {
      if (answer && answer.ok && (reconnected || Number(answer.version) !== version())) refetch("");
    });
  }
  document.addEventListener("consult:connect", function (evt) {
    attach(evt.detail.socket, evt.detail.reconnected);
  });
  if (window.consult && window.consult.socket && window.consult.socket.connected) {
    attach(window.consult.socket, false);
  }
})();
