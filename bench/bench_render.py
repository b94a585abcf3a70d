"""How fast is `kg render` on a big picture, and how big is the page?

    python bench/bench_render.py [--nodes 2000] [--big 5000] [--max-nodes 2000] [--repeat 3] [--browser]

A synthetic graph of the shape kg.network.build returns (agents, claims, articles; said, relayed,
cited, published, in, to, on; ~2.5 edges per node; claim texts of 6-40 words and evidence sentences
around them, agents quoted after a Zipf law), seeded. Measured in the same run:

- kg.render.render on --nodes nodes (layout, escaping, inlined vis-network, the file written);
- the baseline: the same nodes and edges, same tooltips, through pyvis's own Network.add_node /
  add_edge and generate_html() (cdn_resources="in_line"; no layout: vis-network's physics would do it
  in the browser), written to a file. Ratio = kg / pyvis;
- kg.render.render on --big nodes with max_nodes=--max-nodes;
- growth: kg.render.render and the pyvis baseline on the --big nodes with no cut (once each).

--browser also opens each kg page in headless chromium (if installed) and reads what the page
reports it drew (data-kg-drawn) and the wall time of the chromium run.
Targets: --nodes 2000 under 3 s and under 2 MB. Output in bench/out/.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402

from kg import render  # noqa: E402

OUT = ROOT / "bench" / "out"
WORDS = ("the government would not agree to any new talks until the ceasefire was respected by both sides and "
         "officials said more troops were needed on the border while the budget for the coming year was still "
         "being negotiated in parliament where several members had called for an inquiry into the contracts "
         "awarded last spring to companies close to the ministry the plan will cost billions of dollars").split()
TYPES = [("Person", 45), ("NewsOutlet", 15), ("GovernmentBody", 10), ("Government", 6), ("IntelligenceAgency", 5),
         ("Organization", 8), ("AnonymousSource", 6), ("Group", 3), ("Platform", 2)]
CUES = ["said", "told reporters", "according to", "claimed", "wrote", "announced", "added", "warned", "reported"]
SYLLABLES = "bar ten ko mal ri son ver dan lu ha ne gor vi sta mor el ka tin ber ow fen ra sel do mi lan".split()


def synthetic(n_nodes: int, seed: int = 7) -> nx.MultiDiGraph:
    """A graph like kg.network.build's, of about n_nodes nodes: 12 % agents, 8 % articles, 80 % claims."""
    rng = random.Random(seed)
    net = nx.MultiDiGraph()
    n_agents, n_articles = max(3, n_nodes * 12 // 100), max(1, n_nodes * 8 // 100)
    n_claims = max(1, n_nodes - n_agents - n_articles)

    def words(lo, hi):
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))

    def name():
        return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title() for _ in range(2))

    types = [t for t, w in TYPES for _ in range(w)]
    agents = [f"https://w3id.org/kg-attribution/entity/x/{i}" for i in range(n_agents)]
    for i, a in enumerate(agents):
        t = "NewsOutlet" if i < max(2, n_agents // 10) else rng.choice(types)
        net.add_node(a, kind="agent", type=t, label=name(), roles=[], role=["spokesman"] if rng.random() < .2 else [],
                     said=0, relayed=0, attributions=0, cited=0, published=0, received=0, platform=0)
    outlets = agents[:max(2, n_agents // 10)]
    zipf = [1 / (k + 1) for k in range(n_agents)]
    articles = []
    for i in range(n_articles):
        a = f"https://w3id.org/kg-attribution/article/doc{i}"
        publisher = rng.choice(outlets)
        net.add_node(a, kind="article", type="Article", label=words(5, 10).capitalize(), title=words(5, 10).capitalize(),
                     document_id=f"doc{i}", publisher=net.nodes[publisher]["label"], publisher_iri=publisher,
                     date="2016-05-%02d" % rng.randint(1, 28), url=None, claims=0)
        net.add_edge(publisher, a, key="published", label="published", weight=0)
        net.nodes[publisher]["published"] += 1
        articles.append((a, publisher))

    def bump(u, v, key):
        if net.has_edge(u, v, key):
            net.edges[u, v, key]["weight"] += 1
        else:
            net.add_edge(u, v, key=key, label=key, weight=1)

    for i in range(n_claims):
        article, publisher = rng.choice(articles)
        claim = f"{article}#a{i}-claim"
        source = rng.choices(agents, weights=zipf)[0]
        text = words(6, 40)
        relays = rng.sample(outlets, rng.choice([1, 1, 2])) if rng.random() < 0.4 else []
        net.add_node(claim, kind="claim", type="Claim", label=text[:39] + "…", text=text, cue=rng.choice(CUES),
                     certainty=rng.choice(["certain"] * 6 + ["probable", "possible"]),
                     polarity="negative" if rng.random() < .05 else "positive", speech="indirect",
                     evidence=f"{words(3, 8).capitalize()}, {net.nodes[source]['label']} said, {text}.",
                     source=net.nodes[source]["label"], via=[net.nodes[r]["label"] for r in relays], channel=None,
                     date=None, article=article, attribution=f"{article}#a{i}", attributions=[f"{article}#a{i}"],
                     document_id=net.nodes[article]["document_id"], publisher=net.nodes[publisher]["label"])
        bump(source, claim, "said")
        bump(claim, article, "in")
        net.edges[publisher, article, "published"]["weight"] += 1
        net.nodes[article]["claims"] += 1
        for agent, key in [(source, "said")] + [(r, "relayed") for r in relays]:
            net.nodes[agent][key] += 1
            net.nodes[agent]["attributions"] += 1
        cited = source
        for r in relays:
            bump(r, claim, "relayed")
            bump(r, cited, "cited")
            cited = r
        if rng.random() < 0.12:
            bump(claim, rng.choice(outlets), "to")
        if rng.random() < 0.1:
            bump(claim, rng.choice(agents), "on")
    return net


def pyvis_baseline(net: nx.MultiDiGraph, path: Path) -> int:
    """The same picture through pyvis's own API: add_node / add_edge, then generate_html()."""
    from pyvis.network import Network

    page = Network(directed=True, cdn_resources="in_line", height="900px")
    nodes, _ = render.vis_data(net, {n: (0, 0) for n in net})
    ids = {n: i for i, n in enumerate(net)}
    for n, node in zip(net, nodes):
        shape, colour, _, _ = render.NODE_STYLES.get(node["group"], render.OTHER_STYLE)
        page.add_node(ids[n], label=node["label"], title=node["title"], shape=shape, color=colour, size=node.get("size", 6))
    for u, v, key, d in net.edges(keys=True, data=True):
        page.add_edge(ids[u], ids[v], label=key, title=f"{key}: {d['weight']}", width=1 + math.log2(max(1, d["weight"])),
                      color=render.EDGE_COLOURS[key])
    html = page.generate_html()
    path.write_text(html, encoding="utf-8")
    return path.stat().st_size


def timed(call, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def browser(path: Path) -> dict | None:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        return None
    with tempfile.TemporaryDirectory() as profile:
        start = time.perf_counter()
        dom = subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                              f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND",
                              "--window-size=1200,900", "--virtual-time-budget=10000", "--dump-dom",
                              path.resolve().as_uri()], capture_output=True, text=True, timeout=120).stdout
        seconds = time.perf_counter() - start
    import html as html_module
    import re

    found = re.search(r'data-kg-drawn="([^"]*)"', dom)
    return {"seconds": round(seconds, 2), **(json.loads(html_module.unescape(found.group(1))) if found else {})}


def from_store(n_triples: int, max_nodes: int) -> None:
    """network.build on a generated store (the generator of bench_query.py), then the page."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from bench_query import build as build_store
        from synthetic_graph import Generator
    except ImportError as error:
        print(f"--store-triples needs bench/bench_query.py and bench/synthetic_graph.py: {error}")
        return

    import kg
    from kg import network

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "store")
        start = time.perf_counter()
        counts = build_store(path, Generator(seed=7), n_triples, "bulk")
        print(f"store: {counts['articles']:,} articles, {counts['attributions']:,} attributions, "
              f"{counts.get('quads', counts['triples']):,} quads, built in {time.perf_counter() - start:.1f} s")
        with kg.Graph(path, read_only=True) as graph:
            seconds, _, net = timed(lambda: network.build(graph), 1)
            print(f"network.build: {seconds:.2f} s, {net.number_of_nodes():,} nodes, {net.number_of_edges():,} edges")
            seconds, _, focused = timed(lambda: network.build(graph, focus="Reuters", depth=2), 1)
            print(f"network.build(focus='Reuters', depth=2): {seconds:.2f} s, {focused.number_of_nodes():,} nodes")
        seconds, _, summary = timed(lambda: render.render(net, OUT / "render_store.html", max_nodes=max_nodes), 1)
        print(f"render, max_nodes {max_nodes}: {seconds:.2f} s, {summary.bytes / 1e6:.2f} MB, {summary.nodes} nodes, "
              f"{summary.edges} edges, {summary.dropped:,} dropped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--big", type=int, default=5000)
    parser.add_argument("--max-nodes", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--browser", action="store_true")
    parser.add_argument("--store-triples", type=int, default=0, metavar="N",
                        help="also generate a store of N triples (bench/synthetic_graph.py, as bench_query.py "
                             "does) and time kg.network.build and the render on it")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    net = synthetic(args.nodes)
    print(f"synthetic graph: {net.number_of_nodes()} nodes, {net.number_of_edges()} edges "
          f"({net.number_of_edges() / net.number_of_nodes():.2f} per node)")
    render.render(synthetic(50), OUT / "warmup.html")  # imports, template compilation

    ours_path, base_path = OUT / f"render_{args.nodes}.html", OUT / f"pyvis_{args.nodes}.html"
    ours, ours_times, summary = timed(lambda: render.render(net, ours_path, max_nodes=args.max_nodes), args.repeat)
    base, base_times, base_size = timed(lambda: pyvis_baseline(net, base_path), args.repeat)
    print(f"kg render    {args.nodes} nodes: {ours:.2f} s (runs {', '.join(f'{t:.2f}' for t in ours_times)}), "
          f"{summary.bytes / 1e6:.2f} MB, {summary.nodes} nodes, {summary.edges} edges, {summary.dropped} dropped")
    print(f"pyvis API    {args.nodes} nodes: {base:.2f} s (runs {', '.join(f'{t:.2f}' for t in base_times)}), "
          f"{base_size / 1e6:.2f} MB (no layout; loads bootstrap from a CDN; physics on)")
    print(f"ratio kg/pyvis: time {ours / base:.2f}, size {summary.bytes / base_size:.2f}")
    print(f"targets: < 3 s: {'yes' if ours < 3 else 'NO'}; < 2 MB: {'yes' if summary.bytes < 2e6 else 'NO'}")

    stages = {}
    start = time.perf_counter()
    positions = render.layout(net)
    stages["layout"] = time.perf_counter() - start
    start = time.perf_counter()
    nodes, edges = render.vis_data(net, positions)
    stages["data+tooltips"] = time.perf_counter() - start
    start = time.perf_counter()
    page = render._page(nodes, edges, title="x", total=len(nodes), dropped=0)
    stages["template"] = time.perf_counter() - start
    start = time.perf_counter()
    render.remote_resources(page)
    stages["offline check"] = time.perf_counter() - start
    print("stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
    print(f"ratio kg/pyvis without the layout (which pyvis leaves to the browser's physics): "
          f"{(ours - stages['layout']) / base:.2f}")

    big = synthetic(args.big, seed=8)
    big_path = OUT / f"render_{args.big}.html"
    seconds, _, big_summary = timed(lambda: render.render(big, big_path, max_nodes=args.max_nodes), args.repeat)
    print(f"kg render    {args.big} nodes ({big.number_of_edges()} edges), max_nodes {args.max_nodes}: {seconds:.2f} s, "
          f"{big_summary.bytes / 1e6:.2f} MB, {big_summary.nodes} nodes, {big_summary.edges} edges, "
          f"{big_summary.dropped} dropped")

    # growth: the same 5,000 nodes with no cut, kg vs pyvis's API (add_node/add_edge scan lists)
    whole_path, base_big_path = OUT / f"render_{args.big}_all.html", OUT / f"pyvis_{args.big}.html"
    whole, _, whole_summary = timed(lambda: render.render(big, whole_path, max_nodes=args.big), 1)
    base_big, _, base_big_size = timed(lambda: pyvis_baseline(big, base_big_path), 1)
    print(f"no cut, {args.big} nodes: kg render {whole:.2f} s ({whole_summary.bytes / 1e6:.2f} MB), "
          f"pyvis API {base_big:.2f} s ({base_big_size / 1e6:.2f} MB); ratio kg/pyvis {whole / base_big:.2f}")

    if args.store_triples:
        from_store(args.store_triples, args.max_nodes)

    if args.browser:
        for path in (ours_path, big_path):
            drawn = browser(path)
            print(f"headless chromium, {path.name}: {drawn}" if drawn is not None else "chromium not installed")


if __name__ == "__main__":
    main()
