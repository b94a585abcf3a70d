"""Texts -> groups of texts about the same thing: TF-IDF vectors, candidate pairs, the compatibility
rules and average-linkage clustering, over the Features of kg.corroborate.terms. Precision first: a
group must never merge different things.

Weights. TF-IDF over the claims of the store: (1 + ln tf) * (ln((1 + N) / (1 + df)) + 1), each
  vector of unit length; similarity is the cosine. Terms shared by many claims weigh little, a rare
  name or number shared by two claims weighs much.
Incompatible pairs never group (a cannot-link: `compatible`): different polarity (a denial does not
  corroborate); both claims give amounts and share none ("1,500 troops" vs "10,000 troops"); both
  give dates of the same kind (month-day, or year) and share none; each names someone or something
  the other does not (register entities, or words the corpus capitalises mid-sentence: "Trump will
  win Ohio" vs "Clinton will win Ohio"; one adding a name to the other's may group), unless the
  difference is one of granularity: a place against the other's generic place words ("to Kursk" /
  "to unspecified combat zones", "to a key front") when the other names no place, or a register
  entity against its country ("North Korean military" / "North Korean"). A place against another
  place or against a country named instead ("to Kursk" / "to Russia") stays apart.
Place slot. In the cosine, a claim's named place that the other lacks matches the other's generic
  place term (GENERIC_PLACE) that it lacks, as one shared term would (`place_bonus`).
Fragments. A claim of fewer than MIN_TERMS distinct terms ("to Donald Trump") stays alone.
Candidates. Pairs are found through the claim index (kg.corroborate.grouping: the rarest terms of
  each new claim probed, in a publication-date window); `similarity` scores one pair.
Clustering. Average linkage: the two groups whose mean pairwise cosine is highest are merged while
  that mean is at least THRESHOLD and no pair across them is incompatible; pairs below CANDIDATE
  count as 0 in the mean. Average linkage, unlike connected components, does not chain A-B-C into
  one group when A and C have little in common. THRESHOLD was set on PolNeAR dev
  (bench/bench_corroborate.py; its scores are in bench/README.md) for precision first:
  near-duplicates and close paraphrases group, topical neighbours mostly do not.
Determinism. Ties are broken by index; kg.corroborate.grouping sorts each component's claims by
  IRI first.
"""
from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from functools import cache

from kg.corroborate.terms import GENERIC_PLACE, Features, entity_term
from kg.vocab import KG

THRESHOLD = 0.45                              # average-linkage merge threshold (mean cosine)
CANDIDATE = 0.15                              # pairs below this cosine count as 0
MIN_SHARED = 2                                # terms two claims must share to be similar at all
MAX_DF, MAX_DF_SHARE = 200, 0.002             # terms in more claims are not probed for candidates
NEGATIVE = str(KG.Negative)


class Idf(dict):
    """Each term's inverse document frequency over `n` claims, ln((1 + n) / (1 + df)) + 1, from `df`
    (term -> how many claims hold it: a mapping that may fill as terms are asked for), computed once
    a term."""

    def __init__(self, df: dict[str, int], n: int):
        super().__init__()
        self.df, self.n = df, n

    def __missing__(self, term: str) -> float:
        weight = self[term] = math.log((1 + self.n) / (1 + self.df.get(term, 0))) + 1
        return weight


def unit_vector(terms: list[str], idf: Idf) -> dict[str, float]:
    """A claim's TF-IDF vector of unit length ((1 + ln tf) * idf)."""
    v = {t: (1 + math.log(c)) * idf[t] for t, c in Counter(terms).items()}
    norm = math.sqrt(sum(w * w for w in v.values())) or 1.0
    return {t: w / norm for t, w in v.items()}


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


def similarity(u: dict[str, float], v: dict[str, float], pu: frozenset = frozenset(),
               pv: frozenset = frozenset()) -> float:
    """The cosine of two unit vectors, with the place slot (place_bonus; `pu`, `pv` their places);
    0 for two claims that share fewer than MIN_SHARED terms."""
    small, large = (u, v) if len(u) < len(v) else (v, u)
    shared = [w * large[t] for t, w in small.items() if t in large]
    if len(shared) < MIN_SHARED:
        return 0.0
    s = sum(shared)
    if pu or pv:
        s = min(1.0, s + place_bonus(u, v, pu, pv))
    return s


def compatible(a: Features, b: Features, pa=None, pb=None, sa: frozenset = frozenset(),
               sb: frozenset = frozenset()) -> bool:
    """Whether two claims may be in one group (the cannot-links above; `pa`, `pb`: their polarities;
    `sa`, `sb`: the name terms of their sources, kg.corroborate.terms.speaker)."""
    if not _same_stance(a, b, pa, pb):
        return False
    for x, y in ((a.amounts, b.amounts), (a.days, b.days), (a.years, b.years)):
        if x and y and not (x & y):
            return False
    # each names someone the other does not: about different people or places ("Trump will win
    # Ohio" / "Clinton will win Ohio"); one adding a name to the other's is a more detailed telling
    # a claim naming the other's speaker names no one new: the other says "she" or "I" for it
    # ('Okafor "we are going to close the mills"' / Okafor's own "we are going to close the mills")
    extra_a, extra_b = a.names - b.names - sb, b.names - a.names - sa
    if not (extra_a and extra_b):
        return True
    return not (_unexplained(a, extra_a, b, extra_b) and _unexplained(b, extra_b, a, extra_a))


def _same_stance(a: Features, b: Features, pa, pb) -> bool:
    """Whether two claims take one stance: the same polarity, or the same negated words read two ways
    (both say "she didn't sign the permits": the parse that set the polarity took the negation for
    the content's in one article and not in the other); a cue's denial ("denied that") or a negation
    in one claim's words only stays apart."""
    return pa == pb or a.negated and b.negated and NEGATIVE in (pa, pb)


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
    from kg.resolve import load_register as load

    entities = load().entities.values()
    return {entity_term(e.iri): entity_term(e.country) for e in entities
            if e.country and e.type not in ("Country", "Government")}


def average_linkage(n: int, sims: dict[tuple[int, int], float], threshold: float, may_merge) -> list[list[int]]:
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
        groups += _cluster_component(members, neighbours, threshold, may_merge)
    return sorted((sorted(g) for g in groups), key=lambda g: g[0])


def _cluster_component(members, neighbours, threshold, may_merge) -> list[list[int]]:
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
        if not all(may_merge(x, y) for x in clusters[a] for y in clusters[b]):
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
