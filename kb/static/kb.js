// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Ticking a filter or choosing a sort order never reloads the page by itself (WCAG 3.2.2):
  // the reader applies with the button. A polite status says that the results wait for it.
  document.querySelectorAll("form.filters").forEach(function (form) {
    var status = form.querySelector(".filters-status");
    form.addEventListener("change", function () {
      if (status) { status.textContent = form.dataset.pending || ""; }
      form.classList.add("filters-pending");
    });
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
  // (A page without the search box still runs the form helpers below: no early return here.)
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    if (!window.fetch) { return; }
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
  });

  // Spotlight drafts also save every 30 s while someone types (the form saves on every submit
  // without JavaScript); only what changed is sent, and a failure waits for the next round.
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var serialise = function () {
      var data = new FormData(form);
      data.set("action", "save");
      return data;
    };
    // What was typed, without the version the form keeps up to date after each save (a new
    // version alone is not a change to send).
    var typed = function (data) {
      var fields = new URLSearchParams(data);
      fields.delete("version");
      return fields.toString();
    };
    var last = typed(serialise());
    // Not form.action: the buttons named "action" shadow it (it would be a RadioNodeList).
    var target = form.getAttribute("action");
    var timer = window.setInterval(function () {
      var data = serialise();
      var now = typed(data);
      if (now === last) { return; }
      fetch(target, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", Accept: "application/json" }
      })
        .then(function (response) {
          if (response.status === 409) {
            // Saved elsewhere since this page opened: stop, and let a full save show the
            // difference (the text typed here stays in the form).
            window.clearInterval(timer);
            return response.json().then(function (body) {
              var notice = document.createElement("p");
              notice.className = "flash flash-error";
              notice.setAttribute("role", "alert");
              notice.textContent = body.error;
              form.insertBefore(notice, form.firstChild);
            });
          }
          if (!response.ok) { return null; }
          return response.json().then(function (body) {
            last = now;
            if (form.elements.version && body.version) { form.elements.version.value = body.version; }
          });
        })
        .catch(function () { /* the next round, or the next submit, saves it */ });
    }, 30000);
  });
  // Live preview: a moment after typing stops, the form (its CSRF token included) is sent to the
  // preview endpoint, which renders it with the public practice template; the article is shown
  // below the form. Nothing is saved. Without JavaScript, "Save and preview" does the same.
  document.querySelectorAll("form[data-live-preview]").forEach(function (form) {
    var pane = document.getElementById("live-preview");
    if (!pane || !window.fetch || !window.DOMParser) { return; }
    var body = pane.querySelector(".live-preview-body");
    var timer = null;
    var sent = "";
    var refresh = function () {
      var data = new FormData(form);
      data.delete("action");
      var now = new URLSearchParams(data).toString();
      if (now === sent) { return; }
      sent = now;
      fetch(form.dataset.livePreview, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var shown = doc.querySelector("article.practice") || doc.querySelector(".preview-needs");
          if (!shown) { return; }
          var copy = document.importNode(shown, true);
          // The form's page keeps its own ids unique: the copy's ids and references go.
          copy.querySelectorAll("[id], [aria-labelledby], [aria-describedby]").forEach(function (el) {
            el.removeAttribute("id");
            el.removeAttribute("aria-labelledby");
            el.removeAttribute("aria-describedby");
          });
          body.replaceChildren(copy);
          pane.hidden = false;
        })
        .catch(function () { sent = ""; /* the next change tries again */ });
    };
    var later = function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 800);
    };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    refresh();
  });
})();

(function () {
  "use strict";

  // Collections (curators): drag a practice to a new place; the whole order is then sent through
  // the page's order form. Without JavaScript, the up/down buttons and position fields do the same.
  document.querySelectorAll("ol[data-sortable]").forEach(function (list) {
    var form = document.getElementById(list.getAttribute("data-sortable"));
    if (!form) { return; }
    var dragged = null;
    var order = function () {
      var ids = [];
      list.querySelectorAll("li[data-id]").forEach(function (li) { ids.push(li.getAttribute("data-id")); });
      return ids.join(",");
    };
    var saved = order();
    list.querySelectorAll("li[data-id]").forEach(function (item) {
      item.setAttribute("draggable", "true");
      item.classList.add("is-draggable");
      item.addEventListener("dragstart", function (event) {
        dragged = item;
        item.classList.add("is-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", item.getAttribute("data-id"));
      });
      // Wherever the drag ends, a changed order is saved (the page reloads with it).
      item.addEventListener("dragend", function () {
        item.classList.remove("is-dragging");
        dragged = null;
        if (order() !== saved) {
          form.querySelector("input[name=order]").value = order();
          form.submit();
        }
      });
    });
    // Over the list (the dragged item included), a drop is allowed; over another item, the
    // dragged one takes its place above or below it.
    list.addEventListener("dragover", function (event) {
      if (!dragged) { return; }
      event.preventDefault();
      var item = event.target.closest ? event.target.closest("li[data-id]") : null;
      if (!item || item === dragged || item.parentNode !== list) { return; }
      var box = item.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? item.nextSibling : item);
    });
    list.addEventListener("drop", function (event) { event.preventDefault(); });
  });
})();
