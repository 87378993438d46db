// Type-ahead pickers: every <select data-picker> becomes a Tom Select (vendored). "search" keeps one
// value; "tags" shows a multi-select as removable tags. Search ignores diacritics and case.
(function () {
  "use strict";
  function esc(value) {
    return String(value || "").replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }
  function init(root) {
    if (!window.TomSelect) return;
    (root || document).querySelectorAll("select[data-picker]").forEach(function (el) {
      if (el.tomselect) return;
      var tags = el.dataset.picker === "tags";
      new window.TomSelect(el, {
        plugins: tags ? ["remove_button"] : [],
        maxOptions: null,
        diacritics: true,
        allowEmptyOption: !el.required,
        placeholder: el.dataset.placeholder || "",
        hidePlaceholder: !tags,
        sortField: [{ field: "$order" }, { field: "$score" }],
        onItemAdd: tags ? function () { this.setTextboxValue(""); this.refreshOptions(false); } : undefined,
        render: {
          no_results: function () { return '<div class="no-results">' + esc(el.dataset.noResults) + "</div>"; }
        }
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
