"""The attribution graph as a networkx graph: the data of `kg render`'s picture (and of any other
network analysis).

    import kg
    from kg import network
    with kg.Graph("./graph", read_only=True) as g:
        net = network.build(g)                                    # everything
        net = network.build(g, focus="Bloomberg", depth=2)        # one agent's neighbourhood
        net = network.build(g, types={"person", "agency"})        # people and services, and their claims
        net = network.build(g, query=Path("mine.rq"))             # the attributions a SELECT returns

`build` returns a `networkx.MultiDiGraph`. Node ids are IRIs; every node has `kind` ("agent",
"claim" or "article"), `type` and `label`:

- agents (kge: IRIs): the sources, relays, publishers, recipients and platforms of the selected
  attributions. `type` is the agent class (Person, NewsOutlet, IntelligenceAgency,
  GovernmentBody, Government, Platform, Organization, AnonymousSource, Group); `roles` what the
  agent does in the picture (a sorted subset of source, relay, publisher, recipient, platform);
  `role` its kg:role values ("Pentagon spokesman"); counts of attributions: `said` (as the original
  source, the end of a citing chain), `relayed` (attributions of it that cite another),
  `attributions` (the two together), `cited` (times a relay cited it), `published` (articles),
  `received` (as recipient, "told Newsweek"), `platform` (said on it); counted over the attributions
  `query` selected (all by default), before `focus` and `types` cut the picture;
- claims: one per original statement (the attribution at the end of a citing chain; its
  kg:Claim IRI is the node id), however many relays passed it on. `type` "Claim"; `text`, `cue`
  (as the page reports it: the cue of the outermost attribution, as in `kg attributions`),
  `contested` (the label of its contested group, when it disputes or is disputed),
  `certainty`, `polarity`, `speech` (direct, indirect, mixed), `evidence` (the sentence),
  `source` (label of the original source, or the name the article used), `via` (the relays'
  labels, from the source outward), `channel`, `date`, `article` (IRI), `document_id`,
  `publisher` (label), `attribution` (the outermost attribution's IRI) and `attributions` (every
  attribution of its chains);
- articles (article IRIs): `type` "Article", `title`, `document_id`, `publisher` (label),
  `publisher_iri`, `date`, `url`, `claims` (count in the picture). `label` is the title, else the
  document id.

Edges are keyed by their label (`u, v, key`), at most one per label between two nodes; `label`
is the key again and `weight` the number of attributions the edge stands for:

- `said`: original source -> claim;
- `relayed`: relay agent -> claim, for every agent on the claim's citing chains (kg:citing);
- `cited`: relay agent -> the agent it cites (one step of a chain; weight: citing links);
- `published`: publisher -> article (weight: the article's attributions in the picture);
- `in`: claim -> article;
- `to`: claim -> recipient ("told Newsweek"); `on`: claim -> platform ("on Telegram");
- `disputes`: a claim that denies or does not confirm another -> that claim (kg:disputes: a
  contested group, kg.corroborate.contest); its `contested` and both claims' `contested` are the
  contested group's label.

`graph.graph` holds what was asked: `focus`, `depth`, `types`, `query`, and `matched` (the IRIs
of the agents the focus name matched).

The store is read with two SPARQL queries (attributions; articles and agents), plus one for the
focus name (bound as an RDF literal, never pasted into the query) and the user's own query; the
rest is done in Python, linear in the attributions. On a 1M-triple store (26k attributions) that
is ~12 s, nearly all of it Oxigraph evaluating the attributions query; focus and types cut the
picture afterwards, so they cost as much.
"""
from __future__ import annotations

import os
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
from pyoxigraph import Literal

from kg import query as q
from kg.documents import open_regular, os_error_message
from kg.errors import KgError
from kg.store import as_store
from kg.text import fold

AGENT_TYPES = ("Person", "NewsOutlet", "IntelligenceAgency", "GovernmentBody", "Government", "Platform",
               "Organization", "AnonymousSource", "Group")
# Short names accepted by `types` (besides the class names themselves, in any case).
TYPE_NAMES = {
    "person": "Person", "people": "Person", "persons": "Person",
    "outlet": "NewsOutlet", "outlets": "NewsOutlet", "news": "NewsOutlet", "media": "NewsOutlet",
    "agency": "IntelligenceAgency", "agencies": "IntelligenceAgency", "intelligence": "IntelligenceAgency",
    "body": "GovernmentBody", "bodies": "GovernmentBody",
    "government": "Government", "governments": "Government",
    "platform": "Platform", "platforms": "Platform",
    "organization": "Organization", "organisation": "Organization", "org": "Organization",
    "organizations": "Organization", "organisations": "Organization",
    "anonymous": "AnonymousSource", "anon": "AnonymousSource",
    "group": "Group", "groups": "Group",
    **{t.lower(): t for t in AGENT_TYPES},
}
EDGE_LABELS = ("said", "relayed", "cited", "published", "in", "to", "on")

class NetworkError(KgError, ValueError):
    """A request build() cannot answer: an unknown type name, a query that returns no ?attribution."""


def agent_types(names) -> set[str]:
    """Agent class names for `names` (short names like person, outlet, agency, or class names, in
    any case; a comma-separated string is split). NetworkError names the unknown ones."""
    if isinstance(names, str):
        names = names.split(",")
    wanted, unknown = set(), []
    for name in names:
        key = name.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
        if not key:
            continue
        if key in TYPE_NAMES:
            wanted.add(TYPE_NAMES[key])
        else:
            unknown.append(name.strip())
    if unknown:
        raise NetworkError(f"unknown agent type {', '.join(map(repr, unknown))} (known: person, outlet, agency, "
                           "body, government, platform, organization, anonymous, group)")
    return wanted


def build(graph, *, focus: str | None = None, depth: int = 2, types: set[str] | None = None,
          query: str | os.PathLike | None = None) -> nx.MultiDiGraph:
    """The attribution graph of the store behind `graph` (a kg.Graph, or a kg store).

    `query`: SPARQL text (or a path to a .rq file) of a SELECT whose ?attribution column lists
    attribution IRIs: only the claims whose citing chains hold one of them are kept.
    `types`: agent types to keep (see agent_types); the claims attached to a kept agent and the
    articles of those claims (or of a kept publisher) stay, everything else goes.
    `focus`: only the nodes within `depth` hops (edges taken both ways) of the agents whose label
    or a name seen for them contains `focus` (case-insensitive); the matched agents are kept even
    when `types` would drop them. Applied in this order: query, focus, types.
    """
    store = as_store(graph)
    wanted_types = agent_types(types) if types else None
    selected = _selected(store, query) if query is not None else None
    rows = q.records(q.run(store, q.named("network_attributions"), whole=True))
    nodes = q.records(q.run(store, q.named("network_nodes"), whole=True))

    net = _assemble(rows, nodes, selected)
    _add_disputes(net, q.records(q.run(store, q.named("disputes"), whole=True)))
    net.graph.update(focus=focus, depth=depth, types=sorted(wanted_types) if wanted_types else None,
                     query=None if query is None else str(query), matched=[])
    if focus is not None:
        named = q.run(store, q.named("agents_named"), {"name": Literal(focus)}, whole=True)
        matched = [r["agent"] for r in q.records(named)]
        matched = [m for m in matched if m in net]
        net.graph["matched"] = sorted(matched)
        net = _neighbourhood(net, matched, depth)
    if wanted_types:
        net = _keep_types(net, wanted_types, keep=set(net.graph["matched"]))
    return net


def _selected(store, query) -> set[str]:
    """The attribution IRIs the user's SELECT returns."""
    if isinstance(query, os.PathLike) or ("{" not in query and _is_file(query)):
        path = Path(query)
        try:
            with open_regular(path, "r", encoding="utf-8") as f:
                query = f.read()
        except OSError as error:
            raise NetworkError(f"{path}: {os_error_message(error)}") from None
        except UnicodeDecodeError:
            raise NetworkError(f"{path}: not UTF-8 text") from None
        if not query.strip():
            raise NetworkError(f"{path}: empty query")
    result = q.run(store, query)
    variables = getattr(result, "variables", None)
    if variables is None:
        raise NetworkError("the query must be a SELECT returning ?attribution")
    names = [str(v).lstrip("?") for v in variables]
    if "attribution" not in names:
        raise NetworkError(f"the query returns no ?attribution (it returns {', '.join('?' + n for n in names)})")
    at = names.index("attribution")
    return {row[at].value for row in result if row[at] is not None}


def _is_file(name: str) -> bool:
    try:
        return Path(name).is_file()
    except (OSError, ValueError):
        return False


def _local(iri: str | None) -> str | None:
    return q.local_name(iri).lower() if iri else None


def _assemble(rows: list[dict], node_rows: list[dict], selected: set[str] | None) -> nx.MultiDiGraph:
    records, cited_by, chains = _chains(rows, selected)
    articles, agents = _nodes(node_rows)
    picture = _Picture(agents)
    for original, members in chains.items():
        picture.add_claim(original, members, records, cited_by)
    picture.add_articles(articles)
    return picture.finish()


def _add_disputes(net: nx.MultiDiGraph, disputes: list[dict]) -> None:
    """The contested groups in the picture: a `disputes` edge from each claim that denies or does
    not confirm another to that claim, and on both claims `contested`, the contested group's label
    (disputes link original statements, which are the claim nodes)."""
    for d in disputes:
        if d["claim"] in net and d["disputed"] in net:
            net.add_edge(d["claim"], d["disputed"], key="disputes", label="disputes", weight=1,
                         contested=d["contestLabel"])
            for claim in (d["claim"], d["disputed"]):
                net.nodes[claim]["contested"] = d["contestLabel"]


def _chains(rows: list[dict], selected: set[str] | None) -> tuple[dict, dict, dict]:
    """One record per attribution (OPTIONALs may repeat a row), who cites each, and the chains: from
    each original attribution (it cites nothing) to every attribution relaying it, those that
    touch `selected` if given."""
    records: dict[str, dict] = {}
    for row in rows:
        records.setdefault(row["attribution"], row)
    cited_by: dict[str, list[str]] = defaultdict(list)
    for a, r in records.items():
        if r["citing"] in records:
            cited_by[r["citing"]].append(a)
    chains: dict[str, list[str]] = {}
    for a, r in records.items():
        if r["citing"] is None or r["citing"] not in records:
            members, todo = [], [a]
            while todo:
                x = todo.pop()
                if x in members:
                    continue
                members.append(x)
                todo += cited_by.get(x, [])
            chains[a] = members
    if selected is not None:
        chains = {o: m for o, m in chains.items() if selected.intersection(m)}
    return records, cited_by, chains


def _nodes(node_rows: list[dict]) -> tuple[dict, dict]:
    """The articles and the agents (with their kg:role values as a set), by IRI."""
    articles, agents = {}, {}
    for row in node_rows:
        if row["kind"] == "article":
            articles.setdefault(row["node"], row)
        else:
            agent = agents.setdefault(row["node"], {**row, "roles": set()})
            if row["role"]:
                agent["roles"].add(row["role"])
    return articles, agents


class _Picture:
    """The graph as it is built: claim and article nodes as they come; the agents' nodes, which carry
    counts over every claim, and the weighted edges at the end."""

    def __init__(self, agents: dict):
        self.net = nx.MultiDiGraph()
        self.agents = agents
        self.label = {iri: a["label"] for iri, a in agents.items()}
        self.weights: Counter = Counter()
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.roles: dict[str, set] = defaultdict(set)
        self.article_weight: Counter = Counter()

    def edge(self, u, v, key, n=1) -> None:
        self.weights[u, v, key] += n

    def agent_in(self, agent, role: str, count: str) -> None:
        self.counts[agent][count] += 1
        self.roles[agent].add(role)

    def add_claim(self, original: str, members: list[str], records: dict, cited_by: dict) -> None:
        """One claim per original statement, however many relays passed it on."""
        net, label, agents = self.net, self.label, self.agents
        o = records[original]
        claim = o["claim"]
        tops = [m for m in members if m not in cited_by] or [original]
        top = records[sorted(tops)[0]]
        order = _relay_order(original, members, records)
        via = [label.get(records[m]["source"]) or records[m]["sourceName"] for m in order]
        article = o["article"]
        if claim not in net:
            net.add_node(claim, kind="claim", type="Claim", label=fold(o["text"]), text=o["text"],
                         cue=top["cue"], certainty=_local(o["certainty"]), polarity=_local(o["polarity"]),
                         speech=_local(o["speech"]), evidence=top["evidence"] or o["evidence"],
                         source=label.get(o["source"]) or o["sourceName"], via=[v for v in via if v],
                         channel=next((records[m]["channel"] for m in members if records[m]["channel"]), None),
                         date=o["date"] or o["dateText"] or top["date"] or top["dateText"],
                         article=article, attribution=top["attribution"], attributions=sorted(members))
        if o["source"] in agents:
            self.edge(o["source"], claim, "said")
            self.agent_in(o["source"], "source", "said")
        for m in members:
            r = records[m]
            if m != original and r["source"] in agents:
                self.edge(r["source"], claim, "relayed")
                self.agent_in(r["source"], "relay", "relayed")
                cited = records.get(r["citing"], {}).get("source")
                if cited in agents:
                    self.edge(r["source"], cited, "cited")
                    self.counts[cited]["cited"] += 1
            if r["recipient"] in agents:
                self.edge(claim, r["recipient"], "to")
                self.agent_in(r["recipient"], "recipient", "received")
            if r["platform"] in agents:
                self.edge(claim, r["platform"], "on")
                self.agent_in(r["platform"], "platform", "platform")
        self.edge(claim, article, "in", len(tops))
        self.article_weight[article] += len(members)

    def add_articles(self, articles: dict) -> None:
        """The articles of the claims, their publishers' edges, and each claim's article facts."""
        net, label = self.net, self.label
        for iri, n in self.article_weight.items():
            a = articles.get(iri, {})
            publisher = a.get("publisher")
            net.add_node(iri, kind="article", type="Article", label=a.get("title") or a.get("documentId") or iri,
                         title=a.get("title"), document_id=a.get("documentId"), publisher=label.get(publisher),
                         publisher_iri=publisher, date=a.get("date"), url=a.get("url"), claims=0)
            if publisher in self.agents:
                self.edge(publisher, iri, "published", n)
                self.agent_in(publisher, "publisher", "published")
        for node, data in net.nodes(data=True):
            if data["kind"] == "claim":
                a = net.nodes[data["article"]]
                data.update(document_id=a["document_id"], publisher=a["publisher"])
                a["claims"] += 1

    def finish(self) -> nx.MultiDiGraph:
        """The agents in the picture, with what they did in it, and the weighted edges."""
        for iri in self.roles:
            a, c = self.agents[iri], self.counts[iri]
            self.net.add_node(iri, kind="agent", type=q.local_name(a["type"]), label=a["label"],
                              roles=sorted(self.roles[iri]), role=sorted(a["roles"]),
                              said=c["said"], relayed=c["relayed"], attributions=c["said"] + c["relayed"],
                              cited=c["cited"], published=c["published"], received=c["received"],
                              platform=c["platform"])
        for (u, v, key), w in self.weights.items():
            self.net.add_edge(u, v, key=key, label=key, weight=w)
        return self.net


def _relay_order(original: str, members: list[str], records: dict) -> list[str]:
    """The relays of a chain from the source outward (by kg:citing steps from the original)."""
    steps = {}
    for m in members:
        n, x = 0, m
        while x != original and x in records and n <= len(members):
            x, n = records[x]["citing"], n + 1
        steps[m] = n
    return sorted((m for m in members if m != original), key=lambda m: (steps[m], m))


def _neighbourhood(net: nx.MultiDiGraph, centres: list[str], depth: int) -> nx.MultiDiGraph:
    """The nodes within `depth` hops of the centres, edges taken both ways."""
    keep = set(centres)
    frontier = set(centres)
    undirected = net.to_undirected(as_view=True)
    for _ in range(max(0, depth)):
        frontier = {n for f in frontier for n in undirected.adj[f]} - keep
        if not frontier:
            break
        keep |= frontier
    return _subgraph(net, keep)


def _keep_types(net: nx.MultiDiGraph, types: set[str], keep: set[str]) -> nx.MultiDiGraph:
    agents = {n for n, d in net.nodes(data=True) if d["kind"] == "agent" and (d["type"] in types or n in keep)}
    claims = {n for a in agents for n in nx.all_neighbors(net, a) if net.nodes[n]["kind"] == "claim"}
    articles = {n for c in agents | claims for n in nx.all_neighbors(net, c) if net.nodes[n]["kind"] == "article"}
    return _subgraph(net, agents | claims | articles)


def _subgraph(net: nx.MultiDiGraph, keep: set) -> nx.MultiDiGraph:
    sub = net.subgraph(keep).copy()
    sub.graph.update(net.graph)
    for n, d in sub.nodes(data=True):
        if d["kind"] == "article":
            d["claims"] = sum(1 for c in sub.predecessors(n) if sub.nodes[c]["kind"] == "claim")
    return sub


EXPORT_FORMATS = ("graphml", "gexf")


def write(net: nx.MultiDiGraph, out, fmt: str) -> None:
    """Write the picture as GraphML or GEXF (for Gephi, Cytoscape, yEd) to `out`, a path or a binary
    file. Both formats hold only scalar attributes: lists are joined with "; ", missing values left
    out, so every attribute keeps one type across the nodes that have it."""
    if fmt not in EXPORT_FORMATS:
        raise NetworkError(f"unknown graph format {fmt!r} (known: {', '.join(EXPORT_FORMATS)})")
    flat = nx.MultiDiGraph()
    flat.add_nodes_from((n, _scalars(d)) for n, d in net.nodes(data=True))
    flat.add_edges_from((u, v, k, _scalars(d)) for u, v, k, d in net.edges(keys=True, data=True))
    (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(flat, out)


def _scalars(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if isinstance(value, (list, tuple, set)):
            value = "; ".join(map(str, value))
        if value is not None and value != "":
            out[key] = value
    return out
