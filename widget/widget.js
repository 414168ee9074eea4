// Guichet chat widget: one self-contained file, no dependency. A shop embeds
// it with <script src="https://HOST/widget.js" async data-…></script>.
// It renders in a Shadow DOM so the shop's CSS cannot break it. Replies'
// HTML comes sanitised by the server; the customer's own text is only ever
// set as text.
(() => {
  "use strict";
  const T = {
    open: "Ouvrir l’aide en ligne",
    close: "Fermer",
    title: "Besoin d’aide ?",
    placeholder: "Écrivez votre question…",
    label: "Votre message",
    send: "Envoyer",
    typing: "L’assistant écrit…",
    you: "Vous",
    bot: "Assistant",
    agent: (name) => `${name} (conseiller)`,
    helpful: "Cette réponse vous a-t-elle aidé ?",
    yes: "Oui",
    no: "Non",
    offline: "Connexion perdue. Nouvel essai dans quelques secondes… Votre message est conservé.",
    error: "Désolé, un souci technique m’empêche de répondre. Réessayez dans un instant.",
    topics: ["Où est mon colis ?", "Retourner un article", "Suivre mon remboursement", "Contacter un conseiller"],
    phone: "Votre numéro de téléphone",
    slot: "Créneau de rappel",
    email: "Votre adresse e-mail",
    message: "Votre message",
    submit: "Valider",
    waiting: "Un conseiller va vous répondre.",
    restart: "Nouvelle conversation",
    full: "Voir l’article complet",
  };
  const script = document.currentScript || document.querySelector("script[src*='widget.js']");
  const cfg = script ? script.dataset : {};
  const api = (cfg.api || new URL(script.src).origin).replace(/\/$/, "");
  const color = /^#[0-9a-f]{3,8}$/i.test(cfg.color || "") ? cfg.color : "#1f3a5f";
  const key = "guichet:" + api;

  const host = document.createElement("div");
  host.setAttribute("data-guichet", "");
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `<style>
:host{all:initial}
*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",sans-serif}
.launcher{position:fixed;bottom:20px;${cfg.position === "left" ? "left" : "right"}:20px;width:56px;height:56px;border-radius:50%;border:0;background:${color};color:#fff;font-size:26px;cursor:pointer;box-shadow:0 2px 10px #0005;z-index:2147483000}
.panel{position:fixed;bottom:88px;${cfg.position === "left" ? "left" : "right"}:20px;width:370px;max-height:min(600px,80vh);display:flex;flex-direction:column;background:#fff;color:#1d2330;border-radius:12px;box-shadow:0 4px 24px #0006;overflow:hidden;z-index:2147483000}
.panel[hidden]{display:none}
header{background:${color};color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}
header h2{font-size:16px;margin:0;flex:1}
header button{background:transparent;color:#fff;border:1px solid #fff8;border-radius:6px;padding:4px 8px;cursor:pointer;font-size:14px}
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;font-size:14px;line-height:1.45}
.msg{max-width:88%;padding:8px 11px;border-radius:10px;word-wrap:break-word}
.msg.me{align-self:flex-end;background:#e7eefb;color:#10233f}
.msg.bot,.msg.agent{align-self:flex-start;background:#f1f2f4;color:#1d2330}
.msg .who{display:block;font-size:12px;color:#4a5263;margin-bottom:2px}
.msg a{color:#174ea6}
.msg .full{display:inline-block;margin-top:4px;font-size:13px}
.msg p{margin:.3em 0}
.msg table{border-collapse:collapse}.msg td,.msg th{border:1px solid #ccd;padding:2px 4px}
.choices{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start}
.choices button,.form button{border:1px solid ${color};background:#fff;color:${color};border-radius:16px;padding:5px 11px;cursor:pointer;font-size:13px}
.choices button:hover,.choices button:focus-visible{background:${color};color:#fff}
.form{align-self:stretch;background:#f7f8fa;border:1px solid #d8dce3;border-radius:8px;padding:8px;display:flex;flex-direction:column;gap:4px}
.form label{font-size:13px}.form input,.form select,.form textarea{font-size:14px;padding:6px;border:1px solid #8a93a3;border-radius:6px}
.form .err{color:#a3150d;font-size:12px;min-height:0}
.status{font-size:12px;color:#4a5263;padding:0 12px 6px;min-height:18px}
form.input{display:flex;gap:6px;border-top:1px solid #d8dce3;padding:8px}
form.input input{flex:1;font-size:15px;padding:8px;border:1px solid #8a93a3;border-radius:8px}
form.input button{background:${color};color:#fff;border:0;border-radius:8px;padding:0 14px;cursor:pointer;font-size:14px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
@media (max-width:480px){.panel{inset:0;width:auto;max-height:none;border-radius:0;bottom:0}}
</style>
<button class="launcher" data-testid="launcher" aria-label="${T.open}" aria-expanded="false">💬</button>
<section class="panel" role="dialog" aria-label="${T.title}" hidden data-testid="panel">
<header><h2 data-testid="title"></h2><button type="button" class="restart" data-testid="restart">${T.restart}</button><button type="button" class="close" aria-label="${T.close}" data-testid="close">✕</button></header>
<div class="log" role="log" aria-live="polite" aria-relevant="additions" data-testid="log"></div>
<div class="status" role="status" data-testid="status"></div>
<form class="input" data-testid="form"><label class="sr" for="q">${T.label}</label><input id="q" name="q" autocomplete="off" maxlength="2000" placeholder="${T.placeholder}" data-testid="input"><button data-testid="send">${T.send}</button></form>
</section>`;
  const $ = (s) => root.querySelector(s);
  const launcher = $(".launcher"), panel = $(".panel"), log = $(".log"), status = $(".status"), form = $("form.input"), input = $("#q");
  $("h2").textContent = cfg.title || T.title;

  let conv = null; // conversation id
  let events = null;
  let agentSeen = 0; // agent messages shown, to catch up after a reconnection

  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };
  const scroll = () => { log.scrollTop = log.scrollHeight; };

  // call POSTs or GETs JSON, retrying while the connection is lost.
  async function call(method, path, body, attempt = 0) {
    try {
      const r = await fetch(api + path, {
        method, headers: body ? { "Content-Type": "application/json" } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      const data = await r.json().catch(() => ({}));
      status.textContent = "";
      if (!r.ok) throw Object.assign(new Error("http"), { status: r.status, data });
      return data;
    } catch (e) {
      if (e.status || attempt >= 5) throw e;
      status.textContent = T.offline;
      await new Promise((ok) => setTimeout(ok, 1000 * 2 ** attempt));
      return call(method, path, body, attempt + 1);
    }
  }

  function say(text) {
    const m = el("div", "msg me");
    m.append(el("span", "who sr", T.you + " :"), el("span", "", text));
    m.dataset.testid = "me";
    log.append(m);
    scroll();
  }

  // show renders a reply; history replies (resumed after a page load) get
  // no buttons: their questions are over.
  function show(reply, who, history = false) {
    if (who === "agent") agentSeen++;
    const m = el("div", "msg " + (who === "agent" ? "agent" : "bot"));
    m.dataset.testid = who === "agent" ? "agent-reply" : "reply";
    m.append(el("span", "who", who === "agent" ? T.agent(reply.agentName) : T.bot));
    const body = el("div");
    body.innerHTML = reply.html; // sanitised by the server
    m.append(body);
    if (reply.article_id) m.dataset.article = reply.article_id;
    if (reply.article_id && reply.outcome === "answer") {
      const a = el("a", "full", T.full);
      a.href = api + "/aide/" + encodeURIComponent(reply.article_id);
      a.target = "_blank";
      a.rel = "noopener";
      a.dataset.testid = "full-article";
      m.append(a);
    }
    log.append(m);
    if (!history && reply.choices && reply.choices.length) {
      choices(reply.choices.map((c) => [c.title, () => send({ choice: c.id }, c.title)]), "choices");
    }
    if (!history && reply.outcome === "answer" && who !== "agent") {
      const h = el("div", "choices");
      h.dataset.testid = "helpful";
      h.append(el("span", "", T.helpful));
      for (const [label, v] of [[T.yes, true], [T.no, false]]) {
        const b = el("button", "", label);
        b.type = "button";
        b.dataset.testid = v ? "helpful-yes" : "helpful-no";
        b.addEventListener("click", () => { h.remove(); send({ helpful: v }, label); });
        h.append(b);
      }
      log.append(h);
    }
    if (!history && reply.channels) channels(reply.channels);
    scroll();
  }

  function choices(list, testid) {
    const c = el("div", "choices");
    c.dataset.testid = testid;
    for (const [label, act] of list) {
      const b = el("button", "", label);
      b.type = "button";
      b.addEventListener("click", () => { c.remove(); act(); });
      c.append(b);
    }
    log.append(c);
  }

  function channels(list) {
    choices(list.map((ch) => [ch.title, () => channel(ch)]), "channels");
  }

  // channel opens what a channel needs: nothing, a form, or the phone.
  function channel(ch) {
    if (ch.id === "live_chat") return handoff({ channel: "live_chat" }, ch.title);
    if (ch.id === "phone") return info(ch.detail);
    const f = el("form", "form");
    f.dataset.testid = "form-" + ch.id;
    const field = (name, label, node) => {
      const id = "f-" + ch.id + "-" + name;
      const l = el("label", "", label);
      l.htmlFor = id;
      node.id = id;
      node.name = name;
      node.required = true;
      const err = el("div", "err");
      err.id = id + "-err";
      err.setAttribute("aria-live", "polite");
      node.setAttribute("aria-describedby", err.id);
      f.append(l, node, err);
    };
    if (ch.id === "callback") {
      const tel = el("input");
      tel.type = "tel";
      tel.autocomplete = "tel";
      field("phone", T.phone, tel);
      const sel = el("select");
      for (const s of ch.slots || []) { const o = el("option", "", s.title); o.value = s.id; sel.append(o); }
      field("slot", T.slot, sel);
    } else {
      const mail = el("input");
      mail.type = "email";
      mail.autocomplete = "email";
      field("email", T.email, mail);
      field("message", T.message, el("textarea"));
    }
    if (ch.detail) f.prepend(el("p", "", ch.detail));
    const b = el("button", "", T.submit);
    f.append(b);
    f.addEventListener("submit", async (e) => {
      e.preventDefault();
      const data = Object.fromEntries(new FormData(f));
      data.channel = ch.id;
      f.querySelectorAll(".err").forEach((x) => { x.textContent = ""; });
      try {
        const r = await call("POST", `/api/v1/conversations/${conv}/handoff`, data);
        f.remove();
        show(r, "bot");
      } catch (err) {
        const fields = (err.data && err.data.error && err.data.error.fields) || {};
        for (const [k, v] of Object.entries(fields)) {
          const x = f.querySelector(`#f-${ch.id}-${k}-err`);
          if (x) x.textContent = v;
        }
        const first = f.querySelector(`[name="${Object.keys(fields)[0]}"]`);
        if (first) first.focus();
      }
    });
    log.append(f);
    f.querySelector("input,select,textarea").focus();
    scroll();
  }

  function info(text) {
    const m = el("div", "msg bot", text);
    m.dataset.testid = "info";
    log.append(m);
    scroll();
  }

  async function handoff(body, label) {
    say(label);
    try {
      show(await call("POST", `/api/v1/conversations/${conv}/handoff`, body), "bot");
    } catch (e) {
      info((e.data && e.data.error && e.data.error.message) || T.error);
    }
  }

  async function start() {
    const body = cfg.customerToken ? { customer_token: cfg.customerToken } : undefined;
    const c = await call("POST", "/api/v1/conversations", body);
    conv = c.id;
    localStorage.setItem(key, conv);
    info(cfg.greeting || c.greeting);
    choices(T.topics.map((t) => [t, () => send({ text: t }, t)]), "topics");
    listen();
  }

  async function resume(id) {
    try {
      const c = await call("GET", `/api/v1/conversations/${id}`);
      conv = id;
      info(cfg.greeting || c.greeting);
      for (const t of c.turns) {
        if (t.from === "agent") { show({ ...t.reply, agentName: first(t.agent) }, "agent", true); continue; }
        if (t.text) say(t.text);
        if (t.reply && t.reply.html && t.reply.outcome !== "relayed") show(t.reply, "bot", true);
      }
      listen();
      return true;
    } catch (e) {
      localStorage.removeItem(key);
      return false;
    }
  }

  const first = (name) => (name || "").split(/[\s.]/)[0].replace(/^./, (c) => c.toUpperCase());

  // listen receives agents' messages as they are sent; after a lost
  // connection it catches up with the messages sent meanwhile.
  function listen() {
    if (events || !window.EventSource) return;
    let lost = false;
    events = new EventSource(`${api}/api/v1/conversations/${conv}/events`);
    events.addEventListener("error", () => { lost = true; status.textContent = T.offline; });
    events.addEventListener("open", async () => {
      if (!lost) return;
      lost = false;
      status.textContent = "";
      try {
        const c = await call("GET", `/api/v1/conversations/${conv}`);
        const agent = c.turns.filter((t) => t.from === "agent");
        for (const t of agent.slice(agentSeen)) show({ ...t.reply, agentName: first(t.agent) }, "agent", true);
      } catch (e) { /* the next reconnection tries again */ }
    });
    events.addEventListener("message", (e) => {
      const ev = JSON.parse(e.data);
      if (ev.from === "agent") show({ html: ev.html, agentName: first(ev.agent) }, "agent");
    });
    events.addEventListener("mode", (e) => {
      const ev = JSON.parse(e.data);
      if (ev.mode === "agent") status.textContent = T.agent(first(ev.agent));
      else status.textContent = "";
    });
  }

  async function send(body, shown) {
    if (!conv) await start();
    say(shown);
    status.textContent = T.typing;
    try {
      const r = await call("POST", `/api/v1/conversations/${conv}/messages`, body);
      status.textContent = "";
      if (r.outcome === "relayed") { status.textContent = T.waiting; return true; }
      show(r, "bot");
      return true;
    } catch (e) {
      status.textContent = "";
      info((e.data && e.data.error && e.data.error.message) || T.error);
      return false;
    }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.disabled = true;
    const ok = await send({ text }, text);
    input.disabled = false;
    if (ok) input.value = ""; // kept when sending failed: nothing typed is lost
    input.focus();
  });

  async function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    input.focus();
    if (!conv) {
      const id = localStorage.getItem(key);
      if (!(id && (await resume(id)))) await start();
    }
  }
  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }
  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  $(".close").addEventListener("click", close);
  $(".restart").addEventListener("click", () => {
    localStorage.removeItem(key);
    if (events) { events.close(); events = null; }
    conv = null;
    log.textContent = "";
    start();
  });
  root.addEventListener("keydown", (e) => { if (e.key === "Escape" && !panel.hidden) close(); });

  const mount = () => document.body.append(host);
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
