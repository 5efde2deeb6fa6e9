/* consult papers: live comments and the deadline countdown on a paper page.
   The server only signals "paper-changed" with the paragraph key (and, for comments, the
   paragraph's comment count); the page re-fetches that paragraph's thread over HTTP when it is
   open, where the policy and the Chatham House Rule apply, and otherwise only relabels its
   "n comments" button. A gap in versions or a reconnection re-fetches every open thread. */
(function () {
  "use strict";
  var header = document.querySelector("[data-paper-id]");
  if (!header || typeof window.htmx === "undefined") return;
  var paperId = Number(header.getAttribute("data-paper-id"));
  var version = Number(header.getAttribute("data-paper-version"));
  var urlFor = function (key) {
    return header.getAttribute("data-paragraph-url").replace("KEY", encodeURIComponent(key));
  };

  // The "n comments" button of a paragraph whose thread is closed, from the signal's count.
  function setCount(key, n) {
    var button = document.getElementById("count-" + key);
    if (!button) return;
    button.textContent = n === 0 ? header.getAttribute("data-count-zero")
      : n === 1 ? header.getAttribute("data-count-one")
      : header.getAttribute("data-count-other").replace("%(num)d", String(n));
  }

  function refreshParagraph(key, count) {
    var thread = document.getElementById("thread-" + key);
    if (!thread) return;
    if (thread.getAttribute("data-loaded") !== "true" && typeof count === "number") {
      setCount(key, count);  // nothing else on the page changed: no request
      return;
    }
    if (thread.getAttribute("data-loaded") === "true") {
      // Do not swap a thread under someone's hands while they type in it.
      if (thread.contains(document.activeElement) &&
          document.activeElement.tagName === "TEXTAREA" && document.activeElement.value) {
        thread.setAttribute("data-stale", "true");
        return;
      }
      window.htmx.ajax("GET", urlFor(key), { target: thread, swap: "outerHTML" });
    } else {
      // The address may already carry the language read (?lang=fr).
      var url = urlFor(key);
      url += (url.indexOf("?") === -1 ? "?" : "&") + "block=1";
      window.htmx.ajax("GET", url, { target: "#para-" + key, swap: "outerHTML" });
    }
  }

  function refreshAll() {
    var threads = document.querySelectorAll(".thread[data-loaded='true']");
    for (var i = 0; i < threads.length; i++) refreshParagraph(threads[i].id.slice(7));
  }

  function onChange(data) {
    if (!data || Number(data.paper) !== paperId) return;
    if (data.kind === "revision" || data.kind === "status" || data.kind === "version") {
      // A new revision renumbers everything: show a notice rather than move text under the reader.
      var note = document.getElementById("paper-outdated");
      if (!note) {
        note = document.createElement("p");
        note.id = "paper-outdated";
        note.className = "flash flash-info";
        note.setAttribute("role", "status");
        var link = document.createElement("a");
        link.href = window.location.pathname + window.location.search;
        link.textContent = header.getAttribute("data-outdated-text") || "This paper changed. Reload to see it.";
        note.appendChild(link);
        header.appendChild(note);
      }
    } else if (data.version !== version + 1) {
      refreshAll();
      if (data.key) refreshParagraph(data.key, data.count);
    } else if (data.key) {
      refreshParagraph(data.key, data.count);
    }
    version = Math.max(version, Number(data.version));
  }

  function watch(socket, reconnected) {
    socket.emit("watch_paper", { paper: paperId }, function (answer) {
      if (answer && answer.ok && (reconnected || answer.version !== version)) refreshAll();
      if (answer && answer.version) version = Math.max(version, answer.version);
    });
  }

  var registered = false;
  function attach(socket, reconnected) {
    if (!registered) {
      socket.on("paper-changed", onChange);
      registered = true;
    }
    watch(socket, reconnected);
  }
  document.addEventListener("consult:connect", function (evt) {
    attach(evt.detail.socket, evt.detail.reconnected);
  });
  if (window.consult && window.consult.socket && window.consult.socket.connected) {
    attach(window.consult.socket, false);
  }

  // Leaving a textarea releases a swap held back while typing.
  document.addEventListener("focusout", function (evt) {
    var thread = evt.target.closest && evt.target.closest(".thread[data-stale='true']");
    if (thread) setTimeout(function () {
      if (!thread.contains(document.activeElement)) {
        thread.removeAttribute("data-stale");
        refreshParagraph(thread.id.slice(7));
      }
    }, 0);
  });

  // The comments toggle says whether its thread is open, and a second press closes it again
  // (captured before htmx sees the click, so no request is made to close).
  document.addEventListener("click", function (evt) {
    var toggle = evt.target.closest && evt.target.closest(".comments-toggle");
    if (!toggle || toggle.getAttribute("aria-expanded") !== "true") return;
    evt.preventDefault();
    evt.stopPropagation();
    var thread = document.getElementById(toggle.getAttribute("aria-controls"));
    if (thread) {
      var empty = document.createElement("div");
      empty.className = "thread";
      empty.id = thread.id;
      thread.replaceWith(empty);
    }
    toggle.setAttribute("aria-expanded", "false");
  }, true);

  // After a swap: the toggle of an open thread says so; a comment just posted takes the focus
  // and is announced in the page's live region.
  document.addEventListener("htmx:afterSwap", function () {
    var threads = document.querySelectorAll(".thread[data-loaded='true']");
    for (var i = 0; i < threads.length; i++) {
      var toggle = document.getElementById("count-" + threads[i].id.slice(7));
      if (toggle) toggle.setAttribute("aria-expanded", "true");
      var posted = threads[i].getAttribute("data-posted");
      if (!posted) continue;
      threads[i].removeAttribute("data-posted");
      var comment = document.getElementById(posted);
      if (comment) comment.focus();
      var live = document.getElementById("papers-live");
      if (live) {
        live.textContent = "";
        live.textContent = threads[i].getAttribute("data-announce") || "";
      }
    }
  });

  // Select words in a paragraph to quote them: a "Quote" button beside the selection fills the
  // quote of that paragraph's comment form (opening its thread first). A selection across two
  // paragraphs is refused with a message; nothing is filled in, nothing is stored.
  var quoteButton = null;
  function quoteText() {
    var text = document.querySelector(".paper-text[data-quote-label]");
    var selection = window.getSelection();
    if (quoteButton) { quoteButton.remove(); quoteButton = null; }
    if (!text || !selection || selection.isCollapsed || !selection.rangeCount) return;
    var range = selection.getRangeAt(0);
    var start = range.startContainer.parentElement && range.startContainer.parentElement.closest(".para-text");
    var end = range.endContainer.parentElement && range.endContainer.parentElement.closest(".para-text");
    if (!start && !end) return;
    var words = selection.toString().trim();
    if (!words) return;
    if (start !== end) {
      var where = (start || end).closest("article.paragraph");
      var note = document.createElement("p");
      note.className = "error quote-refused";
      note.setAttribute("role", "alert");
      note.textContent = text.getAttribute("data-quote-span");
      quoteButton = note;
      where.querySelector(".para-tools").appendChild(note);
      return;
    }
    var article = start.closest("article.paragraph");
    quoteButton = document.createElement("button");
    quoteButton.type = "button";
    quoteButton.className = "button small quote-button";
    quoteButton.textContent = text.getAttribute("data-quote-label");
    quoteButton.addEventListener("mousedown", function (evt) { evt.preventDefault(); });
    quoteButton.addEventListener("click", function () {
      var key = article.getAttribute("data-key");
      function fill() {
        var thread = document.getElementById("thread-" + key);
        var input = thread && thread.querySelector("form.comment-form .quote-input");
        if (!input) return false;
        var details = input.closest("details");
        if (details) details.open = true;
        input.value = words;
        input.focus();
        return true;
      }
      if (!fill()) {
        var toggle = document.getElementById("count-" + key);
        document.addEventListener("htmx:afterSwap", function once() {
          if (fill()) document.removeEventListener("htmx:afterSwap", once);
        });
        if (toggle) toggle.click();
      }
      if (quoteButton) { quoteButton.remove(); quoteButton = null; }
    });
    article.querySelector(".para-tools").appendChild(quoteButton);
  }
  document.addEventListener("mouseup", function (evt) {
    if (evt.target.closest && evt.target.closest(".quote-button")) return;
    setTimeout(quoteText, 0);
  });
  document.addEventListener("keyup", function (evt) {
    if (evt.shiftKey || evt.key === "Shift") setTimeout(quoteText, 0);
  });

  // Countdowns: recomputed every 30 seconds from the server's UTC deadline.
  var fmt = typeof Intl !== "undefined" && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat(document.documentElement.lang || "en", { numeric: "auto" }) : null;
  function tick() {
    var items = document.querySelectorAll("[data-countdown]");
    for (var i = 0; i < items.length; i++) {
      var left = (Date.parse(items[i].getAttribute("data-countdown")) - Date.now()) / 1000;
      if (left <= 0) { items[i].textContent = items[i].getAttribute("data-closed-text") || "closed"; continue; }
      if (!fmt) continue;
      var unit = left > 86400 ? ["day", 86400] : left > 3600 ? ["hour", 3600] : ["minute", 60];
      items[i].textContent = fmt.format(Math.round(left / unit[1]), unit[0]);
    }
  }
  setInterval(tick, 30000);
})();
