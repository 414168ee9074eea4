// The questions to learn from, live: the list is fetched again every 20 s
// (and when the tab comes back), replaced in place with the focused link
// kept, and filtered as the editor types, without a reload.
"use strict";
(() => {
  const section = document.getElementById("questions");
  const filter = document.getElementById("q-filter");
  const shown = document.getElementById("q-shown");
  if (!section || !filter) return;
  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();

  function apply() {
    const want = fold(filter.value);
    const rows = section.querySelectorAll(".q-row");
    let n = 0;
    rows.forEach((row) => {
      const text = fold(row.querySelector(".q-text")?.textContent || "");
      row.hidden = want !== "" && !text.includes(want);
      if (!row.hidden) n++;
    });
    shown.textContent = want === "" ? "" : (n === 0 ? "aucune question ne correspond" : n === 1 ? "1 question affichée" : `${n} questions affichées`);
  }
  filter.addEventListener("input", apply);

  async function refresh() {
    const url = "/editor/fragments/questions?tri=" + encodeURIComponent(section.dataset.order || "");
    try {
      const r = await fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" });
      if (!r.ok) return;
      const html = await r.text();
      const focused = section.contains(document.activeElement) ? document.activeElement.getAttribute("href") : null;
      const tpl = document.createElement("template");
      tpl.innerHTML = html;
      const next = tpl.content.getElementById("questions-list");
      const cur = document.getElementById("questions-list");
      if (!next || !cur || next.innerHTML === cur.innerHTML) return;
      cur.replaceWith(next);
      if (focused) {
        const again = [...section.querySelectorAll("a")].find((a) => a.getAttribute("href") === focused);
        if (again) again.focus();
      }
      section.dataset.refreshed = String(Number(section.dataset.refreshed || 0) + 1);
      apply();
    } catch (e) { /* offline: the next round tries again */ }
  }
  setInterval(() => { if (!document.hidden) refresh(); }, 20000);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  window.addEventListener("focus", refresh);
  section.dataset.live = "1";
})();
