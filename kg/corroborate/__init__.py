"""Claim corroboration: claims about the same thing, across articles and sources, grouped in the graph.

    summary = regroup(store)             # or regroup(kg.Graph(...)): every claim grouped anew, the groups written
    rows = claims(store, single_source=True)          # the members of the groups that rest on one source
    rows = claims(store, limit=20, offset=20)        # the second page of 20 groups, best corroborated first
    group_sources(rows)                              # per group: its sources, their claims, articles, publishers
    changes = group(records, Index())                # the grouping on plain ClaimRecords (no store)
    groups = group_texts(["...", "..."])             # ... or on plain texts

`kg ingest` groups the claims of the articles it wrote through the store's claim index (update;
regroup when there is no index the groups agree with); `kg claims` lists the groups. No NLP model
and nothing downloaded: the similarity is computed from the claim texts, with the stdlib (SQLite
for the index).

A claim group. Every kg:Claim of the store, relays' claims included ("Bloomberg reported, citing
NIS, that X": Bloomberg's claim and NIS's claim), is in exactly one group: a claim that nothing else
corroborates is a group of one, so that "what rests on one source only" is one question
(kg:independentSources 1) whether the source said it once or several times. The groups are one
named graph, GROUPS_GRAPH, replaced whole by each regroup in one atomic write (the article graphs
are not touched):

    <https://w3id.org/kg-attribution/claim-group/3f2a...> a kg:ClaimGroup ;
        rdfs:label "at least 1,500 North Korean troops had been deployed to Kursk" ;
        kg:independentSources 3 .
    <.../article/003_...#a13-claim> kg:inGroup <.../claim-group/3f2a...> .

A group's IRI is a hash of its sorted member claim IRIs, its label the text of its most central
member (the medoid).

An independent source, as an analyst counts it (records.counting). The independent sources of a
group are the distinct original sources of its members: the source at the end of each claim's
citing chain (the kg:original of its top-level attribution, the one no other relays). A relay is
never counted (Bloomberg relaying NIS counts NIS only, and the relay's claim and the original's
count once); the same agent, restating the claim in one article or heard in several, counts once
(agents are canonical IRIs). Claims of one article whose words overlap are one statement told
through nested speakers even where no citing chain links them ("Merrill said that Clinton called
to express gratitude": Clinton's claim inside Merrill's); it counts once, as its innermost speaker
that counts, as a relay counts as the source it cites (records.statements, records.count_members). Sources the article does not name or that are collectives
(kg:AnonymousSource, kg:Group: "officials", "experts") are not comparable across articles, so all
of them published by the same publisher count as one source ("unnamed sources of Newsweek"): an
outlet's officials may well be the same people from one story to the next; without a publisher,
the article stands for it. A member counts only if its source is a named or typed agent: a claim
whose original has no source (the article's own "is known to", an unresolved "who") never counts,
nor does an agent the resolver knew neither by name nor by kind (kg:Organization, its type of last
resort, for a phrase of no proper name: "The spot said"). So a group may have 0 independent
sources. `kg claims` shows each group's sources with their claims, articles and publishers, and
why a member does not count. Not done: a person and the body they speak for (a spokesman and his
government) count as two; a person named in full and again by a title only ("Lindsey Graham",
"the South Carolina senator") are two agents, so two sources.

The algorithm, precision first (a group must never merge different things), in bounded memory
(grouping.group; the index in SQLite, index.Index):
  1. read the claims with their original sources, a batch of articles at a time (groups.read_claims);
  2. each text -> terms: stemmed words without stop words and hedges, register names and countries
     folded, numbers and dates as values, places (terms.Analyzer); into the index with their postings;
  3. each new claim's candidates: the claims holding two of its rarest terms, published within a
     window of its article's date; TF-IDF cosine (cluster), the pairs that come close kept;
  4. the connected components of the close pairs, then average linkage per component while the mean
     cosine is at least THRESHOLD, never across an incompatible pair: opposite polarity, different
     amounts, dates or names (cluster.compatible);
  5. count each group's independent sources;
  6. the contested groups: claim groups linked by denials and non-confirmations of what other claims
     say (contest.disputes among each claim's candidates, contest.contested_groups; kg:ContestedGroup,
     kg:disputes), written with the groups; `kg claims --contested` lists them.
The claims of a component are sorted by IRI and ties broken by IRI: the same claims give the same
groups and group IRIs whatever order the store returns them in. A store's groups grown by several
ingests can differ a little from one regroup of the same claims: each pair is scored with the
weights of an index at least 1/REWEIGH of the size it has now (grouping: "Ingests and one regroup").
Not done: claims that say the same thing in other words ("units seen in the war zone on October
23" for "troops deployed to Kursk") need knowledge the words do not carry; a relay's claim and its
original's are compared as two texts (the relay's may carry "his country's intelligence believed
that").
"""
from kg.corroborate import contest
from kg.corroborate.cluster import THRESHOLD
from kg.corroborate.grouping import GROUP, Changes, group, group_iri
from kg.corroborate.groups import (GROUPS_GRAPH, GroupSummary, build, build_groups, check_version, claim_records,
                                   current_index, group_triples, groups_graph, read_claims, regroup, update)
from kg.corroborate.index import Index
from kg.corroborate.listing import claims, group_sources
from kg.corroborate.records import (NO_SOURCE, NOT_NAMED_OR_TYPED, ClaimRecord, count_members, counting,
                                    independent_key, independent_sources, statements)
from kg.corroborate.terms import Analyzer

__all__ = ["GROUPS_GRAPH", "GROUP", "THRESHOLD", "NO_SOURCE", "NOT_NAMED_OR_TYPED", "GroupSummary", "ClaimRecord",
           "Index", "Changes", "group", "regroup", "update", "current_index", "check_version", "read_claims", "claim_records", "groups_graph", "build",
           "build_groups", "group_triples", "group_texts", "counting", "independent_key", "statements",
           "count_members", "independent_sources", "group_iri", "claims", "group_sources", "Analyzer", "contest"]


def group_texts(texts: list[str], polarities: list[str | None] | None = None, *,
                threshold: float = THRESHOLD) -> list[list[int]]:
    """The grouping alone, on plain texts: the groups as lists of indexes into `texts`."""
    claim = "urn:text:{:09d}".format
    records = [ClaimRecord(claim(i), t, polarity=p) for i, (t, p) in enumerate(zip(texts, polarities or [None] * len(texts)))]
    return sorted(sorted(int(c.rsplit(":", 1)[1]) for c in g["members"]) for g in build_groups(records, threshold=threshold))
