// Site-wide behaviour, no inline script (strict CSP).
(function () {
  "use strict";
  // htmx requests carry the CSRF token from <body data-csrf>.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.body.dataset.csrf;
    if (token) { event.detail.headers["X-CSRFToken"] = token; }
  });
  // Buttons with data-confirm ask before submitting.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); return; }
    // An upload (a multipart form sent by the page itself) can take a while: show that it is under way
    // and keep the button from being pressed twice. Disabled after this tick so its value is still sent.
    var form = event.target;
    if (form.enctype === "multipart/form-data" && !form.hasAttribute("hx-post") && button) {
      var label = document.body.dataset.busyLabel;
      window.setTimeout(function () {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
        if (label) button.textContent = label;
      }, 0);
    }
  });
  // Phone: the menu button opens and closes the main navigation.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".navtoggle");
    if (!toggle) return;
    var bar = toggle.closest(".topbar");
    var open = !bar.classList.contains("nav-open");
    bar.classList.toggle("nav-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
