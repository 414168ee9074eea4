// Console helpers: insert an answer into the reply in one click, and reload
// the page when the server pushes an event for it.
"use strict";
document.addEventListener("click", (e) => {
  const b = e.target.closest("[data-insert]");
  if (!b) return;
  const reply = document.getElementById("reply");
  reply.value = (reply.value ? reply.value + "\n\n" : "") + b.dataset.insert;
  reply.focus();
});
const live = document.body.dataset.events;
if (live && window.EventSource) {
  const es = new EventSource(live);
  es.addEventListener("message", () => location.reload());
  es.addEventListener("queue", () => location.reload());
  es.addEventListener("mode", () => location.reload());
}
