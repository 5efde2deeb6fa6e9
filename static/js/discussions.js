/* consult discussions: the socket only says "this topic changed" (a version) or "a discussion
   of this room changed"; the page re-fetches its posts or its list over HTTP, where the access
   policy applies. Loaded by a topic page and by the discussions section of a room page. */
(function () {
  "use strict";
  if (window.consultDiscussions) return; // the room section may include the script again
  window.consultDiscussions = true;

  function refresh(id) {
    var box = document.getElementById(id);
    if (box && window.htmx) window.htmx.trigger(box, "refresh");
  }

  function shownVersion() {
    var box = document.getElementById("topic-posts");
    return box ? Number(box.getAttribute("data-topic-version")) : 0;
  }

  function attach(socket) {
    var header = document.querySelector("[data-topic-id]");
    var section = document.querySelector("[data-discussions-room]");
    if (!document.body.hasAttribute("data-discussions-attached")) {
      document.body.setAttribute("data-discussions-attached", "");
      socket.on("topic-changed", function (data) {
        if (header && data && String(data.topic) === header.getAttribute("data-topic-id") &&
            Number(data.version) > shownVersion()) refresh("topic-posts");
      });
      socket.on("discussions-changed", function (data) {
        var now = document.querySelector("[data-discussions-room]");
        if (now && data && String(data.room) === now.getAttribute("data-discussions-room")) {
          refresh("room-discussions");
        }
      });
    }
    if (header) {
      socket.emit("watch_topic", { topic: Number(header.getAttribute("data-topic-id")) },
        function (answer) {
          if (!answer || !answer.ok) return;
          document.body.setAttribute("data-watching-topic", "");
          if (Number(answer.version) > shownVersion()) refresh("topic-posts");
        });
    }
    if (section) {
      socket.emit("watch_room", { room: Number(section.getAttribute("data-discussions-room")) },
        function (answer) {
          if (answer && answer.ok) document.body.setAttribute("data-watching-room", "");
        });
    }
  }

  document.addEventListener("consult:connect", function (evt) {
    attach(evt.detail.socket);
    if (evt.detail.reconnected) { refresh("topic-posts"); refresh("room-discussions"); }
  });
  if (window.consult && window.consult.socket && window.consult.socket.connected) {
    attach(window.consult.socket);
  }
})();
