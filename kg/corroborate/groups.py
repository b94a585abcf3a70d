"""The claim groups in the store: every claim read with its original source (read_claims), grouped
(kg.corroborate.cluster), each group counted in independent sources, named and labelled
(build_groups) and written as one named graph (regroup); kg.corroborate.listing reads them back.
"""
from __future__ import annotations

import hashlib
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Iterable

from pyoxigraph import Literal, NamedNode

from kg import query, vocab
from kg.corroborate.cluster import THRESHOLD, group_claims, idf_weights
from kg.corroborate.contest import contested_groups, disputes
from kg.corroborate.terms import Analyzer
from kg.resolve import is_proper_name
from kg.store import StoreError, as_store
from kg.text import Timed, fold
from kg.vocab import CLAIM_GROUP, KG, RDF_TYPE, RDFS_LABEL, XSD_INTEGER, node

GROUPS_GRAPH = str(vocab.GROUPS_GRAPH)     # the one named graph regroup() writes
GROUP = str(CLAIM_GROUP)                   # + 16 hex digits of a hash of the sorted member IRIs
LABEL_WIDTH = 100
UNNAMED_TYPES = frozenset({str(KG.AnonymousSource), str(KG.Group)})
# The resolver's type of last resort: a capitalised phrase whose words say no kind ("The spot said").
UNTYPED = frozenset({str(KG.Organization)})
UNNAMED = "unnamed:"                       # + the publisher's (or the article's) IRI: its unnamed sources
# Why a member is no independent source (claims() gives it as notCounted).
NO_SOURCE = "no source"
NOT_NAMED_OR_TYPED = "its source is neither named nor typed"


@dataclass(frozen=True, slots=True)  # slots: no dict per record (regroup holds one per claim of the store)
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
    source_label: str | None = None  # the source agent's label: whether it has a name
    start: int | None = None         # where the claim's words begin and end in the article (the first
    end: int | None = None           # fragment's begin, the last one's end)
    certainty: str | None = None
    evidence_start: int | None = None  # where the sentence the claim was found in begins and ends
    evidence_end: int | None = None
    original: str = ""               # the attribution at the end of its chain (the claim's own when equal)
    cue: str | None = None           # the attribution's cue words ("has not confirmed": "confirmed")

    @property
    def is_original(self) -> bool:
        """Whether the claim is its chain's original statement, not a relay's restatement of it."""
        return not self.original or self.attribution == self.original


def read_claims(store) -> list[ClaimRecord]:
    """Every claim of the store, one record each, sorted by claim IRI (kg/queries/read_claims.rq:
    each claim with its top-level attribution, itself or the one whose citing chain reaches it, that
    attribution's original, the end of the chain, and the original's source, the article and the
    publisher; its columns are in the order of ClaimRecord's fields, one row a fragment of its words).
    A claim relayed by several top-level attributions takes the first of them (by IRI), so the result
    does not depend on the order the store returns rows in."""
    # row by row: a list of every row first would hold all the rows and all the records at once;
    # all, or refused: it replaces every group
    rows = query.run(as_store(store), query.named("read_claims"), whole=True)
    return claim_records(tuple(query.value(term) for term in row) for row in rows)


def claim_records(rows: Iterable[tuple]) -> list[ClaimRecord]:
    """read_claims' records from the rows of read_claims.rq as Python values (kg.pipeline reads them
    from its shards' tables)."""
    best: dict[str, ClaimRecord] = {}
    extent: dict[str, tuple[int, int]] = {}
    for row in rows:
        # the IRIs and words repeated across claims (article, publisher, source, its type, polarity,
        # certainty, cue) held once, not once a claim
        record = ClaimRecord(*(v if k in _OWN or v is None or not isinstance(v, str) else sys.intern(v)
                               for k, v in enumerate(row)))
        current = best.get(record.claim)
        if current is None or _row_key(record) < _row_key(current):
            best[record.claim] = record
        extent[record.claim] = _widest(extent.get(record.claim), record.start, record.end)
    return [replace(record, start=extent[claim][0], end=extent[claim][1]) for claim, record in sorted(best.items())]


_OWN = frozenset({0, 1, 2})   # claim, text, attribution: one a claim, not worth interning


def _widest(extent: tuple[int, int] | None, start: int, end: int) -> tuple[int, int]:
    return (start, end) if extent is None else (min(extent[0], start), max(extent[1], end))


def _row_key(record: ClaimRecord) -> tuple:
    return tuple(x or "" for x in (record.top, record.source, record.source_type, record.publisher))


def counting(record: ClaimRecord) -> tuple[str | None, str | None]:
    """What a member counts as among the independent sources of its group, or why it does not:
    (key, None) or (None, reason). The key is the original source agent (a relay counts as the
    source it cites), or for anonymous and collective sources "unnamed:" and the publisher's IRI
    (the article's without one). A member counts only if its source is an agent with a name or a
    type: a claim without one (NO_SOURCE) vouches for nothing, nor does an agent the resolver knew
    neither by name nor by kind (NOT_NAMED_OR_TYPED: "The spot", a kg:Organization of no proper
    name). The same key twice is one source: restatements of one source, in one article or several."""
    if not record.source:
        return None, NO_SOURCE
    if record.source_type in UNNAMED_TYPES:
        return UNNAMED + (record.publisher or record.article), None
    if (record.source_type is None or record.source_type in UNTYPED) and not is_proper_name(record.source_label or ""):
        return None, NOT_NAMED_OR_TYPED
    return record.source, None


def independent_key(record: ClaimRecord) -> str | None:
    """What a member counts as on its own (see counting); None when it is no independent source."""
    return counting(record)[0]


def statements(records: list[ClaimRecord]) -> list[list[int]]:
    """The members of one group (indexes into `records`) as statements: in one article, claims whose
    words overlap are one statement told through nested speakers, though no citing chain links them
    ("Merrill said that Clinton called Machado to express gratitude": Merrill's claim holds
    Clinton's); each other claim is a statement of its own. In article order."""
    by_article: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        by_article[r.article].append(i)
    out = []
    for article in sorted(by_article):
        current, reach = [], -1
        for i in sorted(by_article[article], key=lambda i: (records[i].start is None, records[i].start or 0,
                                                            records[i].claim)):
            r = records[i]
            if r.start is not None and current and r.start < reach:   # overlaps the statement so far
                current.append(i)
                reach = max(reach, r.end)
                continue
            if current:
                out.append(current)
            current, reach = [i], (r.end if r.start is not None else -1)
        out.append(current)
    return out


def count_members(records: list[ClaimRecord]) -> list[tuple[str | None, str | None, int | None]]:
    """How each member of one group counts: (key, why not, the member its statement is credited to
    when that is another one). A statement (see statements) is one source, however many speakers
    tell it: its narrowest member that counts (the innermost speaker, as a relay counts as the
    source it cites), so its other members, restating it, add none; a statement in which no member
    counts is no source. The group's independent sources are the distinct keys."""
    own = [counting(r) for r in records]
    out: list = [None] * len(records)
    for statement in statements(records):
        counted = [i for i in statement if own[i][0] is not None]
        if not counted:
            for i in statement:
                out[i] = (None, own[i][1], None)
            continue
        inner = min(counted, key=lambda i: ((records[i].end or 0) - (records[i].start or 0), records[i].claim))
        for i in statement:
            out[i] = (own[inner][0], None, None if own[i][0] == own[inner][0] else inner)
    return out


def independent_sources(records: list[ClaimRecord]) -> int:
    """The independent sources of one group's members (count_members)."""
    return len({key for key, _, _ in count_members(records)} - {None})


def group_iri(claim_iris: Iterable[str]) -> str:
    digest = hashlib.sha1("\n".join(sorted(claim_iris)).encode("utf-8")).hexdigest()[:16]
    return GROUP + digest


def _medoid(members: list[int], sims: dict[tuple[int, int], float], records: list[ClaimRecord]) -> int:
    def centrality(i):
        return sum(sims.get((min(i, j), max(i, j)), 0.0) for j in members if j != i)
    return min(members, key=lambda i: (-round(centrality(i), 9), len(records[i].text), records[i].claim))


@dataclass
class GroupSummary(Timed):
    claims: int = 0
    groups: int = 0
    grouped: int = 0              # claims in groups of two or more
    multi: int = 0                # groups of two or more claims
    corroborated: int = 0         # groups with two or more independent sources
    largest: int = 0
    contested: int = 0            # contested groups (kg.corroborate.contest)
    triples: int = 0
    seconds: dict = field(default_factory=lambda: {"read": 0.0, "group": 0.0, "write": 0.0})

    def line(self) -> str:
        return (f"{self.claims} claims, {self.groups} groups ({self.multi} of several claims, {self.corroborated} "
                f"with several independent sources, largest {self.largest}), {self.contested} contested, "
                f"{self.timing()}")


def _all_read(store, records: list[ClaimRecord]) -> None:
    """Refuse to replace the groups with those of part of the claims: as many claims must have been
    read as the store holds (an endpoint that cuts answers short, or that evaluates kg:citing*
    otherwise: Virtuoso)."""
    held = int(query.select(store, query.named("count_claims"))[0][0].value)
    if len(records) < held:
        raise StoreError(f"regroup read {len(records):,} of the {held:,} claims in store {store.location}; "
                         f"the claim groups are left as they were")


def build_groups(records: list[ClaimRecord], *, threshold: float = THRESHOLD,
                 analyzer: Analyzer | None = None) -> list[dict]:
    """The groups of `records` (sorted by claim IRI first): dicts with iri, label, sources (the
    independent count, which is 0 when no member counts), members (claim IRIs, sorted)."""
    return build(records, threshold=threshold, analyzer=analyzer)[0]


def build(records: list[ClaimRecord], *, threshold: float = THRESHOLD,
          analyzer: Analyzer | None = None) -> tuple[list[dict], list[dict]]:
    """The groups of `records` (build_groups) and the contested groups among them
    (kg.corroborate.contest.contested_groups), from one analysis of the texts."""
    records = sorted(records, key=lambda r: r.claim)
    texts = [r.text for r in records]
    analyzer = (analyzer or Analyzer()).fit(texts)
    features = [analyzer.features(t) for t in texts]
    groups, sims = group_claims(texts, [r.polarity for r in records], threshold=threshold, features=features)
    out = []
    for members in groups:
        claims = sorted(records[i].claim for i in members)
        out.append({"iri": group_iri(claims), "label": fold(records[_medoid(members, sims, records)].text, LABEL_WIDTH),
                    "sources": independent_sources([records[i] for i in members]), "members": claims,
                    "indexes": members})
    out.sort(key=lambda g: g["iri"])
    group_of = {i: n for n, g in enumerate(out) for i in g.pop("indexes")}
    pairs = disputes(records, features, idf_weights(features), analyzer)
    return out, contested_groups(pairs, group_of, out, records)


def group_triples(groups: list[dict], contested: list[dict] = ()) -> list[tuple]:
    out = []
    for g in groups:
        group = NamedNode(g["iri"])
        out += [(group, RDF_TYPE, node(KG.ClaimGroup)), (group, RDFS_LABEL, Literal(g["label"])),
                (group, node(KG.independentSources), Literal(str(g["sources"]), datatype=XSD_INTEGER))]
        out += [(NamedNode(c), node(KG.inGroup), group) for c in g["members"]]
    for c in contested:
        contest = NamedNode(c["iri"])
        out += [(contest, RDF_TYPE, node(KG.ContestedGroup)), (contest, RDFS_LABEL, Literal(c["label"]))]
        out += [(contest, node(KG.affirmedIn), NamedNode(g)) for g in c["affirmed"]]
        out += [(contest, node(KG.disputedIn), NamedNode(g)) for g in c["disputed"]]
        out += [(NamedNode(a), node(KG.disputes), NamedNode(b)) for a, b in c["disputes"]]
    return out


def regroup(graph_or_store, *, threshold: float = THRESHOLD) -> GroupSummary:
    """Read every claim of the store, group them, and replace the claim-groups graph with the
    groups, in one atomic write. Returns what was done and how long each step took."""
    store = as_store(graph_or_store)
    summary = GroupSummary()
    clock = time.perf_counter()
    records = read_claims(store)
    _all_read(store, records)
    now = time.perf_counter()
    summary.seconds["read"] = now - clock
    groups, contested = build(records, threshold=threshold)
    triples = group_triples(groups, contested)
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
    summary.contested = len(contested)
    return summary

