// Directory: keep the search field handy and let a token be copied with one click. No inline handlers (CSP).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // "/" focuses the directory search, as on many search pages (not while typing elsewhere).
    var search = document.querySelector(".directory-search input[type=search]");
    if (search) {
      document.addEventListener("keydown", function (event) {
        var tag = (event.target && event.target.tagName) || "";
        if (event.key === "/" && tag !== "INPUT" && tag !== "TEXTAREA" && tag !== "SELECT") {
          event.preventDefault();
          search.focus();
          search.select();
        }
      });
    }
    // Select the whole new token on click, ready to copy.
    var token = document.getElementById("new-token");
    if (token && window.getSelection) {
      token.addEventListener("click", function () {
        var range = document.createRange();
        range.selectNodeContents(token);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      });
    }
  });
})();
