/* consult confidential threads: the socket only says "this thread changed" (no content);
   the page offers to reload, and the reload goes through the policy and the gate again. */
(function () {
  "use strict";
  var header = document.querySelector("[data-thread-id]");
  if (!header) return;
  var threadId = Number(header.getAttribute("data-thread-id"));
  var version = Number(header.getAttribute("data-thread-version"));

  function notice() {
    if (document.getElementById("thread-outdated")) return;
    var note = document.createElement("p");
    note.id = "thread-outdated";
    note.className = "flash flash-info";
    note.setAttribute("role", "status");
    var link = document.createElement("a");
    link.href = window.location.pathname;
    link.textContent = header.getAttribute("data-outdated-text") || "New activity. Reload.";
    note.appendChild(link);
    header.appendChild(note);
  }

  function attach(socket) {
    if (!header.hasAttribute("data-attached")) {
      header.setAttribute("data-attached", "");
      socket.on("thread-changed", function (data) {
        if (data && Number(data.thread) === threadId && Number(data.version) > version) notice();
      });
    }
    socket.emit("watch_thread", { thread: threadId }, function (answer) {
      if (answer && answer.ok && Number(answer.version) > version) notice();
    });
  }
  document.addEventListener("consult:connect", function (evt) { attach(evt.detail.socket); });
  if (window.consult && window.consult.socket && window.consult.socket.connected) {
    attach(window.consult.socket);
  }
})();
