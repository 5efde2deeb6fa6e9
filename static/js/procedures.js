/* consult written procedure: the socket only says "this procedure changed" (a version); the page
   re-fetches its status over HTTP, where the access policy applies. At the deadline the page
   re-fetches too, so the outcome shows without a reload. */
(function () {
  "use strict";
  var heading = document.querySelector("[data-procedure-id]");
  if (!heading) return;
  var id = heading.getAttribute("data-procedure-id");
  var timer = null;

  function box() { return document.getElementById("procedure-status"); }
  function shown() { var b = box(); return b ? Number(b.getAttribute("data-procedure-version")) : 0; }
  function refresh() { var b = box(); if (b && window.htmx) window.htmx.trigger(b, "refresh"); }

  function atDeadline() {
    if (timer) { clearTimeout(timer); timer = null; }
    var b = box();
    var closes = b && b.getAttribute("data-closes-at");
    if (!closes) return;
    var wait = Date.parse(closes) - Date.now() + 1000; // a second after, the server agrees
    if (wait < 2147483647) timer = setTimeout(refresh, Math.max(wait, 0));
  }

  document.body.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail && evt.detail.target && evt.detail.target.id === "procedure-status") atDeadline();
  });
  document.addEventListener("htmx:afterSettle", atDeadline);

  function attach(socket) {
    if (!document.body.hasAttribute("data-procedure-attached")) {
      document.body.setAttribute("data-procedure-attached", "");
      socket.on("procedure-changed", function (data) {
        if (data && String(data.procedure) === id && Number(data.version) > shown()) refresh();
      });
    }
    socket.emit("watch_procedure", { procedure: Number(id) }, function (answer) {
      if (!answer || !answer.ok) return;
      document.body.setAttribute("data-watching-procedure", "");
      if (Number(answer.version) > shown()) refresh();
    });
  }

  atDeadline();
  document.addEventListener("consult:connect", function (evt) {
    attach(evt.detail.socket);
    if (evt.detail.reconnected) refresh();
  });
  if (window.consult && window.consult.socket && window.consult.socket.connected) {
    attach(window.consult.socket);
  }
})();
