// The agents' inbox, live: it listens to /agent/events and replaces only
// the fragments that changed (the queue, the open conversation's header
// and transcript), so that what the agent is typing, focus and scroll
// survive every event. Forms are sent with fetch; without JavaScript they
// still work as plain forms.
"use strict";
(() => {
  const queue = document.getElementById("queue");
  const pane = document.getElementById("pane");
  if (!queue || !pane) return;
  const title = document.title;
  const fetchHeaders = { "X-Requested-With": "fetch" };
  let waiting = Number(queue.querySelector("[data-waiting]")?.dataset.waiting || 0);
  let page = 1;

  const current = () => pane.querySelector(".conv")?.dataset.conversation || "";
  const draftKey = (id) => "guichet-draft:" + id;

  async function html(url) {
    const r = await fetch(url, { headers: fetchHeaders, credentials: "same-origin" });
    if (!r.ok) throw new Error(String(r.status));
    return r.text();
  }

  // A short two-note chime, synthesised: no file to fetch.
  function chime() {
    document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
    try {
      const ctx = new AudioContext();
      [660, 880].forEach((f, i) => {
        const o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = f;
        g.gain.setValueAtTime(0.15, ctx.currentTime + i * 0.18);
        g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + i * 0.18 + 0.3);
        o.connect(g).connect(ctx.destination);
        o.start(ctx.currentTime + i * 0.18);
        o.stop(ctx.currentTime + i * 0.18 + 0.3);
      });
    } catch (e) { /* no sound: the title still says it */ }
  }

  const said = document.getElementById("announce");
  function announce(n) {
    if (n > waiting) {
      chime();
      if (said) said.textContent = n > 1 ? `${n} chats en attente` : "Un chat en attente";
    }
    waiting = n;
    document.title = n > 0 ? `(${n}) ${n > 1 ? "chats en attente" : "chat en attente"} — ${title}` : title;
    document.body.dataset.waiting = String(n);
  }
  announce(waiting);

  async function refreshQueue() {
    try {
      queue.innerHTML = await html(`/agent/fragments/queue?page=${page}&c=${encodeURIComponent(current())}`);
      announce(Number(queue.querySelector("[data-waiting]")?.dataset.waiting || 0));
    } catch (e) { /* the next event tries again */ }
  }

  // refreshConversation replaces the header and the transcript of the open
  // conversation; the reply box and the notes are left as they are.
  async function refreshConversation() {
    const id = current();
    if (!id) return;
    try {
      const doc = new DOMParser().parseFromString(await html(`/agent/fragments/conversations/${id}`), "text/html");
      if (current() !== id) return;
      const focused = document.activeElement && document.activeElement.id;
      for (const sel of ["#conv-head", "#transcript"]) {
        const fresh = doc.querySelector(sel), old = pane.querySelector(sel);
        if (!fresh || !old) continue;
        // A reason or a colleague being chosen survives the refresh.
        for (const c of old.querySelectorAll("select[id], input[id]:not([type=hidden])")) {
          const n = fresh.querySelector("#" + CSS.escape(c.id));
          if (n && n.tagName === c.tagName && [...(n.options || [{ value: c.value }])].some((o) => o.value === c.value)) n.value = c.value;
        }
        old.replaceWith(fresh);
      }
      if (focused && !pane.contains(document.activeElement)) document.getElementById(focused)?.focus();
      const hint = doc.querySelector("#reply-form .hint"), oldHint = pane.querySelector("#reply-form .hint");
      if (hint && oldHint) oldHint.replaceWith(hint);
      scrollDown();
    } catch (e) { /* the next event tries again */ }
  }

  function scrollDown() {
    const t = pane.querySelector("#transcript");
    if (t) t.lastElementChild?.scrollIntoView({ block: "nearest" });
  }

  // open shows a conversation in the right pane without leaving the page.
  async function open(id, push) {
    try {
      pane.innerHTML = await html(`/agent/fragments/conversations/${id}`);
    } catch (e) {
      location.href = `/agent/conversations/${id}`;
      return;
    }
    if (push) history.pushState({ id }, "", `/agent/conversations/${id}`);
    restoreDraft();
    queue.querySelectorAll("[aria-current]").forEach((a) => a.removeAttribute("aria-current"));
    queue.querySelector(`[data-conversation="${id}"]`)?.setAttribute("aria-current", "true");
    scrollDown();
    pane.querySelector("#reply")?.focus();
  }

  function restoreDraft() {
    const reply = pane.querySelector("#reply");
    if (reply) reply.value = sessionStorage.getItem(draftKey(current())) || "";
  }
  restoreDraft();
  scrollDown();

  queue.addEventListener("click", (e) => {
    const a = e.target.closest("a[data-conversation]");
    if (a && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
      e.preventDefault();
      open(a.dataset.conversation, true);
      return;
    }
    const p = e.target.closest("a[data-page]");
    if (p) {
      e.preventDefault();
      page = Number(p.dataset.page);
      refreshQueue();
    }
  });
  window.addEventListener("popstate", () => {
    const m = location.pathname.match(/^\/agent\/conversations\/([^/]+)$/);
    if (m) open(m[1], false);
    else pane.innerHTML = "";
  });

  // post sends a form with fetch; the server answers 204, or a JSON error
  // whose French message is shown beside the button.
  async function post(form) {
    const status = form.querySelector(".form-status") || pane.querySelector("#head-status");
    if (status) status.textContent = "";
    const multipart = form.enctype === "multipart/form-data";
    const r = await fetch(form.action, {
      method: "POST", headers: fetchHeaders, credentials: "same-origin",
      body: multipart ? new FormData(form) : new URLSearchParams(new FormData(form)),
    });
    if (r.ok) return true;
    const data = await r.json().catch(() => ({}));
    const msg = (data.error && data.error.message) || "L’action n’a pas abouti. Réessayez.";
    if (status) status.textContent = msg;
    return false;
  }

  document.addEventListener("submit", async (e) => {
    const form = e.target;
    if (form.id === "reply-form") {
      e.preventDefault();
      return sendReply(form);
    }
    if (form.matches(".kb-search")) {
      e.preventDefault();
      const q = form.querySelector("input[name=q]").value;
      try {
        pane.querySelector("#hits").innerHTML = await html(`/agent/fragments/conversations/${current()}/hits?q=${encodeURIComponent(q)}`);
      } catch (err) { /* keep the previous results */ }
      return;
    }
    if (!form.hasAttribute("data-action")) return;
    e.preventDefault();
    if (await post(form)) {
      if (form.hasAttribute("data-reset")) form.reset();
      if (form.matches(".presence")) return flipPresence(form);
      refreshConversation();
      refreshQueue();
    }
  });

  // flipPresence shows the switch's new state: « disponible » or « absent ».
  function flipPresence(form) {
    const away = form.querySelector("input[name=away]");
    const nowAway = away.value === "1";
    away.value = nowAway ? "0" : "1";
    form.querySelector(".dot").className = "dot " + (nowAway ? "away" : "on");
    form.querySelector("[data-testid=presence-state]").textContent = nowAway ? "Absent" : "Disponible";
    form.querySelector("button").textContent = nowAway ? "Me rendre disponible" : "Passer absent";
  }

  let sending = false;
  async function sendReply(form) {
    const reply = form.querySelector("#reply");
    if (sending || !reply.value.trim()) return;
    sending = true;
    try {
      if (await post(form)) {
        reply.value = "";
        lastTyping = 0; // the next words typed are news again
        sessionStorage.removeItem(draftKey(current()));
        refreshConversation();
      }
    } finally {
      sending = false;
      reply.focus();
    }
  }

  // In the reply box, Enter sends and Shift+Enter starts a new line.
  let lastTyping = 0;
  document.addEventListener("keydown", (e) => {
    if (e.target.id !== "reply" || e.key !== "Enter" || e.shiftKey || e.isComposing) return;
    e.preventDefault();
    sendReply(e.target.form);
  });
  document.addEventListener("input", (e) => {
    if (e.target.id !== "reply") return;
    sessionStorage.setItem(draftKey(current()), e.target.value);
    const now = Date.now();
    if (now - lastTyping > 3000 && e.target.value) {
      lastTyping = now;
      const csrf = pane.querySelector(".conv")?.dataset.csrf || "";
      fetch(`/agent/conversations/${current()}/typing`, {
        method: "POST", headers: fetchHeaders, credentials: "same-origin", body: new URLSearchParams({ _csrf: csrf }),
      }).catch(() => {});
    }
  });

  // « Insérer dans la réponse »: the article as plain text, to edit.
  document.addEventListener("click", (e) => {
    const b = e.target.closest("[data-insert]");
    if (!b) return;
    const reply = pane.querySelector("#reply");
    reply.value = (reply.value ? reply.value + "\n\n" : "") + b.dataset.insert;
    sessionStorage.setItem(draftKey(current()), reply.value);
    reply.focus();
  });

  // The customer is typing: shown for a few seconds after each signal.
  let typingTimer = 0;
  function customerTyping() {
    const t = pane.querySelector("#typing");
    if (!t) return;
    t.textContent = "Le client écrit…";
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { t.textContent = ""; }, 6000);
  }

  // Presence: every 30 s, say whether the agent did anything since the
  // last beat; an idle tab stops counting as an available agent.
  let activeAt = Date.now();
  for (const ev of ["keydown", "pointerdown", "wheel", "focus"]) window.addEventListener(ev, () => { activeAt = Date.now(); }, true);
  setInterval(() => {
    const csrf = document.querySelector("input[name=_csrf]")?.value || "";
    fetch("/agent/heartbeat", {
      method: "POST", headers: fetchHeaders, credentials: "same-origin",
      body: new URLSearchParams({ _csrf: csrf, active: Date.now() - activeAt < 60000 ? "1" : "0" }),
    }).catch(() => {});
  }, 30000);

  let queueTimer = 0, convTimer = 0;
  const soon = (fn, timer) => { clearTimeout(timer); return setTimeout(fn, 150); };
  const events = new EventSource(document.body.dataset.events || "/agent/events");
  const onEvent = (e) => {
    const ev = JSON.parse(e.data || "{}");
    if (ev.type === "typing") {
      if (ev.from === "customer" && ev.conversation === current()) customerTyping();
      return;
    }
    if (ev.type !== "presence") queueTimer = soon(refreshQueue, queueTimer);
    if (ev.conversation && ev.conversation === current()) {
      if (ev.type === "message" && ev.from === "customer") pane.querySelector("#typing").textContent = "";
      convTimer = soon(refreshConversation, convTimer);
    }
  };
  for (const t of ["message", "notice", "mode", "queue", "turn", "note", "typing", "csat"]) events.addEventListener(t, onEvent);
  // After a lost connection, catch up with what happened meanwhile.
  events.addEventListener("open", () => { refreshQueue(); refreshConversation(); });
})();
