// Demo shop page: embeds the widget as a merchant would, with the signed
// token of the demo customer chosen in the header.
"use strict";
(async () => {
  const who = document.getElementById("who");
  const chosen = sessionStorage.getItem("guichet-demo-customer") || "";
  who.value = chosen;
  who.addEventListener("change", () => {
    sessionStorage.setItem("guichet-demo-customer", who.value);
    for (const k of Object.keys(localStorage)) if (k.startsWith("guichet:")) localStorage.removeItem(k);
    location.reload();
  });
  const s = document.createElement("script");
  s.src = "/widget.js";
  s.async = true;
  s.dataset.title = "Aide — " + document.title.split(" — ")[0];
  s.dataset.color = "#2d4a3e";
  if (chosen) {
    const r = await fetch("/demo/token?customer=" + encodeURIComponent(chosen));
    if (r.ok) s.dataset.customerToken = (await r.json()).token;
  }
  document.body.append(s);
})();
