// Renkei wiki — keeps an edit in progress in this browser (localStorage) so that a closed tab, a crash
// or an expired session never loses it; helps resolving an edit conflict. No inline handlers (CSP).
(function () {
  "use strict";

  function read(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function write(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full or disabled */ }
  }
  function forget(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* disabled */ }
  }

  function setupEditor(textarea) {
    var key = textarea.getAttribute("data-draft-key");
    var form = textarea.form;
    var base = form.querySelector("input[name=base_revision_id]");
    var title = form.querySelector("input[name=title]");
    var notice = document.querySelector("[data-draft-notice]");
    var original = { text: textarea.value, base: base ? base.value : "", title: title ? title.value : "" };
    var submitting = false;
    var timer = null;

    function current() {
      return { text: textarea.value, base: base ? base.value : "", title: title ? title.value : "",
               savedAt: new Date().toISOString() };
    }
    function save() {
      timer = null;
      var now = current();
      if (now.text === original.text && now.title === original.title && now.base === original.base) {
        forget(key);  // nothing typed: nothing to keep
      } else {
        write(key, now);
      }
    }
    function later() {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(save, 400);
    }
    function apply(state) {
      textarea.value = state.text;
      if (base && state.base) { base.value = state.base; }
      if (title && typeof state.title === "string" && state.title) { title.value = state.title; }
    }

    if (textarea.getAttribute("data-draft-restore") === "on") {
      var stored = read(key);
      if (stored && typeof stored.text === "string" &&
          (stored.text !== original.text || (title && stored.title && stored.title !== original.title))) {
        apply(stored);
        if (notice) {
          notice.hidden = false;
          var discard = notice.querySelector("[data-draft-discard]");
          if (discard) {
            discard.addEventListener("click", function () {
              apply(original);
              forget(key);
              notice.hidden = true;
              textarea.focus();
            });
          }
        }
      }
    } else {
      // The server sent the editor back (conflict, error, preview): what is shown now is the draft.
      write(key, current());
      original = { text: "\u0000", base: "", title: "" };  // so leaving the page still warns
    }

    textarea.addEventListener("input", later);
    if (title) { title.addEventListener("input", later); }
    form.addEventListener("submit", function () {
      submitting = true;
      if (timer) { window.clearTimeout(timer); }
      save();
    });
    window.addEventListener("beforeunload", function (event) {
      var now = current();
      if (!submitting && (now.text !== original.text || now.title !== original.title)) {
        save();
        event.preventDefault();
        event.returnValue = "";
      }
    });

    document.querySelectorAll("[data-use-version]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-use-version"));
        if (source) {
          textarea.value = source.value;
          textarea.dispatchEvent(new Event("input"));
          textarea.focus();
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-clear-draft]").forEach(function (el) {
      forget(el.getAttribute("data-clear-draft"));
    });
    document.querySelectorAll("textarea[data-draft-key]").forEach(setupEditor);
  });
})();
