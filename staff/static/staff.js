// The staff web's small behaviours. Loaded as a file (the CSP forbids inline script):
// submit-on-change selects, confirmations, print buttons and export progress polling.
"use strict";
(function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function () { window.print(); });
  });

  // An export being written: poll its status and offer the file when it is ready.
  document.querySelectorAll("[data-export-status]").forEach(function (box) {
    var url = box.getAttribute("data-export-status");
    var bar = box.querySelector("progress");
    var label = box.querySelector("[data-export-label]");
    var link = box.querySelector("[data-export-link]");
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (bar) {
            if (s.total) { bar.max = s.total; bar.value = s.done; } else { bar.removeAttribute("value"); }
          }
          if (label) label.textContent = s.label;
          if (s.status === "done") {
            if (bar) { bar.max = 1; bar.value = 1; }
            if (link) { link.hidden = false; }
            box.setAttribute("data-state", "done");
          } else if (s.status === "failed") {
            box.setAttribute("data-state", "failed");
          } else {
            window.setTimeout(poll, 700);
          }
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    }
    poll();
  });
})();
