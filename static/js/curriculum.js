// Curriculum pages: small helpers, no inline handlers (strict CSP). The server checks everything again.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key] !== undefined ? values[key] : ""; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Attendance: mark everyone still blank as present.
    document.querySelectorAll("[data-fill-attendance]").forEach(function (button) {
      button.addEventListener("click", function () {
        var value = button.getAttribute("data-fill-attendance");
        document.querySelectorAll("select.attendance-status").forEach(function (select) {
          if (!select.value) { select.value = value; }
        });
      });
    });

    // Copy the calendar address.
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var input = document.querySelector(button.getAttribute("data-copy"));
        if (!input) { return; }
        input.select();
        var done = function () { button.textContent = button.getAttribute("data-copied") || button.textContent; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
        } else {
          document.execCommand("copy");
          done();
        }
      });
    });

    // Files: say at once when a chosen file is too big or of the wrong type, or when all of them
    // together exceed what the server accepts in one request (it would refuse the whole form, and
    // the text with it): such a form is not sent until the files are changed.
    var rules = document.querySelector("[data-file-limit]");
    var input = document.querySelector("input[type=file][name=files]");
    if (rules && input) {
      var limit = parseInt(rules.getAttribute("data-file-limit"), 10);
      var total = parseInt(rules.getAttribute("data-total-limit") || "0", 10);
      var types = (rules.getAttribute("data-file-types") || "").split(",");
      var box = document.createElement("ul");
      box.className = "errors file-problem";
      box.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", box);
      if (input.form) {
        input.form.addEventListener("submit", function (event) {
          if (box.childElementCount > 0) {
            event.preventDefault();
            input.form.dataset.submitted = "";  // not sent: app.js's double-submit guard must not hold it
            input.focus();
          }
        });
      }
      input.addEventListener("change", function () {
        box.textContent = "";
        var sum = 0;
        Array.prototype.forEach.call(input.files, function (file) { sum += file.size; });
        if (total && sum > total) {
          var all = document.createElement("li");
          all.textContent = fill(rules.getAttribute("data-message-total"), { mb: rules.getAttribute("data-total-mb") });
          box.appendChild(all);
        }
        Array.prototype.forEach.call(input.files, function (file) {
          var ext = file.name.indexOf(".") >= 0 ? file.name.split(".").pop().toLowerCase() : "";
          var message = null;
          if (types.indexOf(ext) < 0) {
            message = fill(rules.getAttribute("data-message-type"), { name: file.name, types: types.join(", ") });
          } else if (file.size > limit) {
            message = fill(rules.getAttribute("data-message-size"), { name: file.name, mb: rules.getAttribute("data-mb") });
          }
          if (message) {
            var item = document.createElement("li");
            item.textContent = message;
            box.appendChild(item);
          }
        });
      });
    }
  });
})();
