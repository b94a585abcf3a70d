"""The numbers that matter for judging a story, from the store.

    report = analyze(graph)      # a dict: by_source, by_outlet, chain_lengths, relied_upon
    print(format_report(report))

- by_source: per original source (the end of each citing chain), the claims resting on it;
- by_outlet: per publisher, its claims, how many rest on anonymous sources (kg:AnonymousSource)
  and that share, and how many came through a relay;
- chain_lengths: how many claims reached the page directly (1), through one relay (2), ...;
- relied_upon: the sources the corpus leans on most: PageRank on the "relies on" projection
  (publisher -> relay -> original source, one edge per hop, weighted by the number of claims),
  so a source relayed by outlets that are themselves much relied on ranks high;
- contested: the contested groups (what some sources say and others deny or do not confirm), each
  with its label and, per side, the claims and the independent sources of its claim groups (summed:
  a source on two groups of one side counts twice); most claims first.

Four SPARQL queries (kg/queries/analyze_*.rq) and one networkx PageRank: linear in the claims.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import networkx as nx

from kg import query as q
from kg.text import fold
from kg.store import as_store

TOP = 15


def analyze(graph, top: int = TOP) -> dict:
    store = as_store(graph)
    claims = q.records(q.run(store, q.named("analyze_claims"), whole=True))
    hops = q.records(q.run(store, q.named("analyze_hops"), whole=True))

    by_source: Counter = Counter()
    source_type: dict[str, str] = {}
    outlets: dict[str, dict] = defaultdict(lambda: {"claims": 0, "anonymous": 0, "via_relay": 0})
    lengths: Counter = Counter()
    relied = nx.DiGraph()
    for c in claims:
        label = c["sourceLabel"] or "(no source)"
        by_source[label] += 1
        source_type[label] = q.local_name(c["sourceType"]) or ""
        outlet = outlets[c["publisherLabel"] or "(publisher unknown)"]
        outlet["claims"] += 1
        outlet["anonymous"] += q.local_name(c["sourceType"]) == "AnonymousSource"
        outlet["via_relay"] += c["relays"] > 0
        lengths[c["relays"] + 1] += 1
    for h in hops:  # who relies on whom, one edge per hop of each chain
        if h["from"] and h["to"] and h["from"] != h["to"]:
            weight = relied.get_edge_data(h["fromLabel"], h["toLabel"], {"weight": 0})["weight"]
            relied.add_edge(h["fromLabel"], h["toLabel"], weight=weight + 1)
    rank = pagerank(relied)
    contested: dict[str, dict] = {}
    for row in q.records(q.run(store, q.named("analyze_contested"), whole=True)):
        c = contested.setdefault(row["contest"], {"contested": row["label"], "iri": row["contest"],
                                                  "affirms": {"claims": 0, "sources": 0},
                                                  "disputes": {"claims": 0, "sources": 0}})
        c[row["side"]]["claims"] += int(row["claims"])
        c[row["side"]]["sources"] += int(row["independentSources"])

    return {
        "claims": len(claims),
        # ties by name: the same top whatever order the store returned the claims in
        "by_source": [{"source": s, "type": source_type[s], "claims": n}
                      for s, n in sorted(by_source.items(), key=lambda sn: (-sn[1], sn[0]))[:top]],
        "by_outlet": sorted(({"outlet": o, **v, "anonymous_share": round(v["anonymous"] / v["claims"], 3)}
                             for o, v in outlets.items()), key=lambda r: (-r["claims"], r["outlet"]))[:top],
        "chain_lengths": {str(k): lengths[k] for k in sorted(lengths)},
        "relied_upon": [{"source": s, "pagerank": round(r, 4), "relied_on_by": relied.in_degree(s)}
                        for s, r in sorted(rank.items(), key=lambda kv: (-kv[1], kv[0]))[:top]],
        "contested_groups": len(contested),
        "contested": sorted(contested.values(), key=lambda c: (-c["affirms"]["claims"] - c["disputes"]["claims"],
                                                               c["iri"]))[:top],
    }


def pagerank(g: nx.DiGraph, damping: float = 0.85, rounds: int = 100, tol: float = 1e-10) -> dict:
    """Weighted PageRank by power iteration (networkx's own needs scipy, which kg does not ship);
    dangling nodes spread their rank evenly, as in networkx."""
    nodes = list(g)
    if not nodes:
        return {}
    rank = dict.fromkeys(nodes, 1 / len(nodes))
    out_weight = {n: sum(d["weight"] for _, _, d in g.out_edges(n, data=True)) for n in nodes}
    for _ in range(rounds):
        dangling = damping * sum(rank[n] for n in nodes if not out_weight[n]) / len(nodes)
        new = dict.fromkeys(nodes, (1 - damping) / len(nodes) + dangling)
        for a, b, d in g.edges(data=True):
            new[b] += damping * rank[a] * d["weight"] / out_weight[a]
        if sum(abs(new[n] - rank[n]) for n in nodes) < tol * len(nodes):
            return new
        rank = new
    return rank


def format_report(report: dict) -> str:
    lines = [f"{report['claims']} claims (attributions no other relays)", "", "Claims per original source:"]
    lines += [f"  {r['claims']:>6}  {r['source']} ({r['type']})" for r in report["by_source"]]
    lines += ["", "Per outlet: claims, on anonymous sources (share), via a relay:"]
    lines += [f"  {r['claims']:>6}  {r['anonymous']:>5} ({100 * r['anonymous_share']:4.1f} %)  {r['via_relay']:>5}  "
              f"{r['outlet']}" for r in report["by_outlet"]]
    lines += ["", "Chain length (1 = said directly to the page, 2 = through one relay, ...):"]
    lines += [f"  {k}: {n}" for k, n in report["chain_lengths"].items()]
    lines += ["", "Most relied upon (PageRank on publisher -> relay -> source):"]
    lines += [f"  {r['pagerank']:.4f}  {r['source']}  (relied on by {r['relied_on_by']})" for r in report["relied_upon"]]
    lines += ["", f"Contested ({report['contested_groups']}: said by some sources, denied or not confirmed by others;",
              "claims and independent sources affirming / disputing):"]
    lines += [f"  {c['affirms']['claims']:>3} ({c['affirms']['sources']}) / {c['disputes']['claims']:>3} "
              f"({c['disputes']['sources']})  {fold(c['contested'], 90)}" for c in report["contested"]]
    return "\n".join(lines)
