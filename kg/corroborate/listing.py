"""The claim groups read back, a page at a time: what `kg claims`, the notebook and the web app list.

    rows = claims(store, min_sources=2, limit=20)     # the members of the 20 best corroborated groups
    group_sources(rows)                               # per group: its sources, their claims, articles, publishers

The groups are selected over a narrow projection (kg/queries/claim_groups.rq: IRI, independent
sources, number of claims; for a page, only the groups up to its end, claim_group_tiers.rq), sorted
and paged in Python, and only the members of the page's groups are then looked up
(kg/queries/claims.rq). Looking up a member costs some twenty index lookups, so a page of groups
answers in a fraction of a second on a store where every member takes seconds (bench/bench_claims.py).
"""
from __future__ import annotations

from collections import defaultdict

from pyoxigraph import Literal, NamedNode

from kg import query
from kg.corroborate.groups import check_version
from kg.corroborate.records import UNNAMED, ClaimRecord, count_members
from kg.store import as_store
from kg.vocab import XSD_INTEGER


def claims(graph_or_store, *, single_source: bool = False, min_sources: int | None = None,
           about: str | None = None, contested: bool = False, group: str | None = None,
           limit: int | None = None, offset: int = 0) -> list[dict]:
    """The members of the claim groups, one dict per claim, best corroborated groups first (most
    independent sources, then most claims, then by IRI: a total order, so pages never overlap).
    `single_source`: groups that rest on exactly one independent source (not those with none);
    `min_sources`: groups of at least that many; `about`: groups with a claim (or label) containing
    the text; `contested`: only the groups of contested groups (each row's `contest`,
    `contestLabel` and `side`, "affirms" or "disputes", say which and how; None for a group in
    none), by contested group, the affirming side first; a disputing claim's `disputes`, the texts
    of the claims it disputes. `group`: that claim group alone (its IRI). `limit` and `offset` count groups, in that order: the members of
    groups offset+1 to offset+limit (None: all). Parameters are bound as RDF terms.
    Each member says how it was counted (count_members): `countsAs`, the independent source it
    counts as (an agent IRI, or "unnamed:" and a publisher's or article's IRI) with `countsAsLabel`,
    and `statementWith`, the source label of the claim whose source it counts as when that is
    another claim it is one statement with in its article; or `notCounted`, why it is none. `start`
    and `end` are where the claim's words begin and end in its article."""
    store = as_store(graph_or_store)
    query.page(limit, offset)  # checked before any work
    check_version(store)
    order = _groups(store, single_source=single_source, min_sources=min_sources, about=about, contested=contested,
                    group=group, reach=None if limit is None else offset + limit)
    page = order[offset:None if limit is None else offset + limit]
    if not page:
        return []
    text = query.lateral_body(query.named("claims"), getattr(store, "lateral", False))
    rows: dict[str, dict] = {}
    for row in query.records(query.run(store, text, {"group": [NamedNode(g["group"]) for g in page]}, whole=True)):
        rows.setdefault(row["claim"], []).append(row)
    position = {g["group"]: i for i, g in enumerate(page)}
    members: dict[str, list[dict]] = defaultdict(list)
    for fragments in rows.values():
        # a claim relayed by two top-level attributions: the first (by IRI); its words' widest extent
        fragments.sort(key=lambda r: (r["top"], r["start"]))
        row = fragments[0]
        row["start"], row["end"] = min(r["start"] for r in fragments), max(r["end"] for r in fragments)
        group = page[position[row["group"]]]
        row = {"group": group["group"], "groupLabel": row["groupLabel"],      # the columns in the order they had
               "independentSources": group["independentSources"], "claims": group["claims"],
               **{k: v for k, v in row.items() if k not in _GROUP_OR_TOP},
               "contest": group["contest"], "contestLabel": group["contestLabel"], "side": group["side"]}
        members[row["group"]].append(row)
    out = []
    for group in page:
        claims_of = sorted(members[group["group"]], key=lambda r: (r["documentId"], r["evidenceStart"], r["claim"]))
        _count(claims_of)
        out += claims_of
    disputed: dict[str, list[str]] = defaultdict(list)
    if any(row["side"] == "disputes" for row in out):
        for d in query.records(query.run(store, query.named("disputes"), whole=True)):
            disputed[d["claim"]].append(d["disputedText"])
    for row in out:
        row["sourceType"] = query.local_name(row["sourceType"])
        row["disputes"] = disputed.get(row["claim"], [])
    return out


_GROUP_OR_TOP = frozenset({"group", "groupLabel", "top"})


def _sized(name: str) -> str:
    """kg/queries/NAME.rq with claim_group_sizes.rq at its `# {sizes}` line."""
    return query.compose(query.named(name), sizes=query.named("claim_group_sizes"))


def _groups(store, *, single_source, min_sources, about, contested, group, reach) -> list[dict]:
    """The groups that pass the filters, in listing order, each {group, independentSources, claims,
    contest, contestLabel, side} (kg/queries/claim_groups.rq, claim_contests.rq and
    claim_groups_about.rq, joined here); with `reach`, at least the first `reach` of them (all of
    them when --about or --contested filter them, which the query does not)."""
    bindings: dict = {} if group is None else {"group": NamedNode(group)}
    if single_source:
        bindings["maxSources"] = _integer(1)
        min_sources = max(min_sources or 0, 1)  # a group with none rests on no source, not on one
    if min_sources is not None:
        bindings["minSources"] = _integer(min_sources)
    if reach is not None and about is None and not contested:
        bindings.update(_cutoff(store, bindings, reach))
    groups = query.records(query.run(store, _sized("claim_groups"), bindings, whole=True))
    if about is not None:
        matching = {r["group"] for r in query.records(query.run(store, query.named("claim_groups_about"),
                                                                  {"about": Literal(about)}, whole=True))}
        groups = [g for g in groups if g["group"] in matching]
    contests: dict[str, list[dict]] = defaultdict(list)
    for row in query.records(query.run(store, query.named("claim_contests"), whole=True)):
        contests[row.pop("group")].append(row)
    none = [{"contest": None, "contestLabel": None, "side": None}]
    # best corroborated first; a group in two contested groups is listed once, in the first
    ordered = sorted(({**g, **min(contests.get(g["group"], none), key=lambda c: (c["contest"] or "", c["side"] or ""))}
                      for g in groups), key=lambda g: (-g["independentSources"], -g["claims"], g["group"]))
    if contested:  # by contested group, then side: what is said, then what denies it
        ordered = sorted((g for g in ordered if g["contest"]), key=lambda g: (g["contest"], g["side"] != "affirms"))
    return ordered


def _cutoff(store, bindings: dict, reach: int) -> dict:
    """The bindings that restrict claim_groups.rq to the groups up to the `reach`-th in the listing's
    order, ties included (kg/queries/claim_group_tiers.rq: the groups per number of sources and
    claims); none when `reach` takes them all."""
    tiers = sorted(((r["independentSources"], r["claims"], r["groups"])
                    for r in query.records(query.run(store, _sized("claim_group_tiers"), bindings, whole=True))),
                   reverse=True)
    seen = 0
    for sources, claims_, groups in tiers:
        seen += groups
        if seen >= reach:
            return {"fromSources": _integer(sources), "fromClaims": _integer(claims_)}
    return {}


def _integer(n: int) -> Literal:
    return Literal(str(int(n)), datatype=XSD_INTEGER)


def _count(members: list[dict]) -> None:
    """Each member of one group with how it counts among its independent sources (count_members)."""
    records = [ClaimRecord(r["claim"], r["text"], source=r["source"], source_type=r["sourceType"],
                           article=r["article"], publisher=r["publisher"], source_label=r["sourceLabel"],
                           start=r["start"], end=r["end"]) for r in members]
    for row, (key, why, inner) in zip(members, count_members(records)):
        credited = members[inner] if inner is not None else row
        row["countsAs"], row["countsAsLabel"], row["notCounted"] = key, _key_label(key, credited), why
        row["statementWith"] = credited["sourceLabel"] if inner is not None else None


def _key_label(key: str | None, row: dict) -> str | None:
    """A key as people read it: the source's label, or "unnamed sources of Newsweek"."""
    if key is None or not key.startswith(UNNAMED):
        return row["sourceLabel"] if key else None
    where = row["publisherLabel"] or row["publisher"] or f"article {row['documentId']}"
    return f"unnamed sources of {where}"


def group_sources(rows: list[dict]) -> dict[str, dict]:
    """What `claims()` rows say of each group, by group IRI in their order: `sources`, the
    independent sources, most claims first (source: the key, label, type for an agent, claims, and
    the documentIds of their articles and labels of their publishers, sorted); `notCounted`, the
    members that count as none, by reason ({reason: claims}); and the group's `articles` and
    `publishers`. A source's claims beyond one in an article are restatements: counted once."""
    out: dict[str, dict] = {}
    for row in rows:
        group = out.setdefault(row["group"], {"sources": {}, "notCounted": {}, "articles": set(), "publishers": set()})
        group["articles"].add(row["documentId"])
        if row["publisherLabel"]:
            group["publishers"].add(row["publisherLabel"])
        if row["countsAs"] is None:
            group["notCounted"][row["notCounted"]] = group["notCounted"].get(row["notCounted"], 0) + 1
            continue
        source = group["sources"].setdefault(row["countsAs"], {
            "source": row["countsAs"], "label": row["countsAsLabel"], "type": None,
            "claims": 0, "articles": set(), "publishers": set()})
        if not row["statementWith"] and not row["countsAs"].startswith(UNNAMED):
            source["type"] = row["sourceType"]  # the agent's own claim: its type
        source["claims"] += 1
        source["articles"].add(row["documentId"])
        if row["publisherLabel"]:
            source["publishers"].add(row["publisherLabel"])
    for group in out.values():
        group["sources"] = sorted(({**s, "articles": sorted(s["articles"]), "publishers": sorted(s["publishers"])}
                                   for s in group["sources"].values()),
                                  key=lambda s: (-s["claims"], s["label"] or "", s["source"]))
        group["articles"], group["publishers"] = sorted(group["articles"]), sorted(group["publishers"])
    return out
