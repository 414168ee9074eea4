// The draft test: what saving an article would change on the shop's real
// past questions, shown in the editor before publishing. The editor page
// calls runDraftTest(section, {path, source, original}); this module posts
// the draft, shows the progress while the server ranks every question with
// the live assistant and with the draft, then the diff with its counts.
// No inline script or style: it runs under the pages' strict CSP.

const T = {
  running: "Test du brouillon sur les questions posées par les clients ces 90 derniers jours…",
  progress: (done, total) => `${done} classements sur ${total}`,
  training: "Préparation de l’assistant avec le brouillon…",
  failed: "Le test n’a pas pu être lancé. Vérifiez votre connexion et réessayez.",
  title: "Ce que ce brouillon changerait",
  tested: (n, asked, s) => `${n} question${n > 1 ? "s" : ""} différente${n > 1 ? "s" : ""} (posée${asked > 1 ? "s" : ""} ${asked} fois) testée${n > 1 ? "s" : ""} en ${s}.`,
  none: "Aucune question passée ne change de réponse.",
  noQuestions: "Aucune question de client n’est enregistrée sur les 90 derniers jours : rien à comparer pour l’instant.",
  // Counts are askings: a question asked 3 times counts 3.
  lists: {
    gained: ["dt-gain", "questions posées obtiendraient cet article"],
    lost: ["dt-lost", "questions posées ne l’obtiendraient plus"],
    answered: ["dt-answered", "questions posées passeraient de « sans réponse » à une réponse"],
    missed: ["dt-missed", "questions posées passeraient d’une réponse à « sans réponse »"],
  },
  one: {
    gained: "question posée obtiendrait cet article",
    lost: "question posée ne l’obtiendrait plus",
    answered: "question posée passerait de « sans réponse » à une réponse",
    missed: "question posée passerait d’une réponse à « sans réponse »",
  },
  questions: (n) => `${n} fois`,
  head: ["Question", "Posée", "Avant", "Après"],
  miss: "sans réponse",
  clarify: (t) => `choix proposé, « ${t} » en premier`,
  answer: (t) => `« ${t} »`,
  more: (n) => `Seules les ${n} plus fréquentes sont listées.`,
};

const runs = new WeakMap(); // section -> the run in progress

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function stylesheet() {
  if (document.querySelector('link[href="/static/learn.css"]')) return;
  document.head.append(el("link", { rel: "stylesheet", href: "/static/learn.css" }));
}

function verdict(v) {
  if (v.outcome === "answer") return T.answer(v.title || v.article);
  if (v.outcome === "clarify") return T.clarify(v.title || v.article);
  return T.miss;
}

function errorBox(message, fields) {
  const box = el("div", { class: "dt-error", role: "alert", "data-testid": "draft-test-error" }, el("p", {}, message));
  const lines = Object.values(fields || {});
  if (lines.length > 1) box.append(el("ul", {}, ...lines.map((l) => el("li", {}, l))));
  return box;
}

// label names a list for its count (« 1 question posée… », « 0 questions… »).
function label(key, n) {
  return n === 1 ? T.one[key] : T.lists[key][1];
}

function list(key, changes, count, limit) {
  const cls = T.lists[key][0];
  const d = el("details", { class: "dt-list " + cls, "data-testid": "draft-test-" + key });
  d.append(el("summary", {}, `${count} ${label(key, count)}`));
  if (changes.length === 0) return d;
  if (changes.length >= limit) d.append(el("p", {}, T.more(limit)));
  const body = el("tbody");
  for (const c of changes) {
    body.append(el("tr", {}, el("td", {}, "« " + c.question + " »"), el("td", {}, T.questions(c.count)),
      el("td", {}, verdict(c.before)), el("td", {}, verdict(c.after))));
  }
  d.append(el("table", {}, el("thead", {}, el("tr", {}, ...T.head.map((h) => el("th", { scope: "col" }, h)))), body));
  return d;
}

function result(st) {
  const d = st.result;
  const out = [el("h2", {}, T.title)];
  if (st.questions === 0) {
    out.push(el("p", { class: "dt-none" }, T.noQuestions));
    return out;
  }
  const secs = (st.took_ms / 1000).toLocaleString("fr-FR", { maximumFractionDigits: 1 }) + " s";
  out.push(el("p", { "data-testid": "draft-test-summary" }, T.tested(d.distinct, d.asked, secs)));
  const counts = d.counts;
  const total = counts.gained + counts.lost + counts.answered + counts.missed;
  const grid = el("ul", { class: "dt-counts" });
  for (const key of Object.keys(T.lists)) {
    grid.append(el("li", { class: T.lists[key][0] }, el("strong", { "data-testid": "count-" + key }, String(counts[key])), label(key, counts[key])));
  }
  out.push(grid);
  if (total === 0) out.push(el("p", { class: "dt-none" }, T.none));
  for (const key of Object.keys(T.lists)) {
    out.push(list(key, d[key], counts[key], d.limit));
  }
  return out;
}

// runDraftTest tests the draft and shows the outcome in section. It
// resolves with the finished test ({state, result, ...}), or null when the
// draft is invalid or the test failed (section then says why).
export async function runDraftTest(section, { path, source, original }) {
  stylesheet();
  const run = {};
  runs.set(section, run);
  const csrf = document.querySelector("input[name=_csrf]")?.value || "";
  const headers = { "Content-Type": "application/json", "X-Requested-With": "fetch" };
  const status = el("p", { class: "dt-status", "data-testid": "draft-test-status" }, T.running);
  const bar = el("progress", { class: "dt-progress", "aria-label": T.running });
  section.setAttribute("aria-busy", "true");
  section.replaceChildren(status, bar);
  const finish = (nodes, value) => {
    if (runs.get(section) !== run) return null;
    section.replaceChildren(...nodes);
    section.removeAttribute("aria-busy");
    return value;
  };
  try {
    const r = await fetch("/editor/draft-tests?_csrf=" + encodeURIComponent(csrf), {
      method: "POST", headers, credentials: "same-origin",
      body: JSON.stringify({ path: path || "", source: source || "", original: original || "" }),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) return finish([errorBox(body.error?.message || T.failed, body.error?.fields)], null);
    for (;;) {
      await new Promise((ok) => setTimeout(ok, 300));
      if (runs.get(section) !== run) return null; // a newer test replaced this one
      const p = await fetch("/editor/draft-tests/" + encodeURIComponent(body.id), { headers, credentials: "same-origin" });
      const st = await p.json().catch(() => ({}));
      if (!p.ok) return finish([errorBox(st.error?.message || T.failed)], null);
      if (st.state === "done") return finish(result(st), st);
      if (st.state === "failed") return finish([errorBox(st.error || T.failed)], null);
      if (st.total > 0) {
        bar.max = st.total;
        bar.value = st.done;
        bar.setAttribute("aria-valuetext", T.progress(st.done, st.total));
      }
      status.textContent = st.state === "training" && st.done === 0 ? T.training : T.running;
    }
  } catch (e) {
    return finish([errorBox(T.failed)], null);
  }
}
