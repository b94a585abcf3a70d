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
import re
import time
from dataclasses import dataclass, field
from typing import Iterable

from pyoxigraph import Literal, NamedNode

from kg.corroborate.cluster import THRESHOLD, group_claims, group_texts
from kg.corroborate.terms import Analyzer
from kg.vocab import BASE, GRAPH, KG

__all__ = ["GROUPS_GRAPH", "GROUP", "THRESHOLD", "GroupSummary", "ClaimRecord", "regroup", "read_claims",
           "group_claims", "group_texts", "independent_key", "group_iri", "claims", "Analyzer"]

GROUPS_GRAPH = str(GRAPH["claim-groups"])     # the one named graph regroup() writes
GROUP = BASE + "claim-group/"                 # + 16 hex digits of a hash of the sorted member IRIs
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
