"""Claims -> groups, through the claim index: the one grouping, for a whole corpus (regroup: an empty
index), for the new claims of an ingest joining the groups of a store, and for plain records with
no store at all (shards of a corpus: any iterable of ClaimRecords and an Index).

    index = Index()                       # or Index(path): kept between runs
    changes = group(records, index)       # what changed: groups gone, groups made, contested groups
    groups = list(index.groups())         # every group: iri, label, sources, members

Each step holds a bounded part of the corpus in memory, the rest stays in the index (SQLite):
  1. add, ADD_BATCH claims at a time: their features (kg.corroborate.terms; the case statistics of
     the index, the batch's own counted in first), postings and document frequencies;
  2. link, article by article (LINK_BATCH claims at a time, in date order): each new claim probes
     the postings of its rarest terms (until what is left of its vector could not reach CANDIDATE
     with any claim, at most MAX_PROBES terms, none held by more than the cap of cluster.MAX_DF
     claims) for claims published within WINDOW days of its article; the pairs whose cosine
     reaches CANDIDATE are stored, and so are the disputes (kg.corroborate.contest) between the
     batch's claims and those it found;
  3. components: from the new claims (and the members of groups that lost or changed a claim), the
     connected components of the pairs that reach THRESHOLD, each with the whole groups it touches
     (a group's members are always linked through such pairs: each merge of average linkage has one);
  4. average linkage per component (kg.corroborate.cluster), its claims sorted by IRI: groups named by
     their members, labelled by their medoid and counted in independent sources; a group that comes
     out the same is left as it is;
  5. the contested groups anew from the stored disputes (few).
A claim's candidates are found among the claims of its window, so its cost does not grow with the
corpus beyond the cap; the store is never read here. The window bounds recall too: a claim repeated
more than WINDOW days later starts a group of its own.

Ingests and one regroup. A pair's cosine depends on the IDF weights, which every new claim moves (N
in every weight, df in those of its terms), so groups grown by ingests would drift from those of
one regroup of the same claims: rescoring every pair at every ingest would cost the whole corpus.
Instead a claim's pairs are scored again, and its group made again, once the index has grown by
REWEIGH since they were scored (Index.stale): each pair is scored with the weights of an index at
least 1/REWEIGH of its size, and a claim is scored again log(N)/log(REWEIGH) times in its life, at a
cost a new claim that stays constant. What still differs from a regroup: a pair scored with weights
up to that old (the seeds, two articles, give regroup's groups in either order: the second doubles
the index; the 199 articles of the claims gold ingested 100 at a time: of regroup's 358 groups of
several claims none missing, one more; 20 at a time: 11 missing, 12 more, against 17 and 18 without
rescoring), candidates found with the frequencies of their time, and names told by the case
statistics of the claims indexed before.
"""
from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from kg.corroborate.cluster import (CANDIDATE, MAX_DF, MAX_DF_SHARE, MIN_SHARED, THRESHOLD, Idf, average_linkage,
                                    compatible, similarity, unit_vector)
from kg.corroborate.contest import contested_groups, disputes, eligible
from kg.corroborate.index import Index, day_of
from kg.corroborate.records import ClaimRecord, independent_sources
from kg.corroborate.terms import MIN_TERMS, Analyzer, case_counts, speaker, words
from kg.text import fold
from kg.vocab import CLAIM_GROUP

GROUP = str(CLAIM_GROUP)        # + 16 hex digits of a hash of the sorted member IRIs
LABEL_WIDTH = 100
ADD_BATCH = 2_000               # claims analysed and indexed at a time
LINK_BATCH = 500                # new claims (whole articles) whose candidates are looked up at a time
WINDOW = 366                    # days between two articles whose claims may be grouped
MAX_PROBES = 16                 # terms a new claim probes at most
CACHE = 20_000                  # candidate records kept between link batches
REWEIGH = 1.5                   # growth of the index after which a claim's pairs are scored again


@dataclass
class Changes:
    """What one group() changed: the groups gone (iri, label, sources, members as they were), the
    IRIs of the groups made (read them with Index.group), and the contested groups gone and made."""
    claims: int = 0
    removed: list[dict] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    contests_removed: list[dict] = field(default_factory=list)
    contests_added: list[dict] = field(default_factory=list)


def group(claims: Iterable[ClaimRecord], index: Index, *, threshold: float = THRESHOLD,
          analyzer: Analyzer | None = None, changed: Iterable[int] = ()) -> Changes:
    """Add `claims` to `index` and group them with what it holds (the steps above). `changed`: ids
    of indexed claims whose groups must be made again (they lost a member, or a member's source
    changed). Deterministic for given claims and index; nothing is committed (Index.commit)."""
    analyzer = analyzer or Analyzer()
    seeds, changes = set(changed), Changes()
    for batch in _batches(iter(claims), ADD_BATCH):
        texts = [r.text for r in batch]
        index.add_cases(case_counts(texts))
        analyzer.capitalised = index.capitalised(words(texts))
        seeds |= index.add(batch, [analyzer.features(t) for t in texts])
        changes.claims += len(batch)
    changes.removed, index.gone = index.gone, []   # groups broken up by claims that left the index
    cache: OrderedDict = OrderedDict()
    linked: set[int] = set()
    for ids in _link_batches(index):
        _link(ids, index, analyzer, cache, linked)
    seeds |= _reweigh(index, cache)
    seeds.update(index.fresh())
    _components(seeds, index, threshold, changes)
    _contests(index, changes)
    index.clear_fresh()
    return changes


def _batches(items: Iterator, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _link_batches(index: Index) -> Iterator[list[int]]:
    batch: list[int] = []
    for ids in index.fresh_articles():
        batch += ids
        if len(batch) >= LINK_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _records(ids: Iterable[int], index: Index, cache: OrderedDict, idf: Idf) -> dict[int, tuple]:
    """(record, features, TF-IDF vector) of `ids`, through a cache of the last CACHE read (link batches
    go in date order, and a claim's candidates are of nearby dates; the weights do not change while
    one group() links)."""
    out, missing = {}, []
    for i in ids:
        if i in cache:
            cache.move_to_end(i)
            out[i] = cache[i]
        else:
            missing.append(i)
    if missing:
        rows = index.records(missing)
        index.df(t for _, f in rows.values() for t in f.terms)
        for i, (record, features) in rows.items():
            cache[i] = out[i] = (record, features, unit_vector(features.terms, idf))
    while len(cache) > CACHE:
        cache.popitem(last=False)
    return out


def _link(ids: list[int], index: Index, analyzer: Analyzer, cache: OrderedDict, linked: set[int]) -> None:
    """Step 2 for the new claims `ids` (whole articles): their pairs and disputes, into the index.
    `linked`: the new claims linked before these (their pairs with these are known)."""
    idf = Idf(index.df(()), index.count)   # the index's frequencies, read as terms come (Index.df)
    own = _records(ids, index, cache, idf)
    df = index.df(t for _, f, _ in own.values() for t in f.terms)
    cap = max(MAX_DF, int(MAX_DF_SHARE * index.count))
    limit = (CANDIDATE / 2) ** 2
    found: dict[int, set[int]] = {}
    for i, (record, _, v) in own.items():
        if len(v) < MIN_TERMS:
            continue  # a fragment stays alone
        rest, probed = 1.0, []
        for t in sorted(v, key=lambda t: (df[t], t)):
            if rest < limit or len(probed) >= MAX_PROBES:
                break
            rest -= v[t] * v[t]
            if df[t] <= cap:
                probed.append(t)
        # two claims must share MIN_SHARED terms to be similar: here, of the rare ones probed
        found[i] = set(index.near(probed, day_of(record.published), WINDOW, MIN_SHARED)) - linked - {i}
    every = {**own, **_records(set().union(*found.values()) - own.keys(), index, cache, idf)}
    index.add_pairs(_scored(every, ((min(i, j), max(i, j)) for i, near in found.items() for j in near
                                    if len(every[j][2]) >= MIN_TERMS)))
    index.weighed(list(own))
    linked.update(own)
    # the disputes: each new claim that may take part with the claims of its article and the
    # candidates of the other polarity it found
    other = {j for i, near in found.items() if eligible(own[i][0]) for j in near
             if eligible(every[j][0]) and every[j][0].polarity != own[i][0].polarity}
    keys = sorted(own.keys() | other)
    found_disputes = disputes([every[k][0] for k in keys], [every[k][1] for k in keys], idf, analyzer)
    index.add_disputes((keys[a], keys[b]) for a, b, _ in found_disputes if keys[a] in own or keys[b] in own)


def _reweigh(index: Index, cache: OrderedDict) -> set[int]:
    """The pairs of the claims last scored when the index held fewer than 1/REWEIGH of its claims,
    scored again with its weights now; the claims whose groups must be made again."""
    stale = index.stale(REWEIGH)
    idf = Idf(index.df(()), index.count)
    for batch in _batches(iter(stale), LINK_BATCH):   # all of them once a regroup's index grew by half
        known = index.pairs_of(batch)
        every = _records({j for p in known for j in p}, index, cache, idf)
        index.drop_pairs(known)
        index.add_pairs(_scored(every, known))
        index.weighed(batch)
    return set(stale) | index.members_of_groups(stale)


def _scored(every: dict[int, tuple], pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], float]:
    """The cosines of these pairs (of `every`'s _records) that reach CANDIDATE."""
    out = {}
    for a, b in pairs:
        s = similarity(every[a][2], every[b][2], every[a][1].places, every[b][1].places)
        if s >= CANDIDATE:
            out[a, b] = s
    return out


def _components(seeds: set[int], index: Index, threshold: float, changes: Changes) -> None:
    """Steps 3 and 4."""
    done: set[int] = set()
    for seed in sorted(seeds):
        if seed in done:
            continue
        component, k = [seed], 0
        done.add(seed)
        while k < len(component):
            for j in index.neighbours(component[k], threshold):
                if j not in done:
                    done.add(j)
                    component.append(j)
            k += 1
        _regroup_component(component, index, threshold, changes)


def _regroup_component(ids: list[int], index: Index, threshold: float, changes: Changes) -> None:
    rows = index.records(ids)
    order = sorted(ids, key=lambda i: rows[i][0].claim)
    records, features = [rows[i][0] for i in order], [rows[i][1] for i in order]
    at = {i: k for k, i in enumerate(order)}
    sims = {(min(at[a], at[b]), max(at[a], at[b])): s for (a, b), s in index.pairs_among(order).items()}
    made = []
    speakers = [speaker(r.source_label) for r in records]
    for members in average_linkage(len(order), sims, threshold, lambda x, y: compatible(
            features[x], features[y], records[x].polarity, records[y].polarity, speakers[x], speakers[y])):
        claims = sorted(records[k].claim for k in members)
        made.append(({"iri": group_iri(claims), "label": fold(records[_medoid(members, sims, records)].text, LABEL_WIDTH),
                      "sources": independent_sources([records[k] for k in members]), "members": claims},
                     [order[k] for k in members]))
    before = {iri: index.group(iri) for iri in set(index.group_of(order).values()) - {None}}
    same = {g["iri"] for g, _ in made if before.get(g["iri"]) == g}
    changes.removed += [g for iri, g in sorted(before.items()) if iri not in same]
    index.drop_groups(set(before) - same)
    for g, members in made:
        if g["iri"] not in same:
            index.put_group(g, members)
            changes.added.append(g["iri"])


def group_iri(claim_iris: Iterable[str]) -> str:
    digest = hashlib.sha1("\n".join(sorted(claim_iris)).encode("utf-8")).hexdigest()[:16]
    return GROUP + digest


def _medoid(members: list[int], sims: dict[tuple[int, int], float], records: list[ClaimRecord]) -> int:
    def centrality(i):
        return sum(sims.get((min(i, j), max(i, j)), 0.0) for j in members if j != i)
    return min(members, key=lambda i: (-round(centrality(i), 9), len(records[i].text), records[i].claim))


def _contests(index: Index, changes: Changes) -> None:
    """Step 5: the contested groups from every stored dispute, and which of them changed."""
    links = index.dispute_links()
    made = json.loads(json.dumps(contested_groups(links, index.sizes({g for link in links for g in link[2:]}))))
    before = index.contests()
    now = {c["iri"]: c for c in made}
    changes.contests_removed = [c for iri, c in sorted(before.items()) if now.get(iri) != c]
    changes.contests_added = [c for iri, c in sorted(now.items()) if before.get(iri) != c]
    index.set_contests(made)
