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
    agent: (name) => (name ? `${name}, du service client` : "Le service client"),
    agentTyping: (name) => `${name || "Un conseiller"} écrit…`,
    helpful: "Cette réponse vous a-t-elle aidé ?",
    yes: "Oui",
    no: "Non",
    offline: "Connexion perdue. Nouvel essai dans quelques secondes… Votre message est conservé.",
    error: "Désolé, un souci technique m’empêche de répondre. Réessayez dans un instant.",
    phone: "Votre numéro de téléphone",
    slot: "Créneau de rappel",
    email: "Votre adresse e-mail",
    message: "Votre message",
    submit: "Valider",
    waiting: "Un conseiller va vous répondre.",
    restart: "Nouvelle conversation",
    restartAsk: "Effacer cette conversation et en commencer une nouvelle ?",
    restartYes: "Oui, recommencer",
    cancel: "Annuler",
    unread: (n) => (n > 1 ? `${n} nouveaux messages` : "1 nouveau message"),
    liveChat: "Discuter avec un conseiller",
    rate: "Votre note",
    stars: (n) => `${n} sur 5`,
    comment: "Un commentaire ? (facultatif)",
    rated: "Merci pour votre avis !",
    transcript: "Télécharger la conversation",
    byEmail: "Recevoir par e-mail",
    sent: "C’est envoyé : vous recevrez la conversation par e-mail dans quelques minutes.",
    attach: "Joindre une photo ou un PDF",
    tooBig: "Ce fichier dépasse 10 Mo : envoyez une photo plus légère ou un PDF plus court.",
    photo: (name) => `Photo envoyée : ${name}`,
    pdf: (name) => `PDF : ${name}`,
    full: "Voir l’article complet",
    effort: "Avez-vous trouvé facilement ce que vous cherchiez ?",
    effortScale: "De 1 (très difficilement) à 5 (très facilement)",
    effortScore: (n) => `${n} sur 5` + (n === 1 ? ", très difficilement" : n === 5 ? ", très facilement" : ""),
    effortThanks: "Merci pour votre réponse !",
  };
  const script = document.currentScript || document.querySelector("script[src*='widget.js']");
  const cfg = script ? script.dataset : {};
  const api = (cfg.api || new URL(script.src).origin).replace(/\/$/, "");
  const color = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(cfg.color || "") ? cfg.color : "#1f3a5f";
  // Contrast (WCAG 2): text on the shop's colour is black or white,
  // whichever reads better; on white, the colour is darkened until it
  // reads (4.5:1), for outlines, links and the focus ring.
  const rgb = (c) => { const h = c.length === 4 ? [...c.slice(1)].map((x) => x + x).join("") : c.slice(1); return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)); };
  const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const base = rgb(color), white = [255, 255, 255], black = [0, 0, 0];
  const onColor = ratio(base, white) >= ratio(base, black) ? "#fff" : "#000";
  let inkRGB = base;
  while (ratio(inkRGB, white) < 4.5) inkRGB = inkRGB.map((v) => Math.floor(v * 0.9));
  const ink = "#" + inkRGB.map((v) => v.toString(16).padStart(2, "0")).join("");
  const key = "guichet:" + api;
  // who is the customer the page's token names ("" for a visitor): one
  // conversation per customer, so a logout or another account starts anew.
  const who = (() => {
    try { return String(JSON.parse(atob(cfg.customerToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).sub || ""); } catch (e) { return ""; }
  })();
  // withToken adds the page's current token: the customer's orders are
  // shown only while the shop vouches for them.
  const withToken = (body) => (cfg.customerToken ? { ...body, customer_token: cfg.customerToken } : body);

  const host = document.createElement("div");
  host.setAttribute("data-guichet", "");
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `<style>
:host{all:initial}
*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",sans-serif}
.launcher{position:fixed;bottom:20px;${cfg.position === "left" ? "left" : "right"}:20px;width:56px;height:56px;border-radius:50%;border:0;background:${color};color:${onColor};cursor:pointer;box-shadow:0 2px 10px #0005;z-index:2147483000;display:flex;align-items:center;justify-content:center}
.launcher svg{width:28px;height:28px;fill:currentColor}
.badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;border-radius:11px;background:#b3261e;color:#fff;font-size:13px;font-weight:700;line-height:22px;padding:0 6px;border:2px solid #fff}
.badge[hidden]{display:none}
.panel{position:fixed;bottom:88px;${cfg.position === "left" ? "left" : "right"}:20px;width:370px;max-height:min(600px,80vh);display:flex;flex-direction:column;background:#fff;color:#1d2330;border-radius:12px;box-shadow:0 4px 24px #0006;overflow:hidden;z-index:2147483000}
.panel[hidden]{display:none}
header{background:${color};color:${onColor};padding:10px 12px;display:flex;align-items:center;gap:6px}
header h2{font-size:16px;margin:0;flex:1;min-width:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
header button{background:transparent;color:${onColor};border:1px solid currentColor;border-radius:6px;padding:4px 8px;cursor:pointer;font-size:14px;flex:none;line-height:1}
header button svg{width:16px;height:16px;fill:currentColor;vertical-align:middle}
header :focus-visible{outline-color:${onColor}}
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;font-size:14px;line-height:1.45}
.msg{max-width:88%;padding:8px 11px;border-radius:10px;word-wrap:break-word}
.msg.me{align-self:flex-end;background:#e7eefb;color:#10233f}
.msg.bot,.msg.agent{align-self:flex-start;background:#f1f2f4;color:#1d2330}
.msg.agent{background:#fff;border:1px solid ${ink};border-left-width:4px}
.msg .who{display:flex;align-items:center;gap:6px;font-size:12px;color:#4a5263;margin-bottom:2px}
.msg.agent .who{color:#1d2330;font-weight:600}
.avatar{width:22px;height:22px;border-radius:50%;background:${color};color:${onColor};display:inline-flex;align-items:center;justify-content:center;font-size:12px;font-weight:700}
.msg .title{display:block;font-weight:600;margin-bottom:2px}
.msg.notice{align-self:center;background:transparent;color:#4a5263;font-style:italic;font-size:13px;text-align:center}
.msg a{color:#174ea6}
.msg .full{display:inline-block;margin-top:4px;font-size:13px}
.msg p{margin:.3em 0}
.msg table{border-collapse:collapse}.msg td,.msg th{border:1px solid #ccd;padding:2px 4px}
.choices{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start}
.choices button,.form button{border:1px solid ${ink};background:#fff;color:${ink};border-radius:16px;padding:5px 11px;cursor:pointer;font-size:13px}
.choices button:hover,.choices button:focus-visible{background:${ink};color:#fff}
.rating{display:flex;gap:4px}.rating button{min-width:36px}
.rating button[aria-pressed="true"]{background:${ink};color:#fff}
.tools{display:flex;gap:10px;padding:0 12px 6px;font-size:12px}
.tools a,.tools button{color:#174ea6;background:none;border:0;padding:0;font-size:12px;cursor:pointer;text-decoration:underline}
.form{align-self:stretch;background:#f7f8fa;border:1px solid #d8dce3;border-radius:8px;padding:8px;display:flex;flex-direction:column;gap:4px}
.form label{font-size:13px}.form input,.form select,.form textarea{font-size:14px;padding:6px;border:1px solid #8a93a3;border-radius:6px}
.form .err{color:#a3150d;font-size:12px;min-height:0}
.form .hint{font-size:12px;color:#4a5263}
.status{font-size:12px;color:#4a5263;padding:0 12px 6px;min-height:18px}
form.input{display:flex;gap:6px;border-top:1px solid #d8dce3;padding:8px}
form.input input{flex:1;font-size:15px;padding:8px;border:1px solid #8a93a3;border-radius:8px}
form.input button{background:${color};color:${onColor};border:0;border-radius:8px;padding:0 14px;cursor:pointer;font-size:14px}
form.input .clip{background:#fff;color:${ink};border:1px solid #8a93a3;padding:0 8px}
.clip svg{width:18px;height:18px;fill:currentColor;vertical-align:middle}
.msg img{max-width:100%;max-height:200px;border-radius:6px;display:block}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
:focus-visible{outline:3px solid ${ink};outline-offset:2px}
.launcher:focus-visible{outline:3px solid ${ink};box-shadow:0 0 0 6px #fff}
@media (max-width:480px){.panel{inset:0;width:auto;max-height:none;border-radius:0;bottom:0}}
</style>
<button class="launcher" data-testid="launcher" aria-label="${T.open}" aria-expanded="false"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z"/></svg><span class="badge" data-testid="unread" hidden></span></button>
<section class="panel" role="dialog" aria-label="${T.title}" hidden data-testid="panel">
<header><h2 data-testid="title"></h2><button type="button" class="restart" data-testid="restart" aria-label="${T.restart}" title="${T.restart}"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 5V2L7 6l5 4V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z"/></svg></button><button type="button" class="close" aria-label="${T.close}" data-testid="close" title="${T.close}"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z"/></svg></button></header>
<div class="log" role="log" aria-live="polite" aria-relevant="additions" data-testid="log"></div>
<div class="status" role="status" data-testid="status"></div>
<div class="tools"><a data-testid="download" download="conversation.txt">${T.transcript}</a><button type="button" data-testid="by-email">${T.byEmail}</button></div>
<form class="input" data-testid="form"><label class="sr" for="q">${T.label}</label><input id="q" name="q" autocomplete="off" maxlength="2000" placeholder="${T.placeholder}" data-testid="input"><button type="button" class="clip" data-testid="attach" aria-label="${T.attach}" title="${T.attach}"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z"/></svg></button><input type="file" class="sr" tabindex="-1" aria-hidden="true" accept="image/jpeg,image/png,image/webp,application/pdf" data-testid="file"><button data-testid="send">${T.send}</button></form>
</section>`;
  const $ = (s) => root.querySelector(s);
  const launcher = $(".launcher"), panel = $(".panel"), log = $(".log"), status = $(".status"), form = $("form.input"), input = $("#q");
  $("h2").textContent = cfg.title || T.title;

  let conv = null; // conversation id
  let events = null;
  let agentSeen = 0; // agent messages shown, to catch up after a reconnection
  let unread = 0;
  const hostTitle = document.title;
  const badge = $(".badge");

  // unseen counts a message that arrived while the panel was closed: a
  // badge on the launcher and the page's title say so.
  function unseen() {
    if (!panel.hidden) return;
    unread++;
    badge.textContent = String(unread);
    badge.hidden = false;
    launcher.setAttribute("aria-label", `${T.open} (${T.unread(unread)})`);
    document.title = `(${unread}) ${T.unread(unread)} — ${hostTitle}`;
  }
  function seen() {
    unread = 0;
    badge.hidden = true;
    launcher.setAttribute("aria-label", T.open);
    document.title = hostTitle;
  }

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

  // file shows an attachment: a photo as an image, a PDF as a link.
  function file(a) {
    const url = `${api}/api/v1/conversations/${conv}/attachments/${a.id}`;
    const link = el("a");
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener";
    if (a.type.startsWith("image/")) {
      const img = el("img");
      img.src = url;
      img.alt = T.photo(a.name);
      link.append(img);
    } else link.textContent = T.pdf(a.name);
    return link;
  }
  function sent(a) {
    const m = el("div", "msg me");
    m.dataset.testid = "me";
    m.append(el("span", "who sr", T.you + " :"), file(a));
    log.append(m);
    scroll();
  }

  // show renders a reply; history replies (resumed after a page load) get
  // no buttons: their questions are over.
  function show(reply, who, history = false) {
    if (who === "agent") agentSeen++;
    const m = el("div", "msg " + (who === "agent" ? "agent" : "bot"));
    m.dataset.testid = who === "agent" ? "agent-reply" : "reply";
    const w = el("span", "who");
    if (who === "agent") w.append(el("span", "avatar", (reply.agentName || "?").slice(0, 1)));
    w.append(el("span", "", who === "agent" ? T.agent(reply.agentName) : T.bot));
    m.append(w);
    // An answer names the question it answers.
    if (reply.title && reply.outcome === "answer") m.append(el("strong", "title", reply.title));
    const body = el("div");
    if (reply.attachment) body.append(file(reply.attachment));
    else body.innerHTML = reply.html; // sanitised by the server
    m.append(body);
    if (!history) unseen();
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
      // Only the latest answer can be judged.
      root.querySelectorAll('[data-testid="helpful"]').forEach((x) => x.remove());
      const h = el("div", "choices");
      h.dataset.testid = "helpful";
      h.append(el("span", "", T.helpful));
      for (const [label, v] of [[T.yes, true], [T.no, false]]) {
        const b = el("button", "", label);
        b.type = "button";
        b.dataset.testid = v ? "helpful-yes" : "helpful-no";
        b.addEventListener("click", async () => {
          h.remove();
          // A helpful answer closes self-service: ask how easy it was (CES).
          if (await send({ helpful: v }, label) && v) effort();
        });
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
    const c = log.lastElementChild;
    list.forEach((ch, i) => { c.children[i].dataset.channel = ch.id; });
  }

  // presence follows whether an agent is available: live chat buttons go
  // when none is, and come back (first) when one is.
  function presence(available) {
    for (const c of root.querySelectorAll('[data-testid="channels"]')) {
      const b = c.querySelector('[data-channel="live_chat"]');
      if (!available && b) b.remove();
      if (available && !b) {
        const nb = el("button", "", T.liveChat);
        nb.type = "button";
        nb.dataset.channel = "live_chat";
        nb.addEventListener("click", () => { c.remove(); channel({ id: "live_chat", title: T.liveChat }); });
        c.prepend(nb);
      }
    }
  }

  // notice is the service speaking: an agent joined, left, closed, or
  // nobody is free yet (then with other channels).
  function notice(text, list) {
    const m = el("div", "msg notice", text);
    m.dataset.testid = "notice";
    log.append(m);
    if (list && list.length) channels(list);
    unseen();
    scroll();
  }

  // rating asks how satisfied the customer is, once the agent closed.
  function rating(question) {
    const f = el("form", "form");
    f.dataset.testid = "rating";
    f.append(el("p", "", question));
    const stars = el("div", "rating");
    stars.setAttribute("role", "group");
    stars.setAttribute("aria-label", T.rate);
    let score = 0;
    for (let n = 1; n <= 5; n++) {
      const b = el("button", "", String(n));
      b.type = "button";
      b.setAttribute("aria-label", T.stars(n));
      b.setAttribute("aria-pressed", "false");
      b.dataset.score = String(n);
      b.addEventListener("click", () => {
        score = n;
        stars.querySelectorAll("button").forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
      });
      stars.append(b);
    }
    const id = "f-rating-comment";
    const l = el("label", "", T.comment);
    l.htmlFor = id;
    const t = el("textarea");
    t.id = id;
    t.name = "comment";
    t.maxLength = 2000;
    const err = el("div", "err");
    err.setAttribute("aria-live", "polite");
    const b = el("button", "", T.submit);
    f.append(stars, l, t, err, b);
    f.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!score) { err.textContent = T.rate + " : 1 à 5."; return; }
      try {
        const r = await call("POST", `/api/v1/conversations/${conv}/rating`, { score, comment: t.value });
        const m = el("div", "msg notice", r.message || T.rated);
        m.dataset.testid = "notice";
        f.replaceWith(m);
      } catch (ex) {
        err.textContent = (ex.data && ex.data.error && ex.data.error.message) || T.error;
      }
    });
    log.append(f);
    unseen();
    scroll();
  }

  // effort asks how easy finding the answer was (1 to 5), once per
  // conversation; one click answers.
  function effort() {
    if (root.querySelector('[data-testid="effort"]')) return;
    const f = el("div", "form");
    f.dataset.testid = "effort";
    const q = el("p", "", T.effort);
    q.id = "effort-q";
    const scale = el("p", "hint", T.effortScale);
    scale.id = "effort-scale";
    const stars = el("div", "rating");
    stars.setAttribute("role", "group");
    stars.setAttribute("aria-labelledby", "effort-q");
    stars.setAttribute("aria-describedby", "effort-scale");
    const err = el("div", "err");
    err.setAttribute("aria-live", "polite");
    for (let n = 1; n <= 5; n++) {
      const b = el("button", "", String(n));
      b.type = "button";
      b.setAttribute("aria-label", T.effortScore(n));
      b.dataset.testid = "effort-" + n;
      b.addEventListener("click", async () => {
        stars.querySelectorAll("button").forEach((x) => { x.disabled = true; });
        try {
          const r = await call("POST", `/api/v1/conversations/${conv}/effort`, { score: n });
          const m = el("div", "msg notice", r.message || T.effortThanks);
          m.dataset.testid = "notice";
          f.replaceWith(m);
        } catch (ex) {
          stars.querySelectorAll("button").forEach((x) => { x.disabled = false; });
          err.textContent = (ex.data && ex.data.error && ex.data.error.message) || T.error;
        }
      });
      stars.append(b);
    }
    f.append(q, scale, stars, err);
    log.append(f);
    unseen();
    scroll();
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
    localStorage.setItem(key, JSON.stringify({ id: conv, who }));
    info(cfg.greeting || c.greeting);
    // The shop's own quick topics (its settings, or its most asked articles).
    choices((c.topics || []).map((t) => [t.title, () => send({ choice: t.id }, t.title)]), "topics");
    refreshDownload();
    listen();
  }

  async function resume(id) {
    try {
      const c = await call("GET", `/api/v1/conversations/${id}`);
      conv = id;
      info(cfg.greeting || c.greeting);
      refreshDownload();
      for (const t of c.turns) {
        if (t.from === "agent") { show({ ...t.reply, attachment: t.attachment, agentName: first(t.agent) }, "agent", true); continue; }
        if (t.attachment) sent(t.attachment);
        if (t.from === "notice") { const m = el("div", "msg notice", t.reply.text); m.dataset.testid = "notice"; log.append(m); continue; }
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
  let typingTimer = 0;
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
        for (const t of agent.slice(agentSeen)) show({ ...t.reply, attachment: t.attachment, agentName: first(t.agent) }, "agent", true);
      } catch (e) { /* the next reconnection tries again */ }
    });
    events.addEventListener("message", (e) => {
      const ev = JSON.parse(e.data);
      if (ev.from === "agent") {
        clearTimeout(typingTimer);
        status.textContent = "";
        show({ html: ev.html, attachment: ev.attachment, agentName: first(ev.agent) }, "agent");
      }
    });
    events.addEventListener("mode", (e) => {
      const ev = JSON.parse(e.data);
      status.textContent = "";
      if (ev.mode === "waiting") status.textContent = T.waiting;
    });
    events.addEventListener("notice", (e) => {
      const ev = JSON.parse(e.data);
      notice(ev.text, ev.channels);
    });
    events.addEventListener("csat", (e) => rating(JSON.parse(e.data).text));
    events.addEventListener("presence", (e) => presence(!!JSON.parse(e.data).available));
    events.addEventListener("typing", (e) => {
      const ev = JSON.parse(e.data);
      if (ev.from !== "agent") return;
      status.textContent = T.agentTyping(first(ev.agent));
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => { if (status.textContent === T.agentTyping(first(ev.agent))) status.textContent = ""; }, 6000);
    });
  }

  async function send(body, shown) {
    if (!conv) await start();
    say(shown);
    status.textContent = T.typing;
    try {
      const r = await call("POST", `/api/v1/conversations/${conv}/messages`, withToken(body));
      status.textContent = "";
      if (r.outcome === "relayed") {
        // Waiting for an agent, or one is already answering: nothing to say.
        if (!root.querySelector('[data-testid="agent-reply"]')) status.textContent = T.waiting;
        return true;
      }
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
    typedAt = 0; // the next words typed are news again
    input.focus();
  });
  // Attachments: a photo or a PDF, typed and checked by the server.
  const picker = $('[data-testid="file"]');
  $('[data-testid="attach"]').addEventListener("click", () => picker.click());
  picker.addEventListener("change", async () => {
    const f = picker.files[0];
    picker.value = "";
    if (!f) return;
    if (f.size > 10 * 1024 * 1024) { info(T.tooBig); return; }
    if (!conv) await start();
    const body = new FormData();
    body.append("file", f, f.name);
    status.textContent = T.typing;
    try {
      const r = await fetch(`${api}/api/v1/conversations/${conv}/attachments`, { method: "POST", body });
      const data = await r.json().catch(() => ({}));
      status.textContent = "";
      if (!r.ok) { info((data.error && data.error.message) || T.error); return; }
      sent(data.attachment);
      if (data.reply && data.reply.html) show(data.reply, "bot");
    } catch (e) {
      status.textContent = "";
      info(T.error);
    }
  });

  // The agent sees that the customer is writing (at most every 3 s).
  let typedAt = 0;
  input.addEventListener("input", () => {
    const now = Date.now();
    if (!conv || !input.value || now - typedAt < 3000) return;
    typedAt = now;
    fetch(`${api}/api/v1/conversations/${conv}/typing`, { method: "POST" }).catch(() => {});
  });

  // The transcript: download it, or receive it by e-mail.
  const download = $('[data-testid="download"]');
  const refreshDownload = () => { if (conv) download.href = `${api}/api/v1/conversations/${conv}/transcript`; };
  $('[data-testid="by-email"]').addEventListener("click", () => {
    if (!conv || root.querySelector('[data-testid="form-transcript"]')) return;
    const f = el("form", "form");
    f.dataset.testid = "form-transcript";
    const l = el("label", "", T.email);
    l.htmlFor = "f-transcript-email";
    const mail = el("input");
    mail.type = "email";
    mail.autocomplete = "email";
    mail.id = "f-transcript-email";
    mail.required = true;
    const err = el("div", "err");
    err.setAttribute("aria-live", "polite");
    f.append(l, mail, err, el("button", "", T.submit));
    f.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const r = await call("POST", `/api/v1/conversations/${conv}/transcript`, { email: mail.value });
        f.replaceWith(el("div", "msg notice", r.message || T.sent));
      } catch (ex) {
        const d = ex.data && ex.data.error;
        err.textContent = (d && ((d.fields && d.fields.email) || d.message)) || T.error;
        mail.focus();
      }
    });
    log.append(f);
    mail.focus();
    scroll();
  });

  async function open() {
    panel.hidden = false;
    seen();
    launcher.setAttribute("aria-expanded", "true");
    input.focus();
    if (!conv) {
      let saved = null;
      try { saved = JSON.parse(localStorage.getItem(key)); } catch (e) { /* an older format: start anew */ }
      if (!(saved && saved.who === who && (await resume(saved.id)))) await start();
    }
  }
  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }
  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));
  $(".close").addEventListener("click", close);
  // « Nouvelle conversation » asks before discarding this one.
  $(".restart").addEventListener("click", () => {
    if (root.querySelector('[data-testid="confirm-restart"]')) return;
    const c = el("div", "form");
    c.dataset.testid = "confirm-restart";
    c.setAttribute("role", "alertdialog");
    c.setAttribute("aria-label", T.restartAsk);
    c.append(el("p", "", T.restartAsk));
    const row = el("div", "choices");
    const yes = el("button", "", T.restartYes);
    yes.type = "button";
    yes.dataset.testid = "restart-yes";
    const no = el("button", "", T.cancel);
    no.type = "button";
    yes.addEventListener("click", () => {
      localStorage.removeItem(key);
      if (events) { events.close(); events = null; }
      conv = null;
      agentSeen = 0;
      log.textContent = "";
      status.textContent = "";
      start();
      input.focus();
    });
    no.addEventListener("click", () => { c.remove(); input.focus(); });
    row.append(yes, no);
    c.append(row);
    log.append(c);
    scroll();
    yes.focus();
  });
  root.addEventListener("keydown", (e) => { if (e.key === "Escape" && !panel.hidden) close(); });

  const mount = () => document.body.append(host);
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
