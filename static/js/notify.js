// The bell's unread count: fetched when the page did not render it, then kept current while the page
// stays open (no inline script: strict CSP).
(function () {
  "use strict";
  var EVERY_MS = 60000;

  function update(bell, count) {
    var badge = bell.querySelector("[data-unread-count]");
    var number = bell.querySelector("[data-unread-number]");
    if (!badge || !number) { return; }
    number.textContent = String(count);
    badge.hidden = count === 0;
  }

  function refresh(bell) {
    if (document.visibilityState !== "visible") { return; }
    fetch(bell.getAttribute("data-unread-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && typeof data.unread === "number") { update(bell, data.unread); } })
      .catch(function () { /* offline for a moment: keep the last count */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var bell = document.querySelector(".notify-bell[data-unread-url]");
    if (!bell) { return; }
    if (bell.hasAttribute("data-unread-pending")) { refresh(bell); }
    window.setInterval(function () { refresh(bell); }, EVERY_MS);
    document.addEventListener("visibilitychange", function () { refresh(bell); });
  });
})();
