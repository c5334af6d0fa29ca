// Cardflow's link-graph glue: turns every [data-graph-src] panel into a sigma.js WebGL graph.
// No framework, no build step. sigma and graphology (vendored) are loaded on first use.
// For tests and the curious: window.CardflowGraph.views[panel id] = {graph, renderer, data}.
(function () {
  "use strict";
  if (window.CardflowGraph) return; // loaded twice (a page and a fragment): keep the first
  var VENDOR = ["/static/vendor/graphology.umd.min.js", "/static/vendor/sigma.min.js"];
  var EDGE_COLOR = "#c5c8d6";
  var views = {};
  var loading = null;

  function loadVendor() {
    if (window.Sigma && window.graphology) return Promise.resolve();
    if (loading) return loading;
    loading = VENDOR.reduce(function (chain, src) {
      return chain.then(function () {
        return new Promise(function (resolve, reject) {
          var s = document.createElement("script");
          s.src = src;
          s.onload = resolve;
          s.onerror = function () { reject(new Error("could not load " + src)); };
          document.head.appendChild(s);
        });
      });
    }, Promise.resolve());
    return loading;
  }

  function colorMode(panel) {
    var checked = panel.querySelector("input[data-graph-color]:checked");
    return checked ? checked.value : "pagetype";
  }

  function fetchData(panel, color) {
    return fetch(panel.dataset.graphSrc + "&color=" + encodeURIComponent(color), {
      headers: { Accept: "application/json" }, credentials: "same-origin"
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
        return body;
      });
    });
  }

  function text(panel, selector, value) {
    var el = panel.querySelector(selector);
    if (el) el.textContent = value;
  }

  function legend(panel, items) {
    var ul = panel.querySelector(".graph-legend");
    if (!ul) return;
    ul.replaceChildren();
    items.forEach(function (item) {
      var li = document.createElement("li");
      var dot = document.createElement("span");
      dot.className = "swatch";
      dot.style.background = item.color;
      li.appendChild(dot);
      li.appendChild(document.createTextNode(item.label + " (" + item.count.toLocaleString() + ")"));
      ul.appendChild(li);
    });
  }

  function showLinks(panel, url) {
    if (!window.htmx) return;
    htmx.ajax("GET", panel.dataset.graphLinks + "&url=" + encodeURIComponent(url),
      { target: "#" + panel.dataset.linksTarget, swap: "innerHTML" });
  }

  function build(panel, data) {
    var Graph = window.graphology.Graph || window.graphology;
    var graph = new Graph({ type: "directed", multi: false, allowSelfLoops: false });
    // Sizes are screen pixels: the more pages, the smaller each dot, so that the structure shows.
    var scale = Math.max(0.22, Math.min(1, Math.sqrt(400 / Math.max(1, data.nodes.length))));
    data.nodes.forEach(function (n) {
      graph.addNode(n.key, { x: n.x, y: n.y, size: Math.max(1, n.size * scale), color: n.color, label: n.label,
        depth: n.depth, pagetype: n.pagetype, inlinks: n.inlinks });
    });
    data.edges.forEach(function (e) {
      var s = data.nodes[e[0]].key, t = data.nodes[e[1]].key;
      if (s !== t && !graph.hasEdge(s, t)) graph.addEdge(s, t, { color: EDGE_COLOR, size: 1 });
    });
    return graph;
  }

  function draw(panel) {
    var color = colorMode(panel);
    Promise.all([loadVendor(), fetchData(panel, color)]).then(function (res) {
      var data = res[1];
      var graph = build(panel, data);
      text(panel, "[data-graph-count=nodes]", graph.order.toLocaleString());
      text(panel, "[data-graph-count=edges]", graph.size.toLocaleString());
      panel.dataset.nodes = String(graph.order);
      panel.dataset.edges = String(graph.size);
      text(panel, ".graph-status", data.rule);
      legend(panel, data.legend);
      var view = { graph: graph, renderer: null, data: data, focus: null };
      views[panel.id] = view;
      try {
        view.renderer = new window.Sigma(graph, panel.querySelector(".graph-canvas"), {
          labelRenderedSizeThreshold: 9, defaultEdgeColor: EDGE_COLOR, zIndex: true, allowInvalidContainer: true,
          labelColor: { color: getComputedStyle(panel).color || "#333" }
        });
      } catch (err) {
        text(panel, ".graph-status", data.rule + " This browser cannot draw WebGL here (" + err.message +
          "); search and the tables still work.");
        return;
      }
      view.renderer.on("clickNode", function (event) { showLinks(panel, event.node); });
      panel.dataset.ready = "drawn";
      panel.dispatchEvent(new CustomEvent("graph:drawn", { bubbles: true, detail: { nodes: graph.order } }));
    }).catch(function (err) {
      panel.dataset.ready = "failed";
      text(panel, ".graph-status", "The graph could not be drawn: " + err.message);
    });
  }

  function recolor(panel) {
    var view = views[panel.id];
    if (!view) return;
    fetchData(panel, colorMode(panel)).then(function (data) {
      data.nodes.forEach(function (n) {
        if (view.graph.hasNode(n.key)) view.graph.setNodeAttribute(n.key, "color", n.color);
      });
      legend(panel, data.legend);
    }).catch(function (err) { text(panel, ".graph-status", "Recolouring failed: " + err.message); });
  }

  function focus(panel, url) {
    var view = views[panel.id];
    if (!view || !view.graph.hasNode(url)) return;
    if (view.focus && view.graph.hasNode(view.focus)) view.graph.setNodeAttribute(view.focus, "highlighted", false);
    view.graph.setNodeAttribute(url, "highlighted", true);
    view.focus = url;
    if (view.renderer) {
      var pos = view.renderer.getNodeDisplayData(url);
      if (pos) view.renderer.getCamera().animate({ x: pos.x, y: pos.y, ratio: 0.35 }, { duration: 400 });
    }
  }

  function cleanup() {
    Object.keys(views).forEach(function (id) {
      var panel = document.getElementById(id);
      if (!panel || !document.body.contains(panel) || !panel.dataset.ready) {
        if (views[id].renderer) views[id].renderer.kill(); // WebGL contexts are scarce
        delete views[id];
      }
    });
  }

  function init(root) {
    cleanup();
    var panels = root.matches && root.matches("[data-graph-src]") ? [root] : [];
    panels = panels.concat(Array.from(root.querySelectorAll ? root.querySelectorAll("[data-graph-src]") : []));
    panels.forEach(function (panel) {
      if (panel.dataset.ready) return;
      panel.dataset.ready = "loading";
      draw(panel);
    });
  }

  document.addEventListener("change", function (e) {
    if (!e.target.matches || !e.target.matches("input[data-graph-color]")) return;
    var panel = e.target.closest("[data-graph-src]");
    if (panel) recolor(panel);
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    var el = e.detail && e.detail.target;
    var shown = el && el.querySelector && el.querySelector("[data-focus-url]");
    var panel = el && el.closest && el.closest("[data-graph-src]");
    if (shown && panel) focus(panel, shown.dataset.focusUrl);
  });
  document.addEventListener("htmx:load", function (e) { init(e.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }

  window.CardflowGraph = { views: views, init: init };
})();
