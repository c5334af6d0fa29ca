// Cardflow's small client-side helpers. No framework: htmx does the talking to the server.
(function () {
  "use strict";

  // Theme: flip at once; the server remembers the choice (POST /theme).
  document.addEventListener("click", function (e) {
    if (e.target.closest("#theme-toggle")) {
      var root = document.documentElement;
      root.dataset.theme = root.dataset.theme === "dark" ? "light" : "dark";
    }
  });

  // Toasts remove themselves.
  function arm(root) {
    root.querySelectorAll("[data-autoclose]").forEach(function (el) {
      if (el.dataset.armed) return;
      el.dataset.armed = "1";
      setTimeout(function () { el.remove(); }, parseInt(el.dataset.autoclose, 10) || 4000);
    });
  }

  // Drag and drop: any list with data-sort-url posts its new order there.
  function sortables(root) {
    if (!window.Sortable) return;
    root.querySelectorAll("[data-sort-url]").forEach(function (list) {
      if (list._sortable) return;
      list._sortable = Sortable.create(list, {
        handle: ".drag-handle", animation: 120, ghostClass: "sortable-ghost",
        onEnd: function () {
          var ids = Array.from(list.children).map(function (li) { return li.dataset.id; }).filter(Boolean);
          htmx.ajax("POST", list.dataset.sortUrl, { values: { ids: ids.join(",") }, swap: "none" });
        }
      });
    });
  }

  // Escape cancels an inline edit (the form's cancel button carries data-cancel).
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var form = e.target.closest && e.target.closest("form");
    var cancel = form && form.querySelector("[data-cancel]");
    if (cancel) { e.preventDefault(); cancel.click(); }
  });

  // Chat: Enter sends, Shift+Enter adds a new line.
  document.addEventListener("keydown", function (e) {
    if (e.target.id !== "chat-input" || e.key !== "Enter" || e.shiftKey || e.isComposing) return;
    e.preventDefault();
    if (e.target.value.trim() && !e.target.disabled) e.target.form.requestSubmit();
  });
  // After a reply the input comes back enabled: put the cursor there.
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    var el = e.detail && e.detail.target;
    if (el && el.id === "chat-input" && !el.disabled) el.focus();
  });

  // The chat view follows new text unless the user scrolled up to read.
  function follow() {
    var box = document.getElementById("chat-messages");
    if (!box) return;
    var near = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
    if (near || box.dataset.follow !== "off") box.scrollTop = box.scrollHeight;
  }

  document.addEventListener("htmx:load", function (e) { arm(e.target); sortables(e.target); });
  document.addEventListener("htmx:sseMessage", follow);
  document.addEventListener("htmx:wsAfterMessage", follow);
  document.addEventListener("DOMContentLoaded", function () { arm(document); sortables(document); follow(); });
})();
