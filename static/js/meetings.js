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

  /* A live region must stay in place for a screen reader to announce what changes in it:
     the fresh panel is merged into the old one, the [data-live] regions keep their element
     and only their content changes; everything else is replaced. */
  function hasLive(el) { return el.hasAttribute("data-live") || !!el.querySelector("[data-live]"); }
  function syncAttributes(old, fresh) {
    var i;
    for (i = old.attributes.length - 1; i >= 0; i--) {
      if (!fresh.hasAttribute(old.attributes[i].name)) old.removeAttribute(old.attributes[i].name);
    }
    for (i = 0; i < fresh.attributes.length; i++) {
      if (old.getAttribute(fresh.attributes[i].name) !== fresh.attributes[i].value) {
        old.setAttribute(fresh.attributes[i].name, fresh.attributes[i].value);
      }
    }
  }
  function morph(old, fresh) {
    syncAttributes(old, fresh);
    if (old.hasAttribute("data-live")) {
      if (old.innerHTML !== fresh.innerHTML) old.innerHTML = fresh.innerHTML;
      return;
    }
    var olds = Array.prototype.slice.call(old.children);
    var used = [];
    var fresh_ = Array.prototype.slice.call(fresh.children);
    var last = null;
    fresh_.forEach(function (f, index) {
      var match = null;
      if (hasLive(f)) {
        match = f.id ? olds.filter(function (o) { return o.id === f.id; })[0]
          : olds.filter(function (o, k) { return k === index && o.tagName === f.tagName && !o.id; })[0];
      }
      if (match && used.indexOf(match) < 0 && match.tagName === f.tagName) {
        used.push(match);
        morph(match, f);
        if (last ? last.nextElementSibling !== match : old.firstElementChild !== match) {
          if (last) last.after(match); else old.prepend(match);
        }
        last = match;
      } else {
        if (last) last.after(f); else old.prepend(f);
        last = f;
      }
    });
    olds.forEach(function (o) { if (used.indexOf(o) < 0) o.remove(); });
  }

  /* Focus across a swap: the same control if it is still there; else the same kind of
     button in the row that took the place of the one that went (or the last row); else the
     console's main control. A question to confirm takes focus; once answered, the control
     that asked gets it back. */
  function focusState() {
    var el = document.activeElement;
    var panel = document.getElementById(panelId);
    if (!el || el === document.body) return null;
    var row = el.closest && el.closest("[data-row]");
    return {
      id: el.id, inPanel: !!(panel && panel.contains(el)), role: el.getAttribute("data-role"),
      row: row ? Number(row.getAttribute("data-row")) : null, el: el
    };
  }
  function restoreFocus(before, asked, back) {
    var panel = document.getElementById(panelId);
    var confirm = panel && panel.querySelector("#console-ask [data-confirm]");
    if (confirm && asked) { confirm.focus(); return; }
    if (!before) return;
    if (before.el.isConnected && !before.el.closest("[hidden]")) {
      if (document.activeElement !== before.el) before.el.focus();
      return;
    }
    var again = before.id && document.getElementById(before.id);
    if (again && !again.closest("[hidden]")) { again.focus(); return; }
    if (before.role && before.row !== null && panel) {
      var rows = panel.querySelectorAll("[data-focus-list] [data-row]");
      if (rows.length) {
        var row = rows[Math.min(before.row, rows.length - 1)];
        var same = row.querySelector("[data-role='" + before.role + "']");
        if (same) { same.focus(); return; }
      }
    }
    if (view === "chair" && (before.inPanel || before.id)) {
      var asker = back && document.getElementById(back);
      var main = asker && !asker.closest("[hidden]") ? asker : document.getElementById("control-give-floor");
      if (main) main.focus();
    }
  }
  var returnTo = null;  // the control whose question is open

  function announce(panel) {
    var result = panel.querySelector("[data-result]");
    if (!result) return;
    var box = document.getElementById("flashes");
    if (box && result.innerHTML.trim()) box.innerHTML = result.innerHTML;
    result.remove();
  }

  function swapIn(html, fromSocket) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var fresh = holder.content.firstElementChild;
    var old = document.getElementById(panelId);
    if (!fresh || !old) return;
    var before = focusState();
    var ask = old.querySelector("#console-ask");
    var keepAsk = fromSocket && ask && ask.children.length;
    // A list the chair opened (everyone attending) stays open.
    old.querySelectorAll("details[id][open]").forEach(function (d) {
      var again = fresh.querySelector("details#" + d.id);
      if (again) again.open = true;
    });
    morph(old, fresh);
    if (keepAsk) {
      // Another chair's change arrived while this chair's question is open: keep it (its
      // confirmation is refused if the floor moved on meanwhile, with the reason).
      var empty = old.querySelector("#console-ask");
      if (empty) empty.replaceWith(ask);
    }
    window.htmx.process(old);
    announce(old);
    var asked = !fromSocket && !!old.querySelector("#console-ask [data-confirm]");
    var back = returnTo;
    if (!asked && !keepAsk) returnTo = null;
    restoreFocus(before, asked, back);
    afterSwap();
    syncControls();
  }

  /* ---- the chair's controls: toggles and the action token ---- */
  function syncControls() {
    if (view !== "chair") return;
    var panel = document.getElementById(panelId);
    if (!panel) return;
    var pairs = [["pause", "resume", panel.getAttribute("data-paused") === "true"],
                 ["close-list", "reopen-list", panel.getAttribute("data-list-closed") === "true"]];
    pairs.forEach(function (pair) {
      var off = document.querySelector("form[data-control='" + pair[0] + "']");
      var on = document.querySelector("form[data-control='" + pair[1] + "']");
      if (!off || !on) return;
      var hadFocus = off.contains(document.activeElement) || on.contains(document.activeElement);
      off.hidden = pair[2];
      on.hidden = !pair[2];
      if (hadFocus) (pair[2] ? on : off).querySelector("button").focus();
    });
    var token = panel.getAttribute("data-token");
    var inputs = document.querySelectorAll(".console input[name='after']");
    for (var i = 0; i < inputs.length; i++) inputs[i].value = token;
  }
  document.body.addEventListener("htmx:configRequest", function (evt) {
    var panel = view === "chair" && document.getElementById(panelId);
    if (panel && evt.detail.verb !== "get" && evt.detail.path.indexOf("/undo") < 0) {
      evt.detail.parameters["after"] = panel.getAttribute("data-token");
    }
    var src = evt.detail.elt;
    if (src && src.closest && src.closest(".console-controls, .chair-queue") && !src.closest("#console-ask")) {
      var button = src.tagName === "FORM" ? src.querySelector("button") : src;
      if (button && button.id) returnTo = button.id;
    }
  });
  // Our own swap for the panels, so that live regions stay in place (htmx would replace them).
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!target || target.id !== panelId) return;
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    if (status !== 200 && status !== 422) return;
    evt.detail.shouldSwap = false;
    swapIn(evt.detail.serverResponse, false);
  });

  function resync() {
    window.htmx.ajax("GET", root.getAttribute("data-panel-url"),
      { target: "#" + panelId, swap: "outerHTML" });
  }

  function onPanel(payload) {
    if (!payload || Number(payload.meeting) !== meetingId) return;
    if (view === "delegate" && named && payload.chatham && !payload.named) return;
    if (Number(payload.version) < version()) return;  // an older state arrived late
    swapIn(payload.html, true);
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
  var lastAnnounced = "";
  function announceFloor() {
    var region = document.getElementById("floor-announce");
    var said = document.querySelector("#floor-panel [data-announce]");
    var text = said ? said.textContent.trim() : "";
    if (region && text !== lastAnnounced) { region.textContent = text; lastAnnounced = text; }
  }
  document.body.addEventListener("htmx:afterSwap", function (evt) {
    if (!evt.target) return;
    if (evt.target.id === "floor-panel") { afterSwap(true); announceFloor(); }
    else if (evt.target.id === panelId) afterSwap(false);
  });

  /* ---- countdowns on the server's clock ---- */
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function fmt(seconds) {
    var sign = seconds < 0 ? "+" : "";
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
        ? (countdown.getAttribute("data-overrun-text") || "{time}").replace("{time}", fmt(left)) : fmt(left);
      countdown.classList.toggle("overrun", left < 0);
    }
    var elapsed = document.querySelector("#" + panelId + " .elapsed[data-since]");
    if (elapsed && elapsed.getAttribute("data-since")) {
      var since = Date.parse(elapsed.getAttribute("data-since"));
      elapsed.textContent = fmt(Math.max(0, Number(elapsed.getAttribute("data-base")) + (now - since) / 1000));
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

  /* ---- the chair's keys: one key press per common action ----
     Only while focus is inside the console's controls (the buttons, the list, the question),
     never in a text field, and only when the chair has not turned them off (WCAG 2.1.4). */
  if (view === "chair") {
    var toggle = document.getElementById("shortcuts-on");
    var STORE = "consult.console.shortcuts";
    var enabled = true;
    try { enabled = window.localStorage.getItem(STORE) !== "off"; } catch (e) { enabled = true; }
    if (toggle) {
      toggle.checked = enabled;
      toggle.addEventListener("change", function () {
        enabled = toggle.checked;
        try { window.localStorage.setItem(STORE, enabled ? "on" : "off"); } catch (e) { /* private mode */ }
      });
    }
    document.addEventListener("keydown", function (evt) {
      if (evt.ctrlKey || evt.metaKey || evt.altKey) return;
      var target = evt.target;
      var ask = document.querySelector("#console-ask [data-ask]");
      if (evt.key === "Escape" && ask) {
        evt.preventDefault();
        ask.remove();
        var back = returnTo && document.getElementById(returnTo);
        (back || document.getElementById("control-give-floor")).focus();
        returnTo = null;
        return;
      }
      if (!enabled) return;
      var scope = target.closest && target.closest("#console-controls, .chair-queue, #console-ask, .undo-bar, .give-back");
      if (!scope) return;
      var tag = (target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable) return;
      var key = evt.key.toLowerCase();
      if (key.length !== 1) return;
      var button = null;
      if (ask) {
        // The second press of the key that asked confirms (as Enter does on the focused button).
        var asking = document.querySelector("button[data-action='" + ask.getAttribute("data-ask") + "'][data-key='" + key + "']");
        if (asking || (ask.getAttribute("data-ask") === "remove" && key === "x")) {
          button = ask.querySelector("[data-confirm]");
        }
      }
      if (!button) {
        var candidates = document.querySelectorAll("[data-key='" + key + "']");
        for (var i = 0; i < candidates.length; i++) {
          if (!candidates[i].closest("[hidden]")) { button = candidates[i]; break; }
        }
      }
      if (button) { evt.preventDefault(); button.click(); }
    });
    document.addEventListener("click", function (evt) {
      var cancel = evt.target.closest && evt.target.closest("#console-ask [data-cancel]");
      if (!cancel) return;
      evt.preventDefault();
      cancel.closest("[data-ask]").remove();
      var back = returnTo && document.getElementById(returnTo);
      (back || document.getElementById("control-give-floor")).focus();
      returnTo = null;
    });
    // The Undo bar goes when its 30 seconds are up (the server refuses a late undo anyway).
    setInterval(function () {
      var bar = document.querySelector("#console-panel .undo-bar[data-until]");
      if (bar && Date.now() + offset > Number(bar.getAttribute("data-until"))) {
        var focused = bar.contains(document.activeElement);
        bar.remove();
        if (focused) document.getElementById("control-give-floor").focus();
      }
    }, 1000);
    syncControls();
  }
  afterSwap();
})();
