// The web editor, live: the list filters as the editor types; the edit
// page previews the answer as the server renders it for customers, shows
// the problems beside their field, and publishes without leaving the page,
// so that nothing typed is lost (a refused save keeps the form as it is).
// Without JavaScript the forms still work as plain forms.
"use strict";
(() => {
  const headers = { "X-Requested-With": "fetch" };
  const text = {
    publishing: "Publication en cours…",
    published: "Publié : l’assistant donne désormais cette version.",
    slow: "Enregistré, mais l’assistant ne sert pas encore cette version : vérifiez les erreurs du contenu.",
    failed: "La publication n’a pas pu être envoyée : vérifiez votre connexion puis réessayez. Votre texte est toujours là.",
    noDraftTest: "Le test sur les questions passées n’est pas encore disponible.",
    removeQuestion: "Retirer",
    newQuestion: "Nouvelle question d’exemple",
  };

  function debounce(fn, ms) {
    let t = 0;
    return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
  }

  // Waits until the bot serves the saved version (the content watcher
  // reloads within a second), then calls done(true); done(false) after
  // 30 s.
  function whenServed(url, done) {
    const deadline = Date.now() + 30000;
    const poll = async () => {
      try {
        const r = await fetch(url, { headers, credentials: "same-origin" });
        if (r.ok && (await r.json()).served) return done(true);
      } catch (e) { /* try again */ }
      if (Date.now() > deadline) return done(false);
      setTimeout(poll, 150);
    };
    poll();
  }

  // The list: search and tag filter replace the rows in place.
  const search = document.getElementById("article-search");
  if (search) {
    let seq = 0;
    const refresh = debounce(async () => {
      const params = new URLSearchParams(new FormData(search));
      const mine = ++seq;
      try {
        const r = await fetch(search.dataset.fragment + "?" + params, { headers, credentials: "same-origin" });
        if (!r.ok || mine !== seq) return;
        document.getElementById("article-rows").innerHTML = await r.text(); // looked up: a refresh may replace it
        history.replaceState(null, "", "/editor?" + params);
      } catch (e) { /* the plain form still works */ }
    }, 250);
    search.addEventListener("input", refresh);
    search.addEventListener("change", refresh);
    search.addEventListener("submit", (ev) => { ev.preventDefault(); refresh(); });
  }

  // An article page opened after a plain-form save: say when it is live.
  const state = document.getElementById("publish-state");
  if (state && state.dataset.served) {
    whenServed(state.dataset.served, async (ok) => {
      if (ok) {
        // The page was rendered before the reload: show what is live now.
        try {
          const r = await fetch(location.pathname, { credentials: "same-origin" });
          const fresh = new DOMParser().parseFromString(await r.text(), "text/html").getElementById("article-live");
          const live = document.getElementById("article-live");
          if (r.ok && fresh && live) live.replaceWith(fresh);
        } catch (e) { /* the old content stays; a reload shows the new one */ }
      }
      state.textContent = ok ? (state.dataset.done || text.published) : text.slow;
      state.dataset.published = ok ? "1" : "0";
    });
  }

  const form = document.getElementById("article-form");
  if (!form) return;
  const preview = document.getElementById("preview");
  const status = document.getElementById("save-status");
  const body = form.elements.body;
  const list = document.getElementById("questions");

  const fields = () => new URLSearchParams(new FormData(form));

  // Problems go beside their field, and mark it invalid.
  function markErrors() {
    const by = {};
    preview.querySelectorAll("[data-field]").forEach((li) => {
      const f = li.dataset.field;
      const msg = li.textContent.replace(/^[^:]*: /, "");
      (by[f] = by[f] || []).push(li.dataset.line ? `Ligne ${li.dataset.line} : ${msg}` : msg);
    });
    form.querySelectorAll("[data-error-for]").forEach((p) => {
      const f = p.dataset.errorFor;
      p.textContent = (by[f] || []).join(" ");
      const input = f === "questions" ? list.querySelector("input") : form.elements[f];
      if (input && input.setAttribute) {
        if (by[f]) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    });
  }

  let previewSeq = 0;
  const refreshPreview = debounce(async () => {
    const mine = ++previewSeq;
    try {
      const r = await fetch(form.dataset.preview, { method: "POST", headers, credentials: "same-origin", body: fields() });
      if (!r.ok || mine !== previewSeq) return;
      preview.innerHTML = await r.text();
      markErrors();
    } catch (e) { /* the next keystroke tries again */ }
  }, 300);
  form.addEventListener("input", refreshPreview);
  form.addEventListener("change", refreshPreview);

  // A click on « Ligne 3 du texte » selects that line in the answer.
  preview.addEventListener("click", (ev) => {
    const a = ev.target.closest("a[data-line]");
    if (!a) return;
    ev.preventDefault();
    const n = Number(a.dataset.line);
    const lines = body.value.split("\n");
    let start = 0;
    for (let i = 0; i < n - 1 && i < lines.length; i++) start += lines[i].length + 1;
    body.focus();
    body.setSelectionRange(start, start + (lines[n - 1] || "").length);
  });

  // The list of example questions: add, remove, Enter adds the next one.
  function questionItem(value) {
    const li = document.createElement("li");
    const input = document.createElement("input");
    input.name = "question";
    input.value = value;
    input.setAttribute("aria-label", text.newQuestion);
    input.dataset.testid = "question";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "secondary";
    remove.dataset.remove = "";
    remove.textContent = text.removeQuestion;
    li.append(input, " ", remove);
    return li;
  }
  document.getElementById("add-question").addEventListener("click", () => {
    const li = questionItem("");
    list.append(li);
    li.querySelector("input").focus();
  });
  list.addEventListener("click", (ev) => {
    const btn = ev.target.closest("[data-remove]");
    if (!btn) return;
    const li = btn.closest("li");
    const next = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    if (!list.querySelector("li")) list.append(questionItem(""));
    (next || list.querySelector("li")).querySelector("input").focus();
    refreshPreview();
  });
  // Enter in a question must not publish the form (the browser's implicit
  // submission comes with the key press).
  list.addEventListener("keypress", (ev) => {
    if (ev.key === "Enter" && ev.target.name === "question") ev.preventDefault();
  });
  list.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter" || ev.target.name !== "question") return;
    ev.preventDefault();
    const li = questionItem("");
    ev.target.closest("li").after(li);
    li.querySelector("input").focus();
  });

  // Publishing: one click; the answer says what happened, the form stays.
  let saving = false;
  async function publish() {
    if (saving) return;
    saving = true;
    status.className = "";
    status.textContent = text.publishing;
    try {
      const r = await fetch(form.action, { method: "POST", headers, credentials: "same-origin", body: fields() });
      const res = await r.json().catch(() => ({ message: text.failed }));
      if (r.ok && res.ok) {
        form.elements.base.value = res.base;
        form.elements.path.value = res.path;
        form.elements.original.value = res.id;
        form.action = "/editor/articles/" + encodeURIComponent(res.id);
        history.replaceState(null, "", res.edit);
        status.textContent = res.message;
        whenServed(res.served, (ok) => {
          status.className = ok ? "ok" : "error";
          status.textContent = ok ? text.published : text.slow;
          if (ok) {
            const link = document.createElement("a");
            link.href = "/editor/articles/" + encodeURIComponent(res.id);
            link.textContent = " Voir l’article";
            status.append(link);
          }
          status.dataset.published = ok ? String(res.version) : "";
        });
      } else {
        status.className = "error";
        if (res.message) status.innerHTML = res.message; // rendered and escaped by the server
        else status.textContent = (res.error && res.error.message) || text.failed; // a session ended, a body too large…
        if (res.preview !== undefined) {
          preview.innerHTML = res.preview;
          markErrors();
        }
      }
    } catch (e) {
      status.className = "error";
      status.textContent = text.failed;
    } finally {
      saving = false;
    }
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); publish(); });
  // After a conflict, saving over the other version is an explicit choice.
  status.addEventListener("click", (ev) => {
    const btn = ev.target.closest("[data-force-base]");
    if (!btn) return;
    form.elements.base.value = btn.dataset.forceBase;
    publish();
  });

  // The draft test is another module: loaded on demand, and absent from
  // builds that do not ship it.
  const testButton = document.getElementById("draft-test-button");
  const section = document.getElementById("draft-test");
  testButton.hidden = false;
  testButton.addEventListener("click", async () => {
    let draft;
    try {
      const r = await fetch(form.dataset.source, { method: "POST", headers, credentials: "same-origin", body: fields() });
      draft = await r.json();
    } catch (e) {
      section.textContent = text.failed;
      return;
    }
    import("/static/drafttest.js").then(
      (m) => m.runDraftTest(section, { path: draft.path, source: draft.source, original: draft.original }),
      () => { section.textContent = text.noDraftTest; });
  });
})();
