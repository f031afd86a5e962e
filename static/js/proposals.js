// Proposals: a live character count (文字数) against the section's length hint. No inline handlers (CSP).
(function () {
  "use strict";
  function count(text) { return text.replace(/\s/g, "").length; }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-counter-for]").forEach(function (out) {
      var field = document.getElementById(out.getAttribute("data-counter-for"));
      if (!field) { return; }
      var min = out.hasAttribute("data-min") ? parseInt(out.getAttribute("data-min"), 10) : null;
      var max = out.hasAttribute("data-max") ? parseInt(out.getAttribute("data-max"), 10) : null;
      var label = out.textContent.replace(/[0-9]+/, "{n}");
      function update() {
        var n = count(field.value);
        out.textContent = label.replace("{n}", String(n));
        out.classList.toggle("over", max !== null && n > max);
        out.classList.toggle("under", min !== null && n > 0 && n < min);
      }
      field.addEventListener("input", update);
      update();
    });
  });
})();
