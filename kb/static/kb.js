// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Apply a facet as soon as it is ticked (the "Apply filters" button stays for keyboard users).
  document.querySelectorAll("form.filters input[type=checkbox]").forEach(function (box) {
    box.addEventListener("change", function () { box.form.submit(); });
  });
  document.querySelectorAll("form.sort-form select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Narrow screens: the filters come before the results in the page, and they are long. Fold
  // them behind a button in their heading (a disclosure), so that the results show first; the
  // page order, and so the tab order, stays the same. Without JavaScript they are all shown.
  var filters = document.querySelector("form.filters");
  var heading = filters && filters.querySelector(".filters-title");
  if (heading && window.matchMedia) {
    var narrow = window.matchMedia("(max-width: 52rem)");
    var label = heading.textContent.trim();
    var body = document.createElement("div");
    body.id = "filters-body";
    while (heading.nextSibling) { body.appendChild(heading.nextSibling); }
    filters.appendChild(body);
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "filters-toggle";
    toggle.textContent = label;
    toggle.setAttribute("aria-controls", body.id);
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      body.hidden = !open;
    });
    var fold = function () {
      if (narrow.matches) {
        heading.textContent = "";
        heading.appendChild(toggle);
        toggle.setAttribute("aria-expanded", "false");
        body.hidden = true;
      } else {
        heading.textContent = label;
        body.hidden = false;
      }
    };
    fold();
    if (narrow.addEventListener) { narrow.addEventListener("change", fold); }
  }

  // Suggestions while typing, through the native <datalist> (accessible without ARIA widgets).
  var input = document.querySelector("input[data-suggest]");
  if (!input || !window.fetch) { return; }
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null;
  var last = "";
  input.addEventListener("input", function () {
    var q = input.value.trim();
    if (q.length < 2 || q === last) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () {
      last = q;
      var url = input.dataset.suggest + "?lang=" + encodeURIComponent(input.dataset.lang) +
        "&q=" + encodeURIComponent(q);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) {
          list.textContent = "";
          data.suggestions.forEach(function (s) {
            var option = document.createElement("option");
            option.value = s.label;
            list.appendChild(option);
          });
        })
        .catch(function () { /* suggestions are optional */ });
    }, 150);
  });
  // Spotlight drafts also save every 30 s while someone types (the form saves on every submit
  // without JavaScript); only what changed is sent, and a failure waits for the next round.
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var serialise = function () {
      var data = new FormData(form);
      data.set("action", "save");
      return data;
    };
    var last = new URLSearchParams(serialise()).toString();
    window.setInterval(function () {
      var data = serialise();
      var now = new URLSearchParams(data).toString();
      if (now === last) { return; }
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { if (response.ok) { last = now; } })
        .catch(function () { /* the next round, or the next submit, saves it */ });
    }, 30000);
  });
})();
