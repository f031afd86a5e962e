// Renkei — small progressive enhancements. No inline handlers anywhere (strict CSP).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Mobile navigation toggle
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // Confirm before destructive posts: <form data-confirm="...">
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
    // One submit per form: a double click never posts twice (the server also refuses duplicates).
    document.querySelectorAll("form[method=post], form[method=POST]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (event.defaultPrevented) { return; }
        if (form.dataset.submitted === "1") { event.preventDefault(); return; }
        form.dataset.submitted = "1";
        window.setTimeout(function () { form.dataset.submitted = ""; }, 5000);
      });
    });
  });
})();
