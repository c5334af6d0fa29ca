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

  // Toasts remove themselves. htmx:load fires on the swapped-in toast itself, so the root counts too
  // (querySelectorAll alone only looks below it, which is why toasts used to stay for ever).
  function arm(root) {
    if (!root.querySelectorAll) return;
    var found = Array.from(root.querySelectorAll("[data-autoclose]"));
    if (root.matches && root.matches("[data-autoclose]")) found.push(root);
    found.forEach(function (el) {
      if (el.dataset.armed) return;
      el.dataset.armed = "1";
      setTimeout(function () { el.remove(); }, parseInt(el.dataset.autoclose, 10) || 4000);
    });
  }
  // A click dismisses a toast at once, for whoever does not want to wait.
  document.addEventListener("click", function (e) {
    var toast = e.target.closest && e.target.closest("#toasts [data-autoclose]");
    if (toast) toast.remove();
  });

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

  // Escape cancels an inline edit (the form's cancel button carries data-cancel); otherwise it
  // closes whatever menu is open and gives focus back to the button that opened it.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var form = e.target.closest && e.target.closest("form");
    var cancel = form && form.querySelector("[data-cancel]");
    if (cancel) { e.preventDefault(); cancel.click(); return; }
    var open = document.querySelectorAll("details.dropdown[open], details.chat-settings[open]");
    if (open.length) {
      e.preventDefault();
      var focusInside = null;
      open.forEach(function (d) {
        if (d.contains(document.activeElement)) focusInside = d;
        d.open = false;
      });
      if (focusInside) focusInside.querySelector("summary").focus();
      return;
    }
    var nav = document.querySelector(".top-nav.open");
    if (nav) { e.preventDefault(); setNavOpen(nav, false); nav.querySelector("#nav-toggle").focus(); }
  });

  // Narrow screens: the nav's items fold behind one Menu button (the CSS hides them at <= 600 px).
  function setNavOpen(nav, open) {
    nav.classList.toggle("open", open);
    nav.querySelector("#nav-toggle").setAttribute("aria-expanded", open ? "true" : "false");
  }
  document.addEventListener("click", function (e) {
    var toggle = e.target.closest("#nav-toggle");
    if (toggle) { var nav = toggle.closest(".top-nav"); setNavOpen(nav, !nav.classList.contains("open")); return; }
    // A click outside an open dropdown closes it, as a menu does.
    document.querySelectorAll("details.dropdown[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.open = false;
    });
  });

  // Focus follows the work. A workflow step submit moves focus to the next open step's first
  // input, which arrives a request or two later (the chain loads step by step); an inline edit
  // (Save or Escape) gives focus back to its row's Edit button.
  var focusNextStep = 0;
  var editedRow = null;
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (elt.matches("form") && elt.closest(".step-card.open")) focusNextStep = Date.now();
    if (elt.closest(".step-card.finalize")) focusNextStep = Date.now();  // Finalize, Unlock
    var row = elt.closest("li.editing");
    if (row && row.id) editedRow = row.id;
  });
  function moveFocus(root) {
    if (!root.matches) return;
    if (focusNextStep && Date.now() - focusNextStep < 10000) {
      var sel = ".step-card.open, .step-card.finalize";
      var card = root.matches(sel) ? root : root.querySelector(sel);
      var first = card && card.querySelector("input:not([type=hidden]):not([disabled]), textarea, select, button");
      if (first) { focusNextStep = 0; first.focus(); }
    }
    if (editedRow && root.id === editedRow && !root.matches(".editing")) {
      editedRow = null;
      var target = root.querySelector("button") || root;
      target.focus();
    }
  }

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

  // Offline: when a request fails or a live link drops, a banner says so and /health is polled
  // until the server answers; then the banner goes and the live links reconnect. htmx swaps nothing
  // for a failed request, so whatever the user typed stays in its input.
  var HEALTH_EVERY = 1500;
  var polling = null;
  function banner() { return document.getElementById("offline-banner"); }
  function setOffline(down) {
    var el = banner();
    if (!el) return;
    el.hidden = !down;
    document.body.classList.toggle("offline", down);
    if (down && !polling) polling = setTimeout(poll, HEALTH_EVERY);
    if (!down) reconnect();
  }
  function poll() {
    polling = null;
    fetch("/health", { cache: "no-store" }).then(function (r) {
      if (r.ok) setOffline(false); else polling = setTimeout(poll, HEALTH_EVERY);
    }, function () { polling = setTimeout(poll, HEALTH_EVERY); });
  }
  // A dropped live link may only mean the server closed one stream: ask /health before alarming anyone.
  function check() {
    fetch("/health", { cache: "no-store" }).then(function (r) { if (!r.ok) setOffline(true); },
                                                  function () { setOffline(true); });
  }
  document.addEventListener("htmx:sendError", function () { setOffline(true); });
  document.addEventListener("htmx:responseError", function (e) {
    if (e.detail.xhr && e.detail.xhr.status >= 500) setOffline(true);
  });
  document.addEventListener("htmx:sseError", check);
  document.addEventListener("htmx:wsClose", check);

  // The live links. The SSE extension backs off up to a minute between tries, and the browser
  // gives up on a refused EventSource, so each source is wrapped to retry on its own within a few
  // seconds, and at once when /health answers again. The WS extension's delay is capped likewise.
  var sources = [];
  function LiveSource(url, init) {
    this.url = url; this.init = init; this.listeners = []; this.closed = false; this.tries = 0;
    this.onopen = null; this.onerror = null; this.onmessage = null;
    this.open();
  }
  LiveSource.prototype.open = function () {
    var self = this;
    var es = new EventSource(this.url, this.init);
    this.es = es;
    this.listeners.forEach(function (l) { es.addEventListener(l[0], l[1]); });
    es.onopen = function (e) { self.tries = 0; if (self.onopen) self.onopen(e); };
    es.onmessage = function (e) { if (self.onmessage) self.onmessage(e); };
    es.onerror = function (e) {
      if (self.onerror) self.onerror(e);
      if (es.readyState === EventSource.CLOSED && !self.closed) self.retry(Math.min(4000, 500 * Math.pow(2, self.tries++)));
    };
  };
  LiveSource.prototype.retry = function (delay) {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { if (!self.closed && self.es.readyState === EventSource.CLOSED) self.open(); }, delay);
  };
  Object.defineProperty(LiveSource.prototype, "readyState", {
    // Never CLOSED while it is retrying, so the extension does not start a second source.
    get: function () { return this.closed ? EventSource.CLOSED : (this.es.readyState === EventSource.OPEN ? EventSource.OPEN : EventSource.CONNECTING); }
  });
  LiveSource.prototype.addEventListener = function (name, fn) { this.listeners.push([name, fn]); this.es.addEventListener(name, fn); };
  LiveSource.prototype.removeEventListener = function (name, fn) {
    this.listeners = this.listeners.filter(function (l) { return l[0] !== name || l[1] !== fn; });
    this.es.removeEventListener(name, fn);
  };
  LiveSource.prototype.close = function () { this.closed = true; clearTimeout(this.timer); this.es.close(); };
  if (window.htmx) {
    htmx.createEventSource = function (url) {
      var source = new LiveSource(url, { withCredentials: true });
      sources = sources.filter(function (s) { return !s.closed; }).concat([source]);
      return source;
    };
    htmx.config.wsReconnectDelay = function (tries) { return Math.min(4000, 500 * Math.pow(2, tries)) * (0.5 + Math.random() / 2); };
  }
  function reconnect() {
    sources.forEach(function (s) { if (!s.closed && s.es.readyState === EventSource.CLOSED) s.retry(0); });
  }

  document.addEventListener("htmx:load", function (e) { arm(e.target); sortables(e.target); moveFocus(e.target); });
  document.addEventListener("htmx:sseMessage", follow);
  document.addEventListener("htmx:wsAfterMessage", follow);
  // The chat log scrolls, so a keyboard user must be able to focus it to scroll it (axe:
  // scrollable-region-focusable). Set here because the panel is drawn by the chat package.
  function focusableLog() {
    var box = document.getElementById("chat-messages");
    if (box && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
      if (!box.getAttribute("role")) box.setAttribute("role", "log");  // it already is a polite live region
      if (!box.getAttribute("aria-label")) box.setAttribute("aria-label", "Conversation");
    }
  }
  document.addEventListener("DOMContentLoaded", function () { arm(document); sortables(document); follow(); focusableLog(); });
})();
