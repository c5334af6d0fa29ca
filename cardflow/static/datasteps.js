// Data steps (cardflow/datasteps): draws chart canvases with the vendored Chart.js, and shows the
// answer to an upload refused for its size (413), which htmx would otherwise not swap in.
// Loaded by the cards that need it, possibly many times: it sets itself up once.
(function () {
  "use strict";
  if (window.cardflowDataSteps) { window.cardflowDataSteps.draw(document); return; }
  var loading = null;

  function withChart(done) {
    if (window.Chart) { done(); return; }
    if (!loading) {
      loading = [];
      var s = document.createElement("script");
      s.src = "/static/vendor/chart.umd.min.js";
      s.onload = function () { var q = loading; loading = null; q.forEach(function (f) { f(); }); };
      document.head.appendChild(s);
    }
    loading.push(done);
  }

  function canvases(root) {
    var found = [];
    if (root.matches && root.matches("canvas[data-datastep-chart]")) found.push(root);
    if (root.querySelectorAll) found.push.apply(found, root.querySelectorAll("canvas[data-datastep-chart]"));
    return found.filter(function (c) { return !c.dataset.drawn; });
  }

  function draw(root) {
    var todo = canvases(root || document);
    if (!todo.length) return;
    withChart(function () {
      todo.forEach(function (c) {
        if (c.dataset.drawn || !c.isConnected) return;
        var spec = JSON.parse(c.dataset.datastepChart);
        var pie = spec.type === "pie";
        new window.Chart(c, {
          type: spec.type,
          data: { labels: spec.labels, datasets: [{ label: spec.label, data: spec.values }] },
          options: { animation: false, responsive: true, plugins: { legend: { display: pie } },
                     scales: pie ? {} : { x: { title: { display: true, text: spec.x } } } }
        });
        c.dataset.drawn = "1";
      });
    });
  }

  document.addEventListener("htmx:load", function (e) { draw(e.detail.elt); });
  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr;
    if (!xhr || xhr.status !== 413) return;
    var card = e.detail.target;
    if (xhr.responseText.indexOf("step-card") !== -1) {  // our own card, with the message at the field
      e.detail.shouldSwap = true; e.detail.isError = false;
      return;
    }
    // The server's global request limit answered with a page: show its sentence in the card.
    var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var text = (doc.querySelector("p") || doc.body).textContent.trim();
    var slot = card && card.querySelector(".field-error");
    if (slot) { slot.textContent = text; slot.hidden = false; }
  });
  window.cardflowDataSteps = { draw: draw };
  draw(document);
})();
