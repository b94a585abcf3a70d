"""The picture: kg.network.build on the ingested seeds (nodes, edges, focus, types, query), kg.render
(offline, escaped, max-nodes), `kg render`, and the page opened in a headless chromium that reports
what vis-network drew (and leaves a screenshot)."""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ingested
from conftest import kg as kg_cli

import kg
from kg import network, render

ENTITY = "https://w3id.org/kg-attribution/entity/"
BLOOMBERG, NIS, NEWSWEEK = ENTITY + "bloomberg", ENTITY + "south-korea-nis", ENTITY + "newsweek"
ARTICLE_003 = "https://w3id.org/kg-attribution/article/003_4856369f2c6336b1"
EVIL = {  # what a news text may hold; none of it may run in the page
    "id": "evil",
    "title": "<b onmouseover=\"document.documentElement.setAttribute('data-pwned','title')\">Hackers</b> strike",
    "publisher": "Reuters",
    "text": "Hackers strike again\n\n"
            "The security researcher said that \"<script>alert(1)</script>\" was found in the page on Monday.\n\n"
            "John Smith, a spokesman for the company, said that <img src=x onerror=\"document.documentElement"
            ".setAttribute('data-pwned','img')\"> had been removed.\n",
}


@pytest.fixture(scope="module")
def store(seeded_local) -> str:
    """The seeds ingested once into a local store; the tests only read it."""
    return seeded_local


@pytest.fixture(scope="module")
def evil_store(tmp_path_factory) -> str:
    return ingested(tmp_path_factory.mktemp("evil"), EVIL)


def build(location, **options):
    with kg.Graph(location, read_only=True) as graph:
        return network.build(graph, **options)


def count(location, sparql) -> int:
    with kg.Graph(location, read_only=True) as graph:
        return graph.query(sparql)[0]["n"]


@pytest.fixture(scope="module")
def net(store):
    return build(store)


def edges(net, label):
    return {(u, v) for u, v, k in net.edges(keys=True) if k == label}


# --- network.build --------------------------------------------------------------------------


def test_bloomberg_relays_the_claim_of_south_korean_intelligence(net):
    (claim,) = [v for u, v in edges(net, "relayed") if u == BLOOMBERG]
    c = net.nodes[claim]
    assert (c["kind"], c["type"]) == ("claim", "Claim")
    assert "Vladivostok" in c["text"] and "Bloomberg reported" in c["evidence"]
    assert (c["cue"], c["certainty"], c["polarity"]) == ("reported", "certain", "positive")
    assert c["source"] == "National Intelligence Service" and c["via"] == ["Bloomberg News"]
    assert (c["article"], c["publisher"], c["document_id"]) == (ARTICLE_003, "Newsweek", "003_4856369f2c6336b1")
    assert (NIS, claim) in edges(net, "said")
    assert (BLOOMBERG, NIS) in edges(net, "cited")
    assert (claim, ARTICLE_003) in edges(net, "in")
    assert (NEWSWEEK, ARTICLE_003) in edges(net, "published")
    assert net.edges[BLOOMBERG, claim, "relayed"] == {"label": "relayed", "weight": 1}
    nis, bloomberg = net.nodes[NIS], net.nodes[BLOOMBERG]
    assert (nis["type"], nis["label"], nis["roles"], nis["said"]) == (
        "IntelligenceAgency", "National Intelligence Service", ["source"], 1)
    assert (bloomberg["type"], bloomberg["roles"], bloomberg["relayed"], bloomberg["said"]) == (
        "NewsOutlet", ["relay"], 1, 0)
    assert net.nodes[NEWSWEEK]["roles"] == ["publisher", "recipient"]


def test_the_model_of_nodes_and_edges(net, store):
    kinds = Counter(d["kind"] for _, d in net.nodes(data=True))
    originals = count(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?a kg:original ?o }")
    tops = count(store, "SELECT (COUNT(?a) AS ?n) WHERE { ?a kg:original ?o }")
    assert kinds["claim"] == originals and kinds["article"] == 2
    assert sum(d["weight"] for _, _, k, d in net.edges(keys=True, data=True) if k == "in") == tops
    ends = {"said": ("agent", "claim"), "relayed": ("agent", "claim"), "cited": ("agent", "agent"),
            "published": ("agent", "article"), "in": ("claim", "article"), "to": ("claim", "agent"),
            "on": ("claim", "agent"), "disputes": ("claim", "claim")}
    for u, v, key, d in net.edges(keys=True, data=True):
        assert (net.nodes[u]["kind"], net.nodes[v]["kind"]) == ends[key] and d["label"] == key
        assert isinstance(d["weight"], int) and d["weight"] >= 1
    for _, d in net.nodes(data=True):
        assert d["label"] and d["type"]
        if d["kind"] == "agent":
            assert d["type"] in network.AGENT_TYPES and d["roles"]
            assert d["attributions"] == d["said"] + d["relayed"]
    platforms = {net.nodes[v]["label"] for _, v in edges(net, "on")}
    assert {"Telegram", "X"} <= platforms


def test_focus_is_a_neighbourhood_of_the_agents_named(store):
    near = build(store, focus="bloomberg", depth=1)
    assert near.graph["matched"] == [BLOOMBERG]
    labels = {d["label"] for _, d in near.nodes(data=True) if d["kind"] == "agent"}
    assert labels == {"Bloomberg News", "National Intelligence Service"}
    assert Counter(d["kind"] for _, d in near.nodes(data=True)) == {"agent": 2, "claim": 1}
    wider = build(store, focus="Bloomberg", depth=3)
    assert NEWSWEEK in wider and ARTICLE_003 in wider and set(near) < set(wider)


def test_focus_is_bound_as_a_literal(store):
    triples = count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    empty = build(store, focus='x" ) } } ; DROP ALL #')
    assert empty.number_of_nodes() == 0 and empty.graph["matched"] == []
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == triples


def test_types_keep_those_agents_and_their_claims(net, store):
    agencies = build(store, types={"agency"})
    assert {d["type"] for _, d in agencies.nodes(data=True) if d["kind"] == "agent"} == {"IntelligenceAgency"}
    for n, d in agencies.nodes(data=True):
        if d["kind"] == "claim":
            assert any(agencies.nodes[a]["kind"] == "agent" for a in agencies.predecessors(n))
    claims = {n for n, d in agencies.nodes(data=True) if d["kind"] == "claim"}
    assert claims == {v for u, v in edges(net, "said") | edges(net, "relayed")
                      if net.nodes[u]["type"] == "IntelligenceAgency"}
    people = build(store, types=network.agent_types("Person, OUTLET"))
    assert {d["type"] for _, d in people.nodes(data=True) if d["kind"] == "agent"} == {"Person", "NewsOutlet"}
    with pytest.raises(network.NetworkError, match="'spies'"):
        build(store, types={"spies"})


def test_query_restricts_to_the_attributions_it_returns(store, tmp_path):
    sparql = "SELECT ?attribution WHERE { ?attribution kg:source kge:bloomberg }"
    picked = build(store, query=sparql)
    assert Counter(d["kind"] for _, d in picked.nodes(data=True)) == {"agent": 3, "claim": 1, "article": 1}
    assert {d["label"] for _, d in picked.nodes(data=True) if d["kind"] == "agent"} == {
        "Bloomberg News", "National Intelligence Service", "Newsweek"}
    path = tmp_path / "zelensky.rq"
    path.write_text("SELECT ?attribution ?x WHERE { ?attribution kg:source/rdfs:label ?x "
                    "FILTER(CONTAINS(?x, 'Zelensk')) }", encoding="utf-8")
    from_file = build(store, query=path)
    zelensky = ENTITY + "person/volodymyr-zelensky"
    claims = [n for n, d in from_file.nodes(data=True) if d["kind"] == "claim"]
    assert len(claims) >= 5 and all(zelensky in from_file.pred[c] for c in claims)  # he said or relayed each
    with pytest.raises(network.NetworkError, match="no \\?attribution"):
        build(store, query="SELECT ?s WHERE { ?s a kg:Article }")


# --- render ---------------------------------------------------------------------------------


class Markup(HTMLParser):
    """Tags, their attributes, and the text of <style> and <script> elements."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.tags, self.styles, self.scripts, self._in = [], [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("style", "script") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.styles.append(data)
        elif self._in == "script":
            self.scripts.append(data)


def parse(page: str) -> Markup:
    markup = Markup()
    markup.feed(page)
    return markup


def page_data(page: str, name: str) -> list[dict]:
    found = re.search(rf"{name} = new vis\.DataSet\((.*?)\);\n", page)
    return json.loads(found.group(1))


def test_the_page_is_self_contained_and_offline(net, tmp_path):
    out = tmp_path / "graph.html"
    summary = render.render(net, out)
    page = out.read_text(encoding="utf-8")
    assert (summary.nodes, summary.edges, summary.dropped) == (net.number_of_nodes(), net.number_of_edges(), 0)
    assert summary.bytes == out.stat().st_size
    markup = parse(page)
    for tag, attrs in markup.tags:  # nothing fetched: no src/href but fragments and data: URLs
        for name in ("src", "href", "srcset", "data", "action", "poster", "background"):
            value = attrs.get(name)
            assert value is None or value.startswith(("#", "data:")), (tag, name, value)
    assert not [t for t, _ in markup.tags if t in ("link", "iframe", "img", "object", "embed", "base")]
    styles = "\n".join(markup.styles) + "\n".join(a.get("style") or "" for _, a in markup.tags)
    assert "@import" not in styles
    assert all(u.strip("'\" ").startswith("data:") for u in re.findall(r"url\(([^)]*)\)", styles))
    outside_scripts = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    assert not re.search(r"https?://", outside_scripts)
    assert render.remote_resources(page) == []
    # vis-network itself is in the page, and the data too
    assert any("vis-network" in s and len(s) > 400_000 for s in markup.scripts)
    assert len(page_data(page, "nodes")) == net.number_of_nodes()
    assert len(page_data(page, "edges")) == net.number_of_edges()
    # the legend names the types present
    for name in ("intelligence agency", "news outlet", "person", "claim", "article", "relayed", "cited"):
        assert f">{name}" in page


def test_texts_are_escaped_and_nothing_runs(evil_store, net, tmp_path):
    evil = build(evil_store)
    (claim,) = [d for _, d in evil.nodes(data=True) if d["kind"] == "claim" and "<script>" in d["text"]]
    out = tmp_path / "evil.html"
    render.render(evil, out, title="<i>mine</i> & yours")
    page = out.read_text(encoding="utf-8")
    for live in ("<script>alert(1)", "<img src=x", "<b onmouseover", "<i>mine</i>"):
        assert live not in page
    assert "&lt;i&gt;mine&lt;/i&gt; &amp; yours" in page
    titles = [n["title"] for n in page_data(page, "nodes")]
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in t for t in titles)
    assert any("&lt;img src=x onerror=&quot;document" in t for t in titles)
    assert any("&lt;b onmouseover=" in t for t in titles)
    # the page's tags are those of any page: the data added none
    plain = render.to_html(net)[0]
    tags = Counter(t for t, _ in parse(page).tags)
    assert set(tags) == {"html", "head", "title", "meta", "script", "style", "body", "div", "span", "h1"}
    assert tags["script"] == Counter(t for t, _ in parse(plain).tags)["script"]
    # and a tooltip's markup, parsed as the page does it (innerHTML), holds only our own tags
    tip = next(t for t in titles if "alert(1)" in t)
    assert {t for t, _ in parse(tip).tags} <= {"b", "br", "i", "mark"}
    # labels are canvas text, drawn as text by vis-network (in the file, '<' is written \\u003c)
    assert any(n["label"].startswith('that "<script>alert(1)') for n in page_data(page, "nodes"))
    assert claim["text"].startswith('that "<script>alert(1)</script>"')


def test_max_nodes_keeps_the_most_connected(net, tmp_path):
    out = tmp_path / "small.html"
    summary = render.render(net, out, max_nodes=10)
    assert (summary.nodes, summary.dropped) == (10, net.number_of_nodes() - 10)
    page = out.read_text(encoding="utf-8")
    assert f"({summary.dropped} dropped, --max-nodes)" in page
    assert len(page_data(page, "nodes")) == 10
    degree = {n: len(set(net.pred[n]) | set(net.succ[n])) for n in net}
    kept = render.most_connected(net, 10)
    assert min(degree[n] for n in kept) >= max(degree[n] for n in net if n not in kept)
    assert ARTICLE_003 in kept and ENTITY + "person/volodymyr-zelensky" in kept
    kept_edges = sum(1 for u, v in net.edges() if u in kept and v in kept)
    assert summary.edges == kept_edges == len(page_data(page, "edges"))


def test_layout_places_every_node_apart(net):
    positions = render.layout(net)
    assert set(positions) == set(net)
    assert len(set(positions.values())) == len(positions)
    assert render.layout(net) == positions  # seeded


def test_kg_render_command(store, tmp_path):
    out = tmp_path / "bloomberg.html"
    result = kg_cli("render", "-o", out, "--focus", "Bloomberg", "--depth", "3", "--store", store)
    assert re.fullmatch(r"\d+ nodes, \d+ edges, 0 dropped \(max-nodes\), \d+ KB -> .*bloomberg\.html\n", result.stderr)
    assert out.stat().st_size > 100_000 and result.stdout == ""
    nodes = int(result.stderr.split()[0])
    assert nodes == build(store, focus="Bloomberg", depth=3).number_of_nodes()
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?attribution WHERE { ?attribution kg:cue 'reported' }", encoding="utf-8")
    result = kg_cli("render", "-o", out, "--query", query, "--types", "outlet,agency", "--max-nodes", "5",
                    "--store", store)
    assert ", 5 nodes" not in result.stderr and result.stderr.startswith("5 nodes")
    for args, message in [(("--types", "spies"), "unknown agent type 'spies'"),
                          (("--focus", "Nobody at all"), "no agent in the graph whose name contains 'Nobody at all'"),
                          (("--query", tmp_path / "missing.rq"), "missing.rq: no such file or directory"),
                          (("--query", query, "-o", tmp_path / "no" / "dir.html"), "cannot write"),
                          (("--max-nodes", "0"), "Invalid value")]:
        failed = kg_cli("render", "-o", tmp_path / "x.html", "--store", store, *args, ok=False)
        assert failed.exit_code in (1, 2) and message in failed.stderr, (args, failed.stderr)
        if failed.exit_code == 1:
            assert failed.stderr.count("\n") == 1 and failed.stderr.startswith("kg: error: ")


# --- in a browser -----------------------------------------------------------------------------


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def open_in_browser(page: Path, profile: Path, screenshot: Path | None = None) -> str:
    """The DOM after the page ran (3 s of virtual time), from a headless chromium that resolves no
    host name (the page must need none)."""
    args = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--hide-scrollbars", f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--window-size=1200,900", "--virtual-time-budget=3000", "--dump-dom"]
    if screenshot:
        args.append(f"--screenshot={screenshot}")
    done = subprocess.run(args + [page.resolve().as_uri()], capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def drawn(dom: str) -> dict:
    found = re.search(r'<html[^>]*\bdata-kg-drawn="([^"]*)"', dom)
    assert found, "the page did not report a drawing: " + dom[:300]
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.skipif(chromium() is None, reason="no chromium on PATH (Debian: apt-get install chromium)")
def test_a_browser_draws_the_seeds_and_runs_nothing_of_the_texts(net, evil_store, tmp_path):
    artifacts = Path(os.environ.get("KG_TEST_ARTIFACTS") or tmp_path)
    artifacts.mkdir(parents=True, exist_ok=True)
    page, shot = tmp_path / "seeds.html", artifacts / "render_seeds.png"
    summary = render.render(net, page)
    dom = open_in_browser(page, tmp_path / "profile", screenshot=shot)
    print(f"\nscreenshot of the seeds page: {shot}")
    seen = drawn(dom)
    assert (seen["nodes"], seen["edges"]) == (summary.nodes, summary.edges) == (net.number_of_nodes(),
                                                                                net.number_of_edges())
    assert seen["visible"] == summary.nodes
    assert seen["painted"] > 2000  # sampled canvas pixels that are not blank
    assert shot.stat().st_size > 20_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    evil_page = tmp_path / "evil.html"
    evil = render.render(build(evil_store), evil_page)
    dom = open_in_browser(evil_page, tmp_path / "profile")
    assert drawn(dom)["nodes"] == evil.nodes
    root = re.search(r"<html[^>]*>", dom).group(0)
    assert "data-kg-drawn" in root and "data-pwned" not in root  # neither onmouseover nor onerror ran
