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
  // File inputs: the browser draws their button and "no file" text in the browser's language ("Choose File",
  // "No file chosen" on an English browser). Lay the page's own words over the real input (still the control
  // that is clicked, focused, required and submitted; it is only made transparent) and show the chosen
  // name(s). The words come from the input's data-file-button / data-file-empty (PortalFileInput,
  // includes/file_input.html), else from <body>. Without JavaScript the native input shows as it is.
  function showFiles(input) {
    var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    var box = input.parentNode.querySelector(".filepick-name");
    box.textContent = names.length ? names.join(", ") : (input.dataset.fileEmpty || document.body.dataset.fileEmpty || "");
    box.classList.toggle("muted", !names.length);
    box.title = names.join("\n");
  }
  var filepicks = 0;
  function enhanceFiles(root) {
    var inputs = root.querySelectorAll ? root.querySelectorAll("input[type=file]:not([data-filepick])") : [];
    Array.prototype.forEach.call(inputs, function (input) {
      input.setAttribute("data-filepick", "");
      var wrap = document.createElement("span");
      wrap.className = "filepick";
      var button = document.createElement("span");
      button.className = "filepick-button";
      button.setAttribute("aria-hidden", "true");
      button.textContent = input.dataset.fileButton || document.body.dataset.fileButton || "";
      var name = document.createElement("span");
      name.className = "filepick-name";
      name.id = "filepick-name-" + (++filepicks);
      input.parentNode.insertBefore(wrap, input);
      wrap.appendChild(input);
      wrap.appendChild(button);
      wrap.appendChild(name);
      input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + name.id).trim());
      input.addEventListener("change", function () { showFiles(input); });
      showFiles(input);
    });
  }
  enhanceFiles(document);
  document.addEventListener("htmx:load", function (event) { enhanceFiles(event.detail.elt); });
  window.addEventListener("pageshow", function () {  // back to a page whose inputs the browser kept filled
    Array.prototype.forEach.call(document.querySelectorAll("input[data-filepick]"), showFiles);
  });
  document.addEventListener("reset", function (event) {
    window.setTimeout(function () {
      Array.prototype.forEach.call(event.target.querySelectorAll("input[data-filepick]"), showFiles);
    }, 0);
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
