/* consult: the little script every page loads (deferred, after htmx and, when signed in,
   the Socket.IO client). No inline script is allowed by the CSP, so all behaviour is here.
   The live channel only signals; what a page shows is always re-fetched over HTTP, where the
   server's access policy applies. See docs/ui.md. */
(function () {
  "use strict";

  // UI words come from the page (data-msg-* on <body>, translated by the server); English is
  // only the fallback.
  function text(key, fallback) {
    return (document.body && document.body.dataset["msg" + key]) || fallback;
  }

  var body = document.body;
  var hasHtmx = typeof window.htmx !== "undefined";

  function roomsChanged() {
    // The dashboard's #my-rooms listens with hx-trigger="rooms-changed from:body".
    if (hasHtmx) window.htmx.trigger(body, "rooms-changed");
  }

  function currentRoom() {
    var header = document.querySelector("[data-room-id]");
    return header ? header.getAttribute("data-room-id") : null;
  }

  function sameRoom(data) {
    return data && data.room != null && String(data.room) === currentRoom();
  }

  /* ---- On a phone the navigation folds behind a Menu button (shown only with this script) ---- */
  (function () {
    var toggle = document.querySelector(".nav-toggle");
    var header = document.querySelector(".site-header");
    if (!toggle || !header) return;
    header.classList.add("nav-collapsible");
    toggle.hidden = false;
    function set(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("nav-open", open); // the search box folds with the menu
    }
    toggle.addEventListener("click", function () {
      set(toggle.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (evt) {
      if (evt.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        set(false);
        toggle.focus();
      }
    });
  })();

  /* ---- Connection state, shown in a polite live region in the header ---- */
  var statusEl = null;

  function setStatus(state, text) {
    if (!statusEl) {
      // Created with its first text already in place, so a screen reader is not told
      // "connected" on every page load; later changes are announced.
      statusEl = document.createElement("p");
      statusEl.className = "live-status";
      statusEl.setAttribute("role", "status");
      statusEl.setAttribute("aria-live", "polite");
      statusEl.setAttribute("data-state", state);
      statusEl.textContent = text;
      // The projector view hides the header; its status stays on screen, in a corner.
      (document.querySelector(".screen-view") || document.querySelector(".site-header") || body)
        .appendChild(statusEl);
      return;
    }
    if (statusEl.getAttribute("data-state") === state) return;
    statusEl.setAttribute("data-state", state);
    statusEl.textContent = text;
  }

  /* ---- The members panel of a room page ---- */
  function refreshMembers() {
    var box = document.getElementById("members");
    if (!box || !hasHtmx) return;
    if (box.contains(document.activeElement)) {
      // A chair may be typing in the panel; refresh once they leave it, not under their hands.
      if (box.hasAttribute("data-refresh-pending")) return;
      box.setAttribute("data-refresh-pending", "");
      box.addEventListener("focusout", function later() {
        setTimeout(function () {
          if (box.isConnected && !box.contains(document.activeElement)) {
            box.removeEventListener("focusout", later);
            window.htmx.trigger(box, "refresh");
          }
        }, 0);
      });
      return;
    }
    window.htmx.trigger(box, "refresh");
  }

  /* ---- Live updates (signed-in pages only) ---- */
  if (body.getAttribute("data-signed-in") === "true" && typeof window.io === "function") {
    var socket = window.io("/live", { transports: ["websocket", "polling"] });
    var connectedBefore = false;

    // Page scripts (papers.js ...) find the channel here and hear of every (re)connection.
    window.consult = { socket: socket };
    socket.on("connect", function () {
      setStatus("connected", text("Connected", "Live updates: connected"));
      // After a reconnection, events may have been missed: resync what the page shows.
      if (connectedBefore) roomsChanged();
      document.dispatchEvent(new CustomEvent("consult:connect",
        { detail: { socket: socket, reconnected: connectedBefore } }));
      connectedBefore = true;
    });
    var lost = function () {
      // socket.active is false once the server refused or closed the channel: no retry then.
      if (socket.active) setStatus("reconnecting", text("Reconnecting", "Reconnecting…"));
      else setStatus("paused", text("Paused", "Live updates paused"));
    };
    socket.on("disconnect", lost);
    socket.on("connect_error", lost);
    socket.io.on("reconnect_attempt", lost);
    socket.io.on("reconnect_failed", function () {
      setStatus("paused", text("Paused", "Live updates paused"));
    });

    socket.on("rooms-changed", roomsChanged);
    socket.on("notifications-changed", function () {
      if (hasHtmx) window.htmx.trigger(body, "notifications-changed");
    });
    socket.on("access-changed", function (data) {
      socket.emit("recheck");
      roomsChanged();
      // Reload rather than patch: if access is gone, the server answers 404 and shows nothing.
      if (sameRoom(data)) window.location.reload();
    });
    socket.on("join-requests-changed", function (data) {
      if (!data || data.room == null || sameRoom(data)) refreshMembers();
    });
  }

  /* ---- Landing: a notification's link (…#comment-12) opens the thing highlighted and focused ---- */
  function land() {
    var id = window.location.hash ? decodeURIComponent(window.location.hash.slice(1)) : "";
    // Only what notifications point at (not #main of the skip link, nor a page's own anchors).
    if (!/^(comment|post|join-request)-\d+$/.test(id)) return;
    var el = document.getElementById(id);
    if (!el) return;
    // A folded <details> around it (replies, a history) is opened first.
    for (var n = el.parentElement; n; n = n.parentElement) {
      if (n.tagName === "DETAILS") n.open = true;
    }
    var old = document.querySelectorAll(".landed");
    for (var i = 0; i < old.length; i++) old[i].classList.remove("landed");
    el.classList.add("landed");
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus();
    el.scrollIntoView({ block: "center" });
  }
  land();
  window.addEventListener("hashchange", land);

  /* ---- @mentions: suggestions under a comment or post box (keyboard: arrows, Enter, Escape) ---- */
  (function () {
    var boxes = document.querySelectorAll("textarea[data-mentions]");
    var counter = 0;
    function setUp(area) {
      if (area.hasAttribute("data-mentions-ready")) return;
      area.setAttribute("data-mentions-ready", "");
      var listId = "mentions-" + (++counter);
      var list = document.createElement("ul");
      list.id = listId;
      list.className = "mention-list";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", text("Mentions", "People you can mention"));
      list.hidden = true;
      area.parentNode.insertBefore(list, area.nextSibling);
      area.setAttribute("aria-autocomplete", "list");
      area.setAttribute("aria-controls", listId);
      var people = [], active = -1, start = -1, timer = null, asked = 0;

      function close() {
        list.hidden = true;
        list.textContent = "";
        people = [];
        active = -1;
        area.removeAttribute("aria-activedescendant");
      }
      function mark(index) {
        active = index;
        var items = list.children;
        for (var i = 0; i < items.length; i++) {
          items[i].setAttribute("aria-selected", i === index ? "true" : "false");
        }
        if (index >= 0) area.setAttribute("aria-activedescendant", items[index].id);
        else area.removeAttribute("aria-activedescendant");
      }
      function choose(index) {
        var person = people[index];
        if (!person || start < 0) return;
        var before = area.value.slice(0, start);
        var after = area.value.slice(area.selectionStart);
        var token = "@[" + person.name + "] ";
        area.value = before + token + after;
        var at = before.length + token.length;
        area.setSelectionRange(at, at);
        close();
        area.focus();
      }
      function show(found) {
        people = found;
        list.textContent = "";
        if (!found.length) { close(); return; }
        found.forEach(function (person, i) {
          var li = document.createElement("li");
          li.id = listId + "-" + i;
          li.setAttribute("role", "option");
          li.textContent = person.label;
          li.addEventListener("mousedown", function (evt) { evt.preventDefault(); choose(i); });
          list.appendChild(li);
        });
        list.hidden = false;
        mark(0);
      }
      function query() {
        // The word being typed after an "@" at the start or after a space.
        var upto = area.value.slice(0, area.selectionStart);
        var match = /(^|\s)@([^\s@\[\]]{0,40})$/.exec(upto);
        if (!match) { start = -1; close(); return; }
        start = upto.length - match[2].length - 1;
        var q = match[2];
        if (q.length < 1) { close(); return; }
        var mine = ++asked;
        var url = area.getAttribute("data-mentions") + "&q=" + encodeURIComponent(q);
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { people: [] }; })
          .then(function (data) { if (mine === asked) show(data.people || []); })
          .catch(function () { close(); });
      }
      area.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(query, 150);
      });
      area.addEventListener("keydown", function (evt) {
        if (list.hidden) return;
        if (evt.key === "ArrowDown") { evt.preventDefault(); mark((active + 1) % people.length); }
        else if (evt.key === "ArrowUp") { evt.preventDefault(); mark((active - 1 + people.length) % people.length); }
        else if (evt.key === "Enter") {
          if (active >= 0) { evt.preventDefault(); choose(active); }
        } else if (evt.key === "Escape") { evt.preventDefault(); evt.stopPropagation(); close(); }
      });
      area.addEventListener("blur", function () { setTimeout(close, 100); });
    }
    for (var i = 0; i < boxes.length; i++) setUp(boxes[i]);
    // Forms swapped in by htmx (a reply box) get the helper too.
    document.addEventListener("htmx:load", function (evt) {
      var root = evt.target;
      if (!root || !root.querySelectorAll) return;
      if (root.matches && root.matches("textarea[data-mentions]")) setUp(root);
      var found = root.querySelectorAll("textarea[data-mentions]");
      for (var j = 0; j < found.length; j++) setUp(found[j]);
    });
  })();

  if (!hasHtmx) return;

  /* ---- htmx: say when a request failed (the page is left as it was) ---- */
  function showError(elt, text) {
    // Prefer the flash area nearest the control (the members panel has its own).
    var box = null;
    for (var n = elt; n && n.nodeType === 1 && !box; n = n.parentElement) {
      box = n.querySelector(":scope > .flashes");
    }
    box = box || document.getElementById("flashes");
    if (!box) return;
    var old = box.querySelectorAll("[data-client-flash]");
    for (var i = 0; i < old.length; i++) old[i].remove();
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.setAttribute("data-client-flash", "");
    p.textContent = text;
    box.appendChild(p);
    p.scrollIntoView({ block: "nearest" });
  }

  body.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    showError(evt.detail.elt, text("Failed", "That did not work (error {status}). Nothing was changed.").replace("{status}", status));
  });
  body.addEventListener("htmx:sendError", function (evt) {
    showError(evt.detail.elt,
      text("Unreachable", "The server could not be reached. Check your connection and try again."));
  });

  /* ---- htmx: keep keyboard and screen-reader users in place after a swap ---- */
  var focusWasInside = false;
  body.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    focusWasInside = !!target && target !== body && target.contains(document.activeElement);
  });
  body.addEventListener("htmx:afterSettle", function (evt) {
    var root = evt.target;
    if (!root || !root.isConnected || !root.querySelector) return;
    if (root.querySelector('[role="alert"]')) {
      // A form came back with errors: go to the first field to correct.
      var invalid = root.querySelector('[aria-invalid="true"]');
      if (invalid) { invalid.focus(); return; }
    }
    if (focusWasInside && (!document.activeElement || document.activeElement === body)) {
      // The control that had focus was replaced: continue from the new content's heading.
      var heading = root.querySelector("h1, h2, h3");
      if (heading) {
        if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }
    focusWasInside = false;
  });
})();
