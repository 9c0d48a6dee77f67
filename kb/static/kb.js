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
})();
