// "My selection": a list of practice slugs kept in this browser (localStorage, never a cookie).
// Without JavaScript the selection page works from its address (?slugs=a,b,c) alone.
(function () {
  "use strict";
  var KEY = "kb-selection";

  function load() {
    try {
      var value = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(value) ? value.filter(function (s) { return typeof s === "string"; }) : [];
    } catch (e) { return []; }
  }
  function save(slugs) {
    try { window.localStorage.setItem(KEY, JSON.stringify(slugs)); } catch (e) { /* private mode */ }
  }
  function same(a, b) { return a.length === b.length && a.every(function (s, i) { return s === b[i]; }); }

  // Practice pages: the "Add to my selection" link becomes a toggle button.
  document.querySelectorAll("a.selection-add").forEach(function (link) {
    var slug = link.getAttribute("data-slug");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "selection-toggle";
    function refresh() {
      var on = load().indexOf(slug) >= 0;
      button.textContent = on ? link.getAttribute("data-remove-label") : link.getAttribute("data-add-label");
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
    button.addEventListener("click", function () {
      var slugs = load();
      var at = slugs.indexOf(slug);
      if (at >= 0) { slugs.splice(at, 1); } else { slugs.push(slug); }
      save(slugs);
      refresh();
    });
    refresh();
    link.parentNode.insertBefore(button, link);
    link.textContent = link.getAttribute("data-view-label");
    link.href = link.getAttribute("data-selection-url");
  });

  // The selection page: show the stored list; a shared list can be adopted, never overwrites.
  var page = document.getElementById("my-selection");
  if (!page) { return; }
  var shown = (page.getAttribute("data-slugs") || "").split(",").filter(Boolean);
  var mine = load();
  if (page.getAttribute("data-has-slugs") === "no" && mine.length) {
    window.location.replace(window.location.pathname + "?slugs=" + encodeURIComponent(mine.join(",")));
    return;
  }
  if (!mine.length || same(shown, mine)) {
    save(shown);
    page.querySelectorAll("a.selection-remove").forEach(function (link) {
      link.addEventListener("click", function () {
        save(load().filter(function (s) { return s !== link.getAttribute("data-slug"); }));
      });
    });
  } else {
    var adopt = page.querySelector(".selection-adopt");
    if (adopt) {
      adopt.hidden = false;
      adopt.querySelector("button").addEventListener("click", function () { save(shown); adopt.hidden = true; });
    }
  }
})();
