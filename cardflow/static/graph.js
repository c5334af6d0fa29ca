// Cardflow's link-graph glue: turns every [data-graph-src] panel into a sigma.js WebGL graph.
// No framework, no build step. sigma and graphology (vendored) are loaded on first use.
// For tests and the curious: window.CardflowGraph.views[panel id] = {graph, renderer, data}.
// Links are arrows (direction matters: A -> B and B -> A are two links); the most-linked pages
// carry labels, the others show theirs (and the address) on hover; broken targets are red.
//
// Scale (up to 50,000 pages and 200,000 links): the data comes as typed arrays
// (cardflow/linkgraph/viewpack.py) with positions computed on the server, so nothing is parsed
// per link and no layout runs here. Above BIG_EDGES links, sigma hides the links while the view
// moves and draws them as 1-pixel lines (arrows cost a head per link and would hide each other);
// the links of the selected page become arrows, so direction still reads where it is looked at.
// window.cardflowGraphFirstFrame is set once the first frame with the graph has been shown, and
// performance marks cardflow-graph-fetched, -built and -rendered time the steps before it (bench).
(function () {
  "use strict";
  if (window.CardflowGraph) return; // loaded twice (a page and a fragment): keep the first
  var VENDOR = ["/static/vendor/graphology.umd.min.js", "/static/vendor/sigma.min.js"];
  var EDGE_COLOR = "#b4b8c8";
  var BIG_EDGE_COLOR = "rgba(140, 146, 170, 0.22)"; // thousands overlap: let the dense parts show
  var BROKEN_EDGE_COLOR = "#e8959a"; // a link into a broken page: paler than the red node it points at
  var FOCUS_EDGE_COLOR = "#3b4262";
  var LABELLED = 20; // the most-linked pages always show their label; more would cover the graph
  var BIG_EDGES = 20000;
  var MAGIC = "CFG1";
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

  // The binary body: magic, header length, JSON header, then the arrays, each viewed in place.
  function decode(buf) {
    var bytes = new Uint8Array(buf);
    if (buf.byteLength < 8 || String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]) !== MAGIC) {
      throw new Error("the server sent something that is not a graph");
    }
    var h = new DataView(buf).getUint32(4, true);
    var data = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 8, h)));
    var n = data.n, m = data.m, at = 8 + h;
    function take(Type, count) {
      var arr = new Type(buf, at, count);
      at += count * Type.BYTES_PER_ELEMENT;
      return arr;
    }
    data.x = take(Float32Array, n);
    data.y = take(Float32Array, n);
    data.size = take(Float32Array, n);
    data.inlinks = take(Uint32Array, n);
    data.colors = { pagetype: take(Uint8Array, n), depth: take(Uint8Array, n) };
    data.flags = take(Uint8Array, n);
    at += (4 - at % 4) % 4;
    data.edges = take(Uint32Array, 2 * m);
    return data;
  }

  function fetchData(panel) {
    return fetch(panel.dataset.graphSrc + "&format=bin", {
      headers: { Accept: "application/octet-stream" }, credentials: "same-origin"
    }).then(function (r) {
      if (!r.ok) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          throw new Error(body.error || ("HTTP " + r.status));
        });
      }
      return r.arrayBuffer().then(decode);
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

  function build(data, color) {
    var Graph = window.graphology.Graph || window.graphology;
    var graph = new Graph({ type: "directed", multi: false, allowSelfLoops: false });
    var n = data.n, big = data.m > BIG_EDGES;
    // Sizes are screen pixels: the more pages, the smaller each dot, so that the structure shows.
    var scale = Math.max(0.22, Math.min(1, Math.sqrt(400 / Math.max(1, n))));
    var least = n > 20000 ? 2 : 3;
    var colors = data.colors[color], palette = data.palette;
    // Nodes come most-linked first, so the first LABELLED (with any inlinks) are the top pages.
    for (var i = 0; i < n; i++) {
      graph.addNode(data.keys[i], { x: data.x[i], y: data.y[i], size: Math.max(least, data.size[i] * scale),
        color: palette[colors[i]], label: data.labels[i], index: i, inlinks: data.inlinks[i],
        broken: (data.flags[i] & 1) === 1, forceLabel: i < LABELLED && data.inlinks[i] > 0 });
    }
    var e = data.edges, keys = data.keys, flags = data.flags;
    // A big graph's links carry no attributes of their own (sigma's defaults: a line, the pale
    // colour) but those into broken pages: 200,000 fewer objects to build, copy and collect.
    var plain = big ? undefined : { type: "arrow", size: 1, color: EDGE_COLOR };
    var broken = { type: big ? "line" : "arrow", size: 1, color: BROKEN_EDGE_COLOR };
    for (var k = 0; k < e.length; k += 2) {
      if (e[k] === e[k + 1]) continue;
      var attr = (flags[e[k + 1]] & 1) ? broken : plain;
      // The server sends each link once; a repeat (from an old file) throws and is skipped.
      try {
        graph.addDirectedEdge(keys[e[k]], keys[e[k + 1]], attr && { type: attr.type, size: 1, color: attr.color });
      } catch (err) { /* a repeated link */ }
    }
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

  // The address of the page under the pointer, in a line over the canvas (text only: escaped).
  function hoverLine(panel, canvas, renderer, graph) {
    var line = document.createElement("div");
    line.className = "graph-hover";
    line.hidden = true;
    canvas.appendChild(line);
    renderer.on("enterNode", function (event) {
      var a = graph.getNodeAttributes(event.node);
      line.textContent = event.node + " · " + plural(a.inlinks, "inlink", "inlinks") + (a.broken ? " · broken" : "");
      line.hidden = false;
      panel.dataset.hover = event.node;
    });
    renderer.on("leaveNode", function () { line.hidden = true; delete panel.dataset.hover; });
  }

  function draw(panel) {
    var color = colorMode(panel);
    Promise.all([loadVendor(), fetchData(panel)]).then(function (res) {
      var data = res[1];
      performance.mark("cardflow-graph-fetched");
      var graph = build(data, color);
      performance.mark("cardflow-graph-built");
      var big = data.m > BIG_EDGES;
      text(panel, "[data-graph-count=nodes]", graph.order.toLocaleString());
      text(panel, "[data-graph-count=edges]", graph.size.toLocaleString());
      panel.dataset.nodes = String(graph.order);
      panel.dataset.edges = String(graph.size);
      text(panel, ".graph-status", data.rule);
      summary(panel, data);
      legend(panel, data.legends[color]);
      var view = { graph: graph, renderer: null, data: data, focus: null, big: big };
      views[panel.id] = view;
      var canvas = panel.querySelector(".graph-canvas");
      try {
        view.renderer = new window.Sigma(graph, canvas, {
          // Other labels appear on hover, or once zooming in has made their dot this large.
          labelRenderedSizeThreshold: 16, defaultEdgeColor: big ? BIG_EDGE_COLOR : EDGE_COLOR,
          allowInvalidContainer: true,
          // Sorting 200,000 links by depth on every change costs more than it shows.
          zIndex: !big, hideEdgesOnMove: big, hideLabelsOnMove: big,
          defaultEdgeType: big ? "line" : "arrow",
          edgeProgramClasses: { arrow: window.Sigma.rendering.createEdgeArrowProgram(ARROW),
            line: window.Sigma.rendering.EdgeLineProgram },
          labelColor: { color: getComputedStyle(panel).color || "#333" }
        });
      } catch (err) {
        text(panel, ".graph-status", data.rule + " This browser cannot draw WebGL here (" + err.message +
          "); search and the tables still work.");
        return;
      }
      performance.mark("cardflow-graph-rendered");
      if (big) {
        // sigma re-indexes every page and link after each drag when links hide while moving
        // (seconds at 200,000 links); nothing changed but the camera, so drawing again is enough.
        // Graph changes pass their own options and still refresh what changed.
        var refresh = view.renderer.refresh.bind(view.renderer);
        view.renderer.refresh = function (opts) { return opts ? refresh(opts) : view.renderer.scheduleRender(); };
      }
      view.renderer.on("clickNode", function (event) { showLinks(panel, event.node); });
      hoverLine(panel, canvas, view.renderer, graph);
      panel.dataset.edgeType = view.renderer.getSetting("defaultEdgeType");
      if (panel.dataset.graphFull === "1") setFull(panel, true);
      panel.dataset.ready = "drawn";
      // sigma drew synchronously; two frames later that drawing has been shown.
      requestAnimationFrame(function () {
        requestAnimationFrame(function () {
          var now = performance.now();
          panel.dataset.firstFrameMs = String(Math.round(now));
          if (window.cardflowGraphFirstFrame === undefined) window.cardflowGraphFirstFrame = now;
        });
      });
      panel.dispatchEvent(new CustomEvent("graph:drawn", { bubbles: true, detail: { nodes: graph.order } }));
    }).catch(function (err) {
      panel.dataset.ready = "failed";
      text(panel, ".graph-status", "The graph could not be drawn: " + err.message);
    });
  }

  // Both colourings came with the data: switching needs no request.
  function recolor(panel) {
    var view = views[panel.id];
    if (!view) return;
    var mode = colorMode(panel), colors = view.data.colors[mode], palette = view.data.palette;
    view.graph.updateEachNodeAttributes(function (key, attr) {
      attr.color = palette[colors[attr.index]];
      return attr;
    }, { attributes: ["color"] });
    legend(panel, view.data.legends[mode]);
  }

  // A big graph draws links as plain lines: the selected page's own links become dark arrows.
  function markLinks(view, url, on) {
    if (!view.big || !view.graph.hasNode(url)) return;
    view.graph.forEachEdge(url, function (edge, attr, source, target, sa, ta) {
      view.graph.mergeEdgeAttributes(edge, on ? { type: "arrow", color: FOCUS_EDGE_COLOR, size: 1.5 }
        : { type: "line", size: 1, color: ta.broken ? BROKEN_EDGE_COLOR : BIG_EDGE_COLOR });
    });
  }

  function focus(panel, url) {
    var view = views[panel.id];
    if (!view || !view.graph.hasNode(url)) return;
    if (view.focus && view.graph.hasNode(view.focus)) {
      view.graph.setNodeAttribute(view.focus, "highlighted", false);
      markLinks(view, view.focus, false);
    }
    view.graph.setNodeAttribute(url, "highlighted", true);
    markLinks(view, url, true);
    view.focus = url;
    panel.dataset.focus = url;
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
