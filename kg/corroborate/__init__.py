"""Claim corroboration: claims about the same thing, across articles and sources, grouped in the graph.

    summary = regroup(store)             # or regroup(kg.Graph(...)): reads every claim, writes the groups
    rows = claims(store, single_source=True)          # the members of the groups that rest on one source
    groups = group_texts(["...", "..."])             # the grouping alone, on plain texts (no store)

`kg ingest` calls regroup() at its end; `kg claims` lists the groups. No NLP model and nothing
downloaded: the similarity is computed here from the claim texts, with the stdlib.

What is written. One named graph, <https://w3id.org/kg-attribution/graph/claim-groups> (GROUPS_GRAPH),
replaced whole by each regroup, in one atomic write; the article graphs are not touched:

    <https://w3id.org/kg-attribution/claim-group/3f2a...> a kg:ClaimGroup ;
        rdfs:label "at least 1,500 North Korean troops had been deployed to Kursk" ;
        kg:independentSources 3 .
    <.../article/003_...#a13-claim> kg:inGroup <.../claim-group/3f2a...> .

Every claim of the store is in exactly one group: a claim that nothing else corroborates is a group
of one, so that "what rests on one source only" is one question (kg:independentSources 1) whether
the source said it once or several times. The group's IRI is a hash of its sorted member claim IRIs
and its label the text of its most central member (the medoid), cut to LABEL_WIDTH characters.

Which claims. Every kg:Claim, relays' claims included ("Bloomberg reported, citing NIS, that X":
Bloomberg's claim and NIS's claim), each read with its top-level attribution (the one no other
relays) and that attribution's kg:original: the end of the citing chain, whose source is the
claim's original source. One SPARQL query (kg/queries/read_claims.rq) reads them all.

Independent sources of a group: the distinct original sources of its members. A relay is never
counted (Bloomberg relaying NIS counts NIS only, and the relay's claim and the original's count
once); the same agent heard in several articles counts once (agents are canonical IRIs). Sources
the article does not name or that are collectives (kg:AnonymousSource, kg:Group: "officials",
"experts") are not comparable across articles, so all of them published by the SAME publisher count
as ONE source ("unnamed sources of Newsweek"): an outlet's officials may well be the same people
from one story to the next. A claim whose original has no source (the article's own "is known to")
counts with the unnamed sources of its publisher. Without a publisher, the article stands for it.
Not done: a person and the body they speak for (a spokesman and his government) count as two.

Similarity, designed for news claims (precision first: a group must never merge different things).
  Terms. A claim's text is tokenised by a regular expression (no spaCy at regroup time) and each
    token normalised: lower case, possessive 's dropped, a light English stemmer (plurals, -ed,
    -ing, -ment, irregular verbs: "deployed", "deploying", "deployment" -> "deploy"); stop words,
    reporting verbs and hedges ("said", "possible", "likely": the attribution already holds the cue
    and the certainty) and weekdays are dropped. Names of the entity register (ontology/entities.ttl)
    become one term each, countries with their names, demonyms and capital-city metonyms folded
    ("North Korean", "DPRK", "Pyongyang" -> north-korea). A few news synonyms are folded too
    (SYNONYMS: troops/soldiers/forces/personnel, send/dispatch/deploy, front/battlefield/war zone).
    Numbers are values ("1,500" and "1500", "10 thousand" and "10,000", "three" and "3"), dates
    month-day and year values. A trailing framing clause (", as speculation grows over ...", ", amid
    ...") is the writer's background, not the source's claim: left out unless the rest is a fragment.
    Places: a name in a place's position ("to Kursk", "the Kursk area") is a place of the claim.
  Weights. TF-IDF over the claims of the store: (1 + ln tf) * (ln((1 + N) / (1 + df)) + 1), each
    vector of unit length; similarity is the cosine. Terms shared by many claims weigh little, a
    rare name or number shared by two claims weighs much.
  Incompatible pairs never group (a cannot-link): different polarity (a denial does not
    corroborate); both claims give amounts and share none ("1,500 troops" vs "10,000 troops"); both
    give dates of the same kind (month-day, or year) and share none; each names someone or something
    the other does not (register entities, or words the corpus capitalises mid-sentence: "Trump
    will win Ohio" vs "Clinton will win Ohio"; one adding a name to the other's may group), unless
    the difference is one of granularity: a place against the other's generic place words ("to
    Kursk" / "to unspecified combat zones", "to a key front") when the other names no place, or a
    register entity against its country ("North Korean military" / "North Korean"). A place against
    another place or against a country named instead ("to Kursk" / "to Russia") stays apart.
  Place slot. In the cosine, a claim's named place that the other lacks matches the other's generic
    place term (the front class) that it lacks, as one shared term would (place_bonus).
  Fragments. A claim of fewer than MIN_TERMS distinct terms ("to Donald Trump") stays alone.
  Blocking. Candidate pairs come from an inverted index of each vector's prefix (its rarest terms,
    until the rest of the vector has a norm below CANDIDATE/2): two unit vectors whose cosine reaches
    CANDIDATE must share a prefix term (the rest can contribute less than CANDIDATE). Terms in more
    than max(MAX_DF, MAX_DF_SHARE * N) claims are left out of the index (their pairs would be
    quadratic; two claims that share only such terms are too generic to group anyway). Cost: about
    linear in the number of claims for news text, not O(n^2).
  Clustering. Average-linkage agglomerative clustering: the two groups whose mean pairwise cosine is
    highest are merged while that mean is at least THRESHOLD (0.45) and no pair across them is
    incompatible; pairs below CANDIDATE (0.15) count as 0 in the mean. Average linkage, unlike
    connected components, does not chain A-B-C into one group when A and C have little in common.
    The threshold was set on PolNeAR dev (bench/bench_corroborate.py, bench/corroboration_gold.jsonl)
    for precision first: near-duplicates and close paraphrases group, topical neighbours mostly do not.
    Not done: claims that say the same thing in other words ("units seen in the war zone on October
    23" for "troops deployed to Kursk") need knowledge the words do not carry; a relay's claim and
    its original's are compared as two texts (the relay's may carry "his country's intelligence
    believed that").
  Determinism. Claims are sorted by IRI before anything is computed, ties are broken by IRI: the
    same claims give the same groups and the same group IRIs whatever order the store returns them in.
"""
from __future__ import annotations

import hashlib
import heapq
import math
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Iterable

from pyoxigraph import Literal, NamedNode

from kg.corroborate.terms import GENERIC_PLACE, MIN_TERMS, Analyzer, Features, entity_term
from kg.vocab import BASE, GRAPH, KG

__all__ = ["GROUPS_GRAPH", "GROUP", "THRESHOLD", "GroupSummary", "ClaimRecord", "regroup", "read_claims",
           "group_claims", "group_texts", "independent_key", "group_iri", "claims", "Analyzer"]

GROUPS_GRAPH = str(GRAPH["claim-groups"])     # the one named graph regroup() writes
GROUP = BASE + "claim-group/"                 # + 16 hex digits of a hash of the sorted member IRIs
THRESHOLD = 0.45                              # average-linkage merge threshold (mean cosine)
CANDIDATE = 0.15                              # pairs below this cosine count as 0
MIN_SHARED = 2                                # terms two claims must share to be similar at all
MAX_DF, MAX_DF_SHARE = 200, 0.002             # terms in more claims are not used for blocking
LABEL_WIDTH = 100
UNNAMED_TYPES = frozenset({str(KG.AnonymousSource), str(KG.Group)})

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
IN_GROUP, CLAIM_GROUP, INDEPENDENT = NamedNode(str(KG.inGroup)), NamedNode(str(KG.ClaimGroup)), \
    NamedNode(str(KG.independentSources))


# ---------------------------------------------------------------------------------------------------
# Reading the claims
# ---------------------------------------------------------------------------------------------------



@dataclass(frozen=True)
class ClaimRecord:
    claim: str                       # the kg:Claim IRI
    text: str
    attribution: str = ""            # the attribution whose claim it is
    top: str = ""                    # the top-level attribution of its chain
    source: str | None = None        # the original source agent (end of the chain), if any
    source_type: str | None = None   # its class IRI
    article: str = ""
    publisher: str | None = None
    polarity: str | None = None


def read_claims(store) -> list[ClaimRecord]:
    """Every claim of the store, one record each, sorted by claim IRI (kg/queries/read_claims.rq:
    each claim with its top-level attribution, itself or the one whose citing chain reaches it, that
    attribution's original, the end of the chain, and the original's source, the article and the
    publisher; its columns are in the order of ClaimRecord's fields). A claim relayed by several
    top-level attributions takes the first of them (by IRI), so the result does not depend on the
    order the store returns rows in."""
    from kg import query

    store = getattr(store, "store", store)
    best: dict[str, ClaimRecord] = {}
    for row in query.run(store, query.named("read_claims")):  # row by row: a list of every row first doubles the memory
        record = ClaimRecord(*(query.value(term) for term in row))
        current = best.get(record.claim)
        if current is None or _row_key(record) < _row_key(current):
            best[record.claim] = record
    return [record for _, record in sorted(best.items())]


def _row_key(record: ClaimRecord) -> tuple:
    return tuple(x or "" for x in (record.top, record.source, record.source_type, record.publisher))


# ---------------------------------------------------------------------------------------------------
# Grouping
# ---------------------------------------------------------------------------------------------------

def _vectors(features: list[Features]) -> list[dict[str, float]]:
    n = len(features)
    df = Counter(t for f in features for t in set(f.terms))
    vectors = []
    for f in features:
        tf = Counter(f.terms)
        v = {t: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in tf.items()}
        norm = math.sqrt(sum(w * w for w in v.values())) or 1.0
        vectors.append({t: w / norm for t, w in v.items()})
    return vectors


def place_bonus(u: dict[str, float], v: dict[str, float], pu: frozenset, pv: frozenset) -> float:
    """What the place slot adds to the cosine of u and v when one names a place the other does not
    and the other has only the generic term (GENERIC_PLACE) the first lacks: the two weights'
    product, as for a shared term (the best place of each side)."""
    bonus = 0.0
    for a, b, pa, pb in ((u, v, pu, pv), (v, u, pv, pu)):
        if GENERIC_PLACE in b and GENERIC_PLACE not in a and not (pb - pa):
            own = [a[t] for t in pa if t in a and t not in b]
            if own:
                bonus += max(own) * b[GENERIC_PLACE]
    return bonus


def _candidates(vectors: list[dict[str, float]], floor: float,
                places: list[frozenset] | None = None) -> dict[tuple[int, int], float]:
    """Pairs (i < j) whose cosine is at least `floor`, found through an inverted index of each
    vector's prefix (rarest terms first, until the rest has a norm below floor / 2)."""
    n = len(vectors)
    df = Counter(t for v in vectors for t in v)
    cap = max(MAX_DF, int(MAX_DF_SHARE * n))
    postings: dict[str, list[int]] = defaultdict(list)
    pairs: dict[tuple[int, int], float] = {}
    limit = (floor / 2) ** 2
    for j, v in enumerate(vectors):
        if len(v) < MIN_TERMS:
            continue
        order = sorted(v, key=lambda t: (df[t], t))
        rest = 1.0
        seen: set[int] = set()
        for t in order:
            if rest < limit:
                break
            rest -= v[t] * v[t]
            if df[t] > cap:
                continue
            plist = postings[t]
            seen.update(plist)
            plist.append(j)
        for i in seen:
            u = vectors[i]
            small, large = (u, v) if len(u) < len(v) else (v, u)
            shared = [w * large[t] for t, w in small.items() if t in large]
            if len(shared) >= MIN_SHARED:
                s = sum(shared)
                if places and (places[i] or places[j]):
                    s = min(1.0, s + place_bonus(u, v, places[i], places[j]))
                if s >= floor:
                    pairs[i, j] = s
    return pairs


def _compatible(a: Features, b: Features, pa=None, pb=None) -> bool:
    if pa != pb:
        return False
    for x, y in ((a.amounts, b.amounts), (a.days, b.days), (a.years, b.years)):
        if x and y and not (x & y):
            return False
    # each names someone the other does not: about different people or places ("Trump will win
    # Ohio" / "Clinton will win Ohio"); one adding a name to the other's is a more detailed telling
    extra_a, extra_b = a.names - b.names, b.names - a.names
    if not (extra_a and extra_b):
        return True
    return not (_unexplained(a, extra_a, b, extra_b) and _unexplained(b, extra_b, a, extra_a))


def _unexplained(own: Features, extra: frozenset, other: Features, other_extra: frozenset) -> bool:
    """Whether a claim names someone or something the other does not, beyond a finer telling of the
    other's words (`extra`: its names the other lacks): a place (an unregistered name in a place's
    position, "to Kursk") when the other says only where in general words (the generic place term:
    "to a key front", "in the war zone") and names no place of its own; a register entity of a
    country the other names, when the other names nothing else of that country ("North Korean
    military units" / "North Korean troops"). A place against a place, an agent against an agent,
    a place against a country ("to Kursk" / "to Russia") stay a contradiction."""
    country_of = _country_of()
    other_owners = {country_of[n] for n in other_extra if n in country_of}
    for name in extra:
        if name in own.places and not (other.places - own.places) and GENERIC_PLACE in other.terms:
            continue
        if name in country_of and country_of[name] in other.names and country_of[name] not in other_owners:
            continue
        return True
    return False


@cache
def _country_of() -> dict[str, str]:
    """The country term of each register entity that has a country (governments excepted: their
    term is their country's)."""
    from kg.register import load

    entities = load().entities.values()
    return {entity_term(e.iri): entity_term(e.country) for e in entities
            if e.country and e.type not in ("Country", "Government")}


def group_claims(texts: list[str], polarities: list[str | None] | None = None, *, threshold: float = THRESHOLD,
                 analyzer: Analyzer | None = None) -> tuple[list[list[int]], dict[tuple[int, int], float]]:
    """Group texts about the same thing: (groups as sorted lists of indexes, sorted by their first
    index; the similar pairs found, (i, j) -> cosine). Deterministic for a given order of `texts`;
    regroup() sorts claims by IRI first."""
    analyzer = (analyzer or Analyzer()).fit(texts)
    features = [analyzer.features(t) for t in texts]
    polarities = polarities or [None] * len(texts)
    vectors = _vectors(features)
    sims = _candidates(vectors, CANDIDATE, [f.places for f in features])
    groups = _average_linkage(len(texts), sims, threshold,
                              lambda i, j: _compatible(features[i], features[j], polarities[i], polarities[j]))
    return groups, sims


def _average_linkage(n: int, sims: dict[tuple[int, int], float], threshold: float, compatible) -> list[list[int]]:
    """Average-linkage agglomerative clustering over the sparse similarities (missing pairs: 0),
    within the connected components of the pairs at or above `threshold` (no merge can happen
    across them). Merges go best mean first, ties by member indexes; a merge with an incompatible
    pair is refused."""
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (i, j), s in sims.items():
        if s >= threshold:
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    components = defaultdict(list)
    for i in range(n):
        components[find(i)].append(i)
    neighbours = defaultdict(dict)
    for (i, j), s in sims.items():
        neighbours[i][j] = s
        neighbours[j][i] = s

    groups = []
    for members in components.values():
        if len(members) == 1:
            groups.append(members)
            continue
        groups += _cluster_component(members, neighbours, threshold, compatible)
    return sorted((sorted(g) for g in groups), key=lambda g: g[0])


def _cluster_component(members, neighbours, threshold, compatible) -> list[list[int]]:
    clusters = {m: [m] for m in members}          # cluster id = its smallest member
    link: dict[int, dict[int, float]] = defaultdict(dict)  # sum of similarities between clusters
    for i in members:
        for j, s in neighbours[i].items():
            if j in clusters and i != j:
                link[i][j] = s
    heap = []
    for i in members:
        for j, s in link[i].items():
            if i < j and s >= threshold:
                heap.append((-s, i, j, 1, 1))
    heapq.heapify(heap)
    refused: set[tuple[int, int]] = set()
    while heap:
        neg, a, b, size_a, size_b = heapq.heappop(heap)
        if a not in clusters or b not in clusters or len(clusters[a]) != size_a or len(clusters[b]) != size_b:
            continue  # stale entry
        if (a, b) in refused:
            continue
        if not all(compatible(x, y) for x in clusters[a] for y in clusters[b]):
            refused.add((a, b))
            continue
        keep, gone = min(a, b), max(a, b)
        clusters[keep] = clusters[keep] + clusters.pop(gone)
        # the merged cluster's links: sums add up
        for other, s in link.pop(gone).items():
            link[other].pop(gone, None)
            if other != keep:
                link[keep][other] = link[keep].get(other, 0.0) + s
                link[other][keep] = link[keep][other]
        link[keep].pop(keep, None)
        refused = {(x, y) for x, y in refused if gone not in (x, y) and keep not in (x, y)}
        size = len(clusters[keep])
        for other, s in link[keep].items():
            mean = s / (size * len(clusters[other]))
            if mean >= threshold:
                x, y = min(keep, other), max(keep, other)
                heapq.heappush(heap, (-mean, x, y, len(clusters[x]), len(clusters[y])))
    return list(clusters.values())


def group_texts(texts: list[str], polarities: list[str | None] | None = None, *,
                threshold: float = THRESHOLD) -> list[list[int]]:
    """The grouping alone, on plain texts: the groups as lists of indexes into `texts`."""
    return group_claims(texts, polarities, threshold=threshold)[0]


# ---------------------------------------------------------------------------------------------------
# Independence, IRIs, triples
# ---------------------------------------------------------------------------------------------------

def independent_key(record: ClaimRecord) -> str:
    """What a member counts as: its original source agent, or, for unnamed and collective sources
    and claims without a source, the unnamed sources of its publisher (of its article without one)."""
    if record.source and record.source_type not in UNNAMED_TYPES:
        return record.source
    return "unnamed:" + (record.publisher or record.article)


def group_iri(claim_iris: Iterable[str]) -> str:
    digest = hashlib.sha1("\n".join(sorted(claim_iris)).encode("utf-8")).hexdigest()[:16]
    return GROUP + digest


def _fold(text: str, width: int = LABEL_WIDTH) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _medoid(members: list[int], sims: dict[tuple[int, int], float], records: list[ClaimRecord]) -> int:
    def centrality(i):
        return sum(sims.get((min(i, j), max(i, j)), 0.0) for j in members if j != i)
    return min(members, key=lambda i: (-round(centrality(i), 9), len(records[i].text), records[i].claim))


@dataclass
class GroupSummary:
    claims: int = 0
    groups: int = 0
    grouped: int = 0              # claims in groups of two or more
    multi: int = 0                # groups of two or more claims
    corroborated: int = 0         # groups with two or more independent sources
    largest: int = 0
    triples: int = 0
    seconds: dict = field(default_factory=lambda: {"read": 0.0, "group": 0.0, "write": 0.0})

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    def line(self) -> str:
        s = self.seconds
        return (f"{self.claims} claims, {self.groups} groups ({self.multi} of several claims, {self.corroborated} "
                f"with several independent sources, largest {self.largest}), {self.total_seconds:.1f} s "
                f"(read {s['read']:.1f}, group {s['group']:.1f}, write {s['write']:.1f})")


def build_groups(records: list[ClaimRecord], *, threshold: float = THRESHOLD,
                 analyzer: Analyzer | None = None) -> list[dict]:
    """The groups of `records` (sorted by claim IRI first): dicts with iri, label, sources (the
    independent count), members (claim IRIs, sorted)."""
    records = sorted(records, key=lambda r: r.claim)
    groups, sims = group_claims([r.text for r in records], [r.polarity for r in records],
                                threshold=threshold, analyzer=analyzer)
    out = []
    for members in groups:
        claims = sorted(records[i].claim for i in members)
        out.append({"iri": group_iri(claims), "label": _fold(records[_medoid(members, sims, records)].text),
                    "sources": len({independent_key(records[i]) for i in members}), "members": claims})
    return sorted(out, key=lambda g: g["iri"])


def group_triples(groups: list[dict]) -> list[tuple]:
    out = []
    for g in groups:
        node = NamedNode(g["iri"])
        out += [(node, RDF_TYPE, CLAIM_GROUP), (node, RDFS_LABEL, Literal(g["label"])),
                (node, INDEPENDENT, Literal(str(g["sources"]), datatype=INTEGER))]
        out += [(NamedNode(c), IN_GROUP, node) for c in g["members"]]
    return out


def regroup(graph_or_store, *, threshold: float = THRESHOLD) -> GroupSummary:
    """Read every claim of the store, group them, and replace the claim-groups graph with the
    groups, in one atomic write. Returns what was done and how long each step took."""
    store = getattr(graph_or_store, "store", graph_or_store)
    summary = GroupSummary()
    clock = time.perf_counter()
    records = read_claims(store)
    now = time.perf_counter()
    summary.seconds["read"] = now - clock
    groups = build_groups(records, threshold=threshold)
    triples = group_triples(groups)
    clock = time.perf_counter()
    summary.seconds["group"] = clock - now
    store.replace_graphs({GROUPS_GRAPH: triples})
    summary.seconds["write"] = time.perf_counter() - clock
    summary.claims, summary.groups, summary.triples = len(records), len(groups), len(triples)
    several = [g for g in groups if len(g["members"]) > 1]
    summary.multi = len(several)
    summary.grouped = sum(len(g["members"]) for g in several)
    summary.corroborated = sum(1 for g in groups if g["sources"] > 1)
    summary.largest = max((len(g["members"]) for g in groups), default=0)
    return summary


# ---------------------------------------------------------------------------------------------------
# Reading the groups back
# ---------------------------------------------------------------------------------------------------

def claims(graph_or_store, *, single_source: bool = False, min_sources: int | None = None,
           about: str | None = None) -> list[dict]:
    """The members of the claim groups, one dict per claim (kg/queries/claims.rq), best
    corroborated groups first. `single_source`: groups that rest on one independent source;
    `min_sources`: groups of at least that many; `about`: groups with a claim (or label) containing
    the text. Parameters are bound as RDF terms."""
    from kg import query

    store = getattr(graph_or_store, "store", graph_or_store)
    bindings = {}
    if single_source:
        bindings["maxSources"] = Literal("1", datatype=INTEGER)
    if min_sources is not None:
        bindings["minSources"] = Literal(str(int(min_sources)), datatype=INTEGER)
    if about is not None:
        bindings["about"] = Literal(about)
    out, seen = [], set()
    for row in query.records(query.run(store, query.named("claims"), bindings)):
        if row["claim"] in seen:  # a claim relayed by two top-level attributions: the first
            continue
        seen.add(row["claim"])
        row["sourceType"] = query.local_name(row["sourceType"])
        out.append(row)
    return out
