"""The attribution graph as one self-contained, offline HTML page (vis-network through pyvis).

    from kg import network, render
    net = network.build(graph, focus="Bloomberg")
    summary = render.render(net, "graph.html")       # RenderSummary(nodes, edges, dropped, bytes)
    render.inline(net)                               # in a notebook: the page in the cell (iframe srcdoc)

The page is pyvis 0.3.2's template, rendered here rather than by `Network.generate_html()`:

- offline and self-contained: the vis-network 9.1.2 JS and CSS that the pyvis wheel ships
  (pyvis/templates/lib/vis-9.1.2) are inlined (`cdn_resources="in_line"`; the CSS without the
  data: images of the navigation and editing buttons, which the page does not show: 207 KB of
  220), the template's bootstrap <link>/<script> from a CDN are taken out, and the finished page
  is checked (remote_resources): if any tag would fetch something (src, href, ... other than a
  #fragment or data:) or any CSS holds @import or a url() other than data:, render() raises
  instead of writing the file;
- safe: tooltips are HTML built here, every text from the store (claim, evidence, names, titles)
  passed through html.escape(); the node and edge lists are embedded with Jinja's `tojson` (<, >, &
  and ' written as \\u escapes, so no text can close the <script> block or open a tag).
  vis-network 9 shows a string title as text (innerText): a small script of the page turns each
  node's escaped HTML into an element, so tooltips are formatted and what was escaped stays text.
  pyvis's "tooltip_link" mode (which generate_html() turns on when a title holds "href", and which
  pastes titles with innerHTML) is never used. Node and edge labels are canvas text (no HTML);
- usable when large: the network's node and edge lists are filled directly (pyvis's
  add_node/add_edge scan lists: quadratic); above `max_nodes` the most connected nodes are kept
  (the page says how many were dropped); positions are computed here (networkx spring layout per
  connected component, on a skeleton of the best-connected nodes for big components, linear past
  it) and physics is off, so 2,000 nodes are drawn at once, with no settling.

Node colour and shape by type (a legend is in the page), edges coloured and labelled (said,
relayed, cited, published, in, to, on; disputes, dashed red, from a claim that denies or does not
confirm another to that claim, the two claims' tooltips saying "contested"), width by weight.

For checks (tests, a headless browser), the page writes what vis-network drew, after its first
drawing, into `<html data-kg-drawn='{"nodes": N, "edges": M, "visible": V, "painted": P, "ms": T}'>`:
the lengths of the network's node and edge DataSets, the nodes in its body, a sample count of
painted canvas pixels (every 4th pixel) and the time since the page started loading.
"""
from __future__ import annotations

import functools
import html
import json
import math
import random
import re
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from kg.text import fold, plural

DEFAULT_TITLE = "Who said what, via whom"
MAX_NODES = 2000
SKELETON = 400          # components larger than this: spring layout of their best-connected nodes
SPACING = 60            # pixels; a component of n nodes gets a disc of radius ~SPACING * sqrt(n)

# type -> (vis shape, colour, legend name, legend glyph)
NODE_STYLES = {
    "Person": ("dot", "#4e79a7", "person", "●"),
    "AnonymousSource": ("dot", "#a5a5a5", "anonymous source", "●"),
    "Group": ("dot", "#ff9da7", "group", "●"),
    "NewsOutlet": ("square", "#f28e2b", "news outlet", "■"),
    "Platform": ("star", "#d4a912", "platform", "★"),
    "IntelligenceAgency": ("diamond", "#e15759", "intelligence agency", "◆"),
    "GovernmentBody": ("triangle", "#59a14f", "government body", "▲"),
    "Government": ("hexagon", "#2b6a2e", "government", "⬢"),
    "Organization": ("triangleDown", "#b07aa1", "organization", "▼"),
    "Claim": ("dot", "#d9d9d9", "claim", "●"),
    "Article": ("square", "#9c755f", "article", "■"),
}
OTHER_STYLE = ("dot", "#bab0ac", "other", "●")
EDGE_COLOURS = {
    "said": "#4e79a7", "relayed": "#f28e2b", "cited": "#e15759", "published": "#9c755f",
    "in": "#b9b9b9", "to": "#76b7b2", "on": "#d4a912", "disputes": "#d62728",
}
DASHED = frozenset({"disputes"})   # a contest, not a path the claim took: drawn apart
EDGE_MEANING = {
    "said": "source → claim", "relayed": "relay → claim", "cited": "relay → the source it cites",
    "published": "outlet → article", "in": "claim → article", "to": "claim → recipient",
    "on": "claim → platform", "disputes": "claim → the claim it denies or does not confirm (contested)",
}
_INLINE = re.compile(r"^\s*(?:#|data:|$)", re.IGNORECASE)      # what a src= or href= may hold: in the page
_CSS_REMOTE = re.compile(r"@import|url\((?!\s*[\"']?\s*data:)", re.IGNORECASE)
_FETCHING = {"src", "href", "srcset", "data", "action", "poster", "background", "formaction", "manifest"}


@dataclass
class RenderSummary:
    nodes: int      # nodes in the page
    edges: int      # edges in the page
    dropped: int    # nodes left out (max_nodes)
    bytes: int      # size of the file written

    def line(self, path) -> str:
        return (f"{self.nodes} nodes, {self.edges} edges, {self.dropped} dropped (max-nodes), "
                f"{self.bytes / 1024:.0f} KB -> {path}")


def render(nx_graph: nx.MultiDiGraph, out_path, *, max_nodes: int = MAX_NODES, title: str = DEFAULT_TITLE,
           seed: int = 7) -> RenderSummary:
    """Write the page of `nx_graph` (as kg.network.build returns it) to `out_path`."""
    page, nodes, edges, dropped = to_html(nx_graph, max_nodes=max_nodes, title=title, seed=seed)
    data = page.encode("utf-8")
    Path(out_path).write_bytes(data)
    return RenderSummary(nodes, edges, dropped, len(data))


def to_html(nx_graph: nx.MultiDiGraph, *, max_nodes: int = MAX_NODES, title: str = DEFAULT_TITLE,
            seed: int = 7) -> tuple[str, int, int, int]:
    """The page as a string, with the numbers of nodes and edges shown and of nodes dropped."""
    kept = most_connected(nx_graph, max_nodes)
    dropped = nx_graph.number_of_nodes() - len(kept)
    net = nx_graph.subgraph(kept) if dropped else nx_graph
    positions = layout(net, seed=seed)
    nodes, edges = vis_data(net, positions)
    page = _page(nodes, edges, title=title, total=nx_graph.number_of_nodes(), dropped=dropped)
    remote = remote_resources(page)
    if remote:
        raise RuntimeError(f"the page would load {remote[0]!r} from the network")
    return page, len(nodes), len(edges), dropped


class Inline:
    """The page shown in a notebook cell (what `inline` returns): `page`, `nodes`, `edges`,
    `dropped` as in to_html, and `_repr_html_()` the <iframe> that Jupyter displays."""

    def __init__(self, page: str, nodes: int, edges: int, dropped: int, height: int):
        self.page, self.nodes, self.edges, self.dropped, self.height = page, nodes, edges, dropped, height

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.page, quote=True)}" '
                f'style="width:100%;height:{self.height}px;border:0" sandbox="allow-scripts"></iframe>')

    def __repr__(self) -> str:
        return f"<kg.render.Inline: {self.nodes} nodes, {self.edges} edges, {self.dropped} dropped>"


def inline(nx_graph: nx.MultiDiGraph, *, height: int = 600, **options) -> Inline:
    """The page of `nx_graph` for a notebook: the cell's last expression shows it. The whole page,
    html-escaped, is the srcdoc of a sandboxed <iframe> (scripts only, no same-origin), which
    JupyterLab, classic Notebook and VS Code all display (pyvis' show() links a file as the iframe's
    src: blank in VS Code). `options`: those of to_html (max_nodes, title, seed). Needs no IPython."""
    return Inline(*to_html(nx_graph, **options), height=int(height))


def remote_resources(page: str) -> list[str]:
    """Where `page` would load something from elsewhere (expected: nowhere): tag attributes that
    fetch (src, href, srcset, ...) with anything but a #fragment or a data: URL (http://, https://,
    //host, or a file next to the page), and CSS (<style> blocks, style attributes) with @import or
    a url() other than data:. Script text (the vis library, the JSON data, where '<' is escaped so
    that no text of the data can become a tag) is not markup and is not searched."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Check(HTMLParser):
        in_style = False

        def handle_starttag(self, tag, attrs):
            self.in_style = tag == "style"
            for name, value in attrs:
                if value is not None and name in _FETCHING and not _INLINE.match(value):
                    found.append(f"<{tag} {name}={value}>")
                if value and name == "style" and _CSS_REMOTE.search(value):
                    found.append(f"<{tag} style={value}>")

        def handle_endtag(self, tag):
            self.in_style = False

        def handle_data(self, data):
            if self.in_style:
                found.extend(m.group(0) + data[m.end():m.end() + 40] for m in _CSS_REMOTE.finditer(data))

    Check(convert_charrefs=False).feed(page)
    return found


# -- what to show, and where --------------------------------------------------------------------


_KIND_ORDER = {"agent": 0, "article": 1, "claim": 2}


def most_connected(net: nx.MultiDiGraph, max_nodes: int) -> list:
    """The nodes to keep: all of them, or the `max_nodes` with most distinct neighbours (agents,
    then articles, then claims on ties; then by weight of their edges, then by id)."""
    if net.number_of_nodes() <= max_nodes:
        return list(net)

    def rank(n):
        neighbours = set(net.pred[n]) | set(net.succ[n])
        weight = sum(d.get("weight", 1) for _, _, d in net.in_edges(n, data=True)) + \
            sum(d.get("weight", 1) for _, _, d in net.out_edges(n, data=True))
        return (-len(neighbours), _KIND_ORDER.get(net.nodes[n].get("kind"), 3), -weight, str(n))

    return sorted(net, key=rank)[:max(0, max_nodes)]


def layout(net, *, seed: int = 7) -> dict:
    """Positions in pixels: a spring layout per connected component (edges taken both ways),
    the components packed in rows, largest first. A component of more than SKELETON nodes is laid
    out on its SKELETON best-connected nodes (linked where they share a neighbour) and the others
    are put next to their placed neighbours: linear in the nodes past the skeleton."""
    order = sorted(net, key=str)
    undirected = nx.Graph()
    undirected.add_nodes_from(order)
    undirected.add_edges_from((u, v) for u, v in net.edges() if u != v)
    components = sorted(nx.connected_components(undirected), key=lambda c: (-len(c), min(map(str, c))))
    boxes = []
    for i, component in enumerate(components):
        sub = undirected.subgraph(sorted(component, key=str))
        unit = _component_layout(sub, seed + i)
        radius = max(SPACING, SPACING * math.sqrt(len(component)))
        boxes.append(({n: (x * radius, y * radius) for n, (x, y) in unit.items()}, radius))
    return _pack(boxes)


def _component_layout(sub: nx.Graph, seed: int) -> dict:
    """Positions within the unit disc."""
    n = len(sub)
    if n == 1:
        return {next(iter(sub)): (0.0, 0.0)}
    if n == 2:
        a, b = sub
        return {a: (-0.5, 0.0), b: (0.5, 0.0)}
    if n <= SKELETON:
        pos = nx.spring_layout(sub, k=1.6 / math.sqrt(n), seed=seed, weight=None, method="force", iterations=60)
    else:
        pos = _skeleton_layout(sub, seed)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    extent = max(max(math.hypot(x - cx, y - cy) for x, y in zip(xs, ys)), 1e-9)
    return {k: ((float(x) - cx) / extent, (float(y) - cy) / extent) for k, (x, y) in pos.items()}


def _skeleton_layout(sub: nx.Graph, seed: int) -> dict:
    ranked = sorted(sub, key=lambda n: (-sub.degree(n), str(n)))
    core = set(ranked[:SKELETON])
    skeleton = nx.Graph()
    skeleton.add_nodes_from(ranked[:SKELETON])
    skeleton.add_edges_from((u, v) for u, v in sub.edges() if u in core and v in core)
    for n in ranked[SKELETON:]:  # two core nodes sharing a neighbour attract each other
        linked = [m for m in sub.adj[n] if m in core][:8]
        skeleton.add_edges_from((a, b) for i, a in enumerate(linked) for b in linked[i + 1:])
    placed = {k: (float(x), float(y)) for k, (x, y) in
              nx.spring_layout(skeleton, seed=seed, weight=None, method="force", iterations=50).items()}
    rng = random.Random(seed)
    spread = 0.6 / math.sqrt(SKELETON)
    pending = ranked[SKELETON:]
    while pending:
        later = []
        for n in pending:
            near = [placed[m] for m in sub.adj[n] if m in placed]
            if not near:
                later.append(n)
                continue
            x = sum(p[0] for p in near) / len(near)
            y = sum(p[1] for p in near) / len(near)
            angle, r = rng.uniform(0, 2 * math.pi), spread * (0.4 + rng.random())
            placed[n] = (x + r * math.cos(angle), y + r * math.sin(angle))
        if len(later) == len(pending):  # not connected to the skeleton (cannot happen in a component)
            for n in later:
                placed[n] = (rng.uniform(-1, 1), rng.uniform(-1, 1))
            break
        pending = later
    return placed


def _pack(boxes: list[tuple[dict, float]]) -> dict:
    """Components side by side in rows (shelf packing), the whole centred on (0, 0)."""
    if not boxes:
        return {}
    gap = SPACING
    area = sum((2 * r + gap) ** 2 for _, r in boxes)
    width = max(2 * boxes[0][1] + gap, math.sqrt(area) * 1.15)
    positions, x, y, row = {}, 0.0, 0.0, 0.0
    for pos, r in boxes:
        size = 2 * r + gap
        if x > 0 and x + size > width:
            x, y, row = 0.0, y + row, 0.0
        for n, (px, py) in pos.items():
            positions[n] = (px + x + r, py + y + r)
        x += size
        row = max(row, size)
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {n: (round(px - cx), round(py - cy)) for n, (px, py) in positions.items()}


# -- vis-network data --------------------------------------------------------------------------


def _e(value) -> str:
    """Text for a tooltip: HTML-escaped (quotes too)."""
    return html.escape("" if value is None else str(value), quote=True)


def _type_name(node_type: str | None) -> str:
    return NODE_STYLES.get(node_type, OTHER_STYLE)[2] if node_type in NODE_STYLES else (node_type or "other")


def _agent_tip(d: dict) -> str:
    lines = [f"<b>{_e(d.get('label'))}</b> <i>{_e(_type_name(d.get('type')))}</i>"]
    if d.get("role"):
        roles = d["role"] if isinstance(d["role"], (list, tuple, set)) else [d["role"]]
        lines.append(f"role: {_e('; '.join(map(str, roles)))}")
    if d.get("roles"):
        lines.append(f"in the picture as: {_e(', '.join(d['roles']))}")
    counts = [f"{label} {d[key]}" for key, label in (("said", "said"), ("relayed", "relayed"),
              ("cited", "cited by relays"), ("published", "articles published"), ("received", "told"),
              ("platform", "said on it")) if d.get(key)]
    if counts:
        lines.append("attributions: " + _e(" · ".join(counts)))
    return "<br>".join(lines)


def _article_line(net, d: dict) -> str:
    """The claim's article, short: document id, publisher, date (the title is the article node's)."""
    article = net.nodes[d["article"]] if d.get("article") in net else {}
    parts = [d.get("document_id") or article.get("document_id"), d.get("publisher") or article.get("publisher"),
             article.get("date")]
    return ", ".join(_e(p) for p in parts if p)


def _claim_tip(net, d: dict) -> str:
    """The claim's text, source and relays, cue, certainty, polarity, evidence sentence and article.
    When the sentence holds the text, the text is marked in it rather than given twice."""
    text, evidence = d.get("text") or "", d.get("evidence") or ""
    at = evidence.find(text) if text else -1
    speech = f" ({_e(d['speech'])})" if d.get("speech") else ""
    head = f"<b>claim</b>{speech}" if at >= 0 else f"<b>claim</b>{speech}: “{_e(text)}”"
    who = _e(d.get("source") or "(no source)")
    if d.get("via"):
        who += " via " + " → ".join(_e(v) for v in d["via"])
    lines = [head, f"source: {who}"]
    flags = [f"{k}: {_e(d[k])}" for k in ("cue", "certainty", "polarity", "channel", "date") if d.get(k)]
    if flags:
        lines.append(" · ".join(flags))
    if at >= 0:
        lines.append(f"<i>evidence:</i> {_e(evidence[:at])}<mark>{_e(text)}</mark>{_e(evidence[at + len(text):])}")
    elif evidence:
        lines.append(f"<i>evidence:</i> {_e(evidence)}")
    article = _article_line(net, d)
    if article:
        lines.append(f"<i>article:</i> {article}")
    if d.get("contested"):
        lines.append(f'<b class="kg-contested">contested</b>: “{_e(d["contested"])}”')
    return "<br>".join(lines)


def _article_tip(d: dict) -> str:
    lines = [f"<b>{_e(d.get('title') or d.get('label'))}</b> <i>article</i>"]
    facts = [_e(x) for x in (d.get("document_id"), d.get("publisher"), d.get("date")) if x]
    if facts:
        lines.append(" · ".join(facts))
    if d.get("claims"):
        lines.append(plural(d["claims"], "claim"))
    if d.get("url"):
        lines.append(_e(d["url"]))
    return "<br>".join(lines)


def vis_data(net, positions: dict) -> tuple[list[dict], list[dict]]:
    """vis-network node and edge dicts (ids are integers; tooltips escaped HTML)."""
    ids = {n: i for i, n in enumerate(net)}
    nodes = []
    for n, d in net.nodes(data=True):
        kind, node_type = d.get("kind"), d.get("type")
        group = node_type if node_type in NODE_STYLES else "other"
        if kind == "claim":
            size, label, tip = None, fold(d.get("text") or d.get("label"), 28), _claim_tip(net, d)
        elif kind == "article":
            size = 9 + 2 * math.sqrt(d.get("claims") or 0)
            label, tip = fold(d.get("title") or d.get("label") or d.get("document_id"), 32), _article_tip(d)
        else:
            activity = sum(d.get(k) or 0 for k in ("attributions", "cited", "published", "received", "platform"))
            size, label, tip = 10 + 3 * math.sqrt(activity), fold(d.get("label") or n, 40), _agent_tip(d)
        x, y = positions[n]
        node = {"id": ids[n], "label": label, "group": group, "x": x, "y": y, "title": tip}
        if size is not None:  # claims: the size of their group
            node["size"] = round(min(size, 48), 1)
        nodes.append(node)
    edges = []
    for u, v, key, d in net.edges(keys=True, data=True):
        label = d.get("label", key)
        weight = d.get("weight", 1)
        edge = {"from": ids[u], "to": ids[v], "label": label, "color": EDGE_COLOURS.get(label, "#999999")}
        if weight > 1:
            edge["width"] = round(min(1 + 1.5 * math.log2(weight), 10), 1)
            edge["title"] = f"{label}: {weight} attributions"
        if label in DASHED:
            edge["dashes"] = True
            edge["title"] = f"contested: {d.get('contested') or ''}"  # a string title is shown as text
        edges.append(edge)
    return nodes, edges


def _options(n_nodes: int, n_edges: int) -> dict:
    big = n_nodes + n_edges > 1500
    groups = {}
    for name, (shape, colour, _, _) in {**NODE_STYLES, "other": OTHER_STYLE}.items():
        group = {"shape": shape, "color": {"background": colour, "border": _darker(colour),
                                           "highlight": {"background": colour, "border": "#000000"},
                                           "hover": {"background": colour, "border": "#000000"}}}
        if name == "Claim":
            group.update(size=6, font={"size": 9, "color": "#666666"})
        if name == "AnonymousSource":
            group["shapeProperties"] = {"borderDashes": [3, 2]}
            group["borderWidth"] = 2
        groups[name] = group
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "nodes": {"font": {"size": 13, "face": "sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "borderWidth": 1},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.45}}, "smooth": False,
                  "color": {"inherit": False, "opacity": 0.8}, "selectionWidth": 2,
                  "font": {"size": 9, "color": "#444444", "strokeWidth": 3, "strokeColor": "#ffffff",
                           "align": "middle"}},
        "groups": groups,
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "multiselect": True},
    }


def _darker(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#%02x%02x%02x" % (int(r * 0.7), int(g * 0.7), int(b * 0.7))


# -- the page ------------------------------------------------------------------------------------


_STYLE = """
<style>
  html, body { margin: 0; padding: 0; font-family: sans-serif; }
  #mynetwork { width: 100vw !important; height: 100vh !important; border: 0 !important;
               box-sizing: border-box; float: none !important; }
  div.vis-tooltip { white-space: normal !important; max-width: 460px; font-family: sans-serif !important;
                    font-size: 13px !important; line-height: 1.35; z-index: 20 !important; }
  .kg-panel { position: absolute; z-index: 10; background: rgba(255,255,255,0.92); border: 1px solid #cccccc;
              border-radius: 6px; padding: 8px 12px; font-size: 12px; color: #222222; }
  #kg-header { top: 8px; left: 8px; max-width: 55vw; }
  #kg-header h1 { font-size: 16px; margin: 0 0 4px 0; }
  #kg-note { color: #a33a00; }
  #kg-legend { top: 8px; right: 8px; line-height: 1.5; }
  #kg-legend .h { font-weight: bold; margin-top: 4px; }
  #kg-legend .g { display: inline-block; width: 1.3em; text-align: center; font-size: 14px; }
  #kg-legend .l { display: inline-block; width: 1.6em; height: 0; border-top: 3px solid; vertical-align: middle;
                  margin-right: 0.4em; }
  .kg-tip { max-width: 440px; }
  .kg-tip mark { background: #fff2a8; }
</style>
"""

_SCRIPT = """
<script type="text/javascript">
(function () {
  // Tooltips: vis-network shows a string title as text; ours are HTML whose texts were escaped
  // when the page was written, so turning them into elements shows them formatted, inert.
  function tip(markup) { var d = document.createElement("div"); d.className = "kg-tip"; d.innerHTML = markup; return d; }
  var update = [];
  nodes.forEach(function (n) { if (typeof n.title === "string") { update.push({id: n.id, title: tip(n.title)}); } });
  nodes.update(update);
  // fit the graph to the canvas, then shrink and shift it out from under the header and legend
  var box = document.getElementById("mynetwork"), legend = document.getElementById("kg-legend"),
      header = document.getElementById("kg-header");
  var w = box.clientWidth, h = box.clientHeight, lw = legend.offsetWidth + 16, hh = header.offsetHeight + 16;
  network.fit({animation: false});
  if (w > 2 * lw && h > 2 * hh) {
    var view = network.getViewPosition(), scale = network.getScale() * 0.88 * Math.min((w - lw) / w, (h - hh) / h);
    network.moveTo({position: {x: view.x + lw / 2 / scale, y: view.y - hh / 2 / scale}, scale: scale});
  }
  // What was drawn, for checks: DataSet lengths, nodes in the network's body, painted pixels (sampled).
  network.once("afterDrawing", function (ctx) {
    var painted = 0;
    try {
      var c = ctx.canvas, px = ctx.getImageData(0, 0, c.width, c.height).data;
      for (var i = 3; i < px.length; i += 16) { if (px[i] !== 0) { painted++; } }
    } catch (e) { painted = -1; }
    document.documentElement.setAttribute("data-kg-drawn", JSON.stringify({
      nodes: network.body.data.nodes.length, edges: network.body.data.edges.length,
      visible: network.body.nodeIndices.length, painted: painted,
      ms: Math.round(performance.now())}));
  });
  network.redraw();
})();
</script>
"""


def _legend(nodes: list[dict], edges: list[dict]) -> str:
    used_groups = {n["group"] for n in nodes}
    used_edges = {e["label"] for e in edges}
    rows = ['<div class="h">nodes</div>']
    for name, (_, colour, text, glyph) in {**NODE_STYLES, "other": OTHER_STYLE}.items():
        if name in used_groups or not nodes:
            rows.append(f'<div><span class="g" style="color:{colour}">{glyph}</span>{_e(text)}</div>')
    rows.append('<div class="h">edges</div>')
    for label, colour in EDGE_COLOURS.items():
        if label in used_edges or not edges:
            dashed = ";border-top-style:dashed" if label in DASHED else ""
            rows.append(f'<div><span class="l" style="border-color:{colour}{dashed}"></span>{_e(label)}: '
                        f'{_e(EDGE_MEANING[label])}</div>')
    rows.append('<div style="color:#666666">width: number of attributions</div>')
    return f'<div id="kg-legend" class="kg-panel">{"".join(rows)}</div>'


def _header(title: str, n_nodes: int, n_edges: int, total: int, dropped: int) -> str:
    counts = f"{n_nodes:,} nodes, {n_edges:,} edges"
    note = ""
    if dropped:
        note = (f'<div id="kg-note">Large graph: showing the {n_nodes:,} most connected of {total:,} nodes '
                f'({dropped:,} dropped, --max-nodes). Narrow it with --focus, --types or --query.</div>')
    return (f'<div id="kg-header" class="kg-panel"><h1>{_e(title)}</h1>{counts}. Hover a node for details; '
            f"scroll to zoom, drag to move.{note}</div>")


VIS_CSS = "lib/vis-9.1.2/vis-network.css"


@functools.lru_cache(maxsize=1)
def _template():
    """pyvis's template; its vis-network CSS without the images (data: URLs, 207 KB of 220) of the
    navigation and editing buttons, which the page does not show."""
    from jinja2 import ChoiceLoader, DictLoader
    from pyvis.network import Network

    net = Network(cdn_resources="in_line", directed=True)
    env = net.templateEnv
    css = env.loader.get_source(env, VIS_CSS)[0]
    css = re.sub(r"background-image:\s*url\(\s*[\"']?data:[^)]*\)\s*;?", "", css)
    env.loader = ChoiceLoader([DictLoader({VIS_CSS: css}), env.loader])
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "separators": (",", ":"), "ensure_ascii": False}
    return env.get_template(net.path)


def _page(nodes: list[dict], edges: list[dict], *, title: str, total: int, dropped: int) -> str:
    page = _template().render(
        height="100vh", width="100%", nodes=nodes, edges=edges, heading="",
        options=json.dumps(_options(len(nodes), len(edges)), separators=(",", ":")),
        physics_enabled=False, use_DOT=False, dot_lang="", widget=False, bgcolor="#ffffff", conf=False,
        tooltip_link=False, neighborhood_highlight=False, select_menu=False, filter_menu=False, notebook=False,
        cdn_resources="in_line")
    # the template's bootstrap (CDN) and its empty headings go; title, style, panels and script come in
    page = re.sub(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", "", page, flags=re.IGNORECASE)
    page = re.sub(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", "", page,
                  flags=re.IGNORECASE)
    page = re.sub(r"<center>\s*<h1>\s*</h1>\s*</center>", "", page)
    page = page.replace("<head>", f"<head>\n<title>{_e(title)}</title>", 1)
    page = page.replace("</head>", _STYLE + "</head>", 1)
    panels = _header(title, len(nodes), len(edges), total, dropped) + _legend(nodes, edges)
    page = page.replace("<body>", "<body>\n" + panels, 1)
    if not page.lstrip().lower().startswith("<!doctype"):
        page = "<!DOCTYPE html>\n" + page.lstrip()
    head, sep, tail = page.rpartition("</body>")
    return head + _SCRIPT + sep + tail
