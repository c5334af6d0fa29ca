// Cardflow's link-graph glue: turns every [data-graph-src] panel into a sigma.js WebGL graph.
// No framework, no build step. sigma and graphology (vendored) are loaded on first use.
// For tests and the curious: window.CardflowGraph.views[panel id] = {graph, renderer, data}.
// Links are arrows (direction matters: A -> B and B -> A are two links); the most-linked pages
// carry labels, the others show theirs on hover; broken targets are red.
(function () {
  "use strict";
  if (window.CardflowGraph) return; // loaded twice (a page and a fragment): keep the first
  var VENDOR = ["/static/vendor/graphology.umd.min.js", "/static/vendor/sigma.min.js"];
  var EDGE_COLOR = "#b4b8c8";
  var BROKEN_EDGE_COLOR = "#e8959a"; // a link into a broken page: paler than the red node it points at
  var LABELLED = 20; // the most-linked pages always show their label; more would cover the graph
  // Arrow heads a little larger than sigma's default, so that direction reads at a glance.
  var ARROW = { lengthToThicknessRatio: 4, widenessToThicknessRatio: 3 };
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
    // Nodes come most-linked first, so the first LABELLED (with any inlinks) are the top pages.
    data.nodes.forEach(function (n, i) {
      graph.addNode(n.key, { x: n.x, y: n.y, size: Math.max(3, n.size * scale), color: n.color, label: n.label,
        depth: n.depth, pagetype: n.pagetype, inlinks: n.inlinks, broken: !!n.broken, httpCode: n.http_code,
        forceLabel: i < LABELLED && n.inlinks > 0 });
    });
    data.edges.forEach(function (e) {
      var s = data.nodes[e[0]].key, t = data.nodes[e[1]].key;
      if (s !== t && !graph.hasEdge(s, t)) {
        graph.addEdge(s, t, { type: "arrow", size: 1, color: data.nodes[e[1]].broken ? BROKEN_EDGE_COLOR : EDGE_COLOR });
      }
    });
    return graph;
  }

  function plural(n, one, many) { return n.toLocaleString() + " " + (n === 1 ? one : many); }

  // The counts under the graph: the whole graph's, not only what is drawn.
  function summary(panel, data) {
    var b = data.broken || { links: 0, pages: 0 };
    text(panel, ".graph-summary", [
      plural(data.total_nodes, "page", "pages"), plural(data.total_edges, "link", "links"),
      plural(b.links, "broken link", "broken links") + (b.pages ? " (to " + plural(b.pages, "page", "pages") + ")" : ""),
      plural(data.orphans || 0, "orphan", "orphans"), plural(data.dead_ends || 0, "dead end", "dead ends")
    ].join(" · "));
    panel.dataset.brokenLinks = String(b.links);
  }

  // Full screen is a fixed overlay (CSS .is-full), not the Fullscreen API: it needs no permission,
  // keeps the search, links and tables reachable below the canvas, and Escape or the button undo it.
  // The panel moves to <body> meanwhile: inside a card, an ancestor's stacking context (a locked
  // card's opacity) would keep the overlay translucent and under the chat panel. A placeholder
  // marks where it goes back.
  var placeholders = {};
  function setFull(panel, on) {
    if (on === panel.classList.contains("is-full")) return;
    if (on) {
      placeholders[panel.id] = document.createComment("graph panel " + panel.id);
      panel.before(placeholders[panel.id]);
      document.body.appendChild(panel);
    } else if (placeholders[panel.id]) {
      if (placeholders[panel.id].isConnected) placeholders[panel.id].replaceWith(panel);
      else panel.remove(); // its card was swapped out meanwhile: the panel has no place left
      delete placeholders[panel.id];
    }
    panel.classList.toggle("is-full", on);
    document.body.classList.toggle("graph-full-open", on);
    var button = panel.querySelector("[data-graph-full-toggle]");
    if (button) {
      button.textContent = on ? "Exit full screen" : "Full screen";
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
    var view = views[panel.id];
    if (view && view.renderer) { view.renderer.resize(); view.renderer.refresh(); }
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
      summary(panel, data);
      legend(panel, data.legend);
      var view = { graph: graph, renderer: null, data: data, focus: null };
      views[panel.id] = view;
      try {
        view.renderer = new window.Sigma(graph, panel.querySelector(".graph-canvas"), {
          // Other labels appear on hover, or once zooming in has made their dot this large.
          labelRenderedSizeThreshold: 16, defaultEdgeColor: EDGE_COLOR, zIndex: true, allowInvalidContainer: true,
          defaultEdgeType: "arrow",
          edgeProgramClasses: { arrow: window.Sigma.rendering.createEdgeArrowProgram(ARROW) },
          labelColor: { color: getComputedStyle(panel).color || "#333" }
        });
      } catch (err) {
        text(panel, ".graph-status", data.rule + " This browser cannot draw WebGL here (" + err.message +
          "); search and the tables still work.");
        return;
      }
      view.renderer.on("clickNode", function (event) { showLinks(panel, event.node); });
      panel.dataset.edgeType = view.renderer.getSetting("defaultEdgeType");
      if (panel.dataset.graphFull === "1") setFull(panel, true);
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
    // A full-screen panel swapped out by htmx must not leave the page unscrollable.
    if (!document.querySelector("[data-graph-src].is-full")) document.body.classList.remove("graph-full-open");
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
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-graph-full-toggle]");
    var panel = button && button.closest("[data-graph-src]");
    if (panel) setFull(panel, !panel.classList.contains("is-full"));
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    document.querySelectorAll("[data-graph-src].is-full").forEach(function (panel) { setFull(panel, false); });
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
