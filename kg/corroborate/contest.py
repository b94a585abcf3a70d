"""Contested claims: a claim that denies or does not confirm (kg:Negative) what another says
(kg:Positive), both about the same thing. Their claim groups (one polarity each: the grouping never
merges across polarity) form a contested group, written with the claim groups by regroup():

    <https://w3id.org/kg-attribution/contested-group/9c1e...> a kg:ContestedGroup ;
        rdfs:label "North Korean soldiers are training in Vladivostok and 10,000 will be dispatched ..." ;
        kg:affirmedIn <.../claim-group/3f2a...> ;      # the groups that say it
        kg:disputedIn <.../claim-group/77b0...> .      # the groups that deny it or do not confirm it
    <.../article/003_...#a11-claim> kg:disputes <.../article/003_...#a10-claim> .

Only original statements take part (a relay's claim restates its original's), and neither
questions nor anything of underspecified certainty ("asked whether ..."). A negative claim disputes
only when it denies or does not confirm (its cue is one of DISPUTING: "denied", "has not confirmed")
or calls what it points to untrue ("said that this is not true"): a negated content ("Trump will
not be the next president", "does not defend it") or a negated saying ("did not say") is a claim of
its own, not a denial of another (on PolNeAR dev, every such match read was wrong). Two claims of
one statement (overlapping words in one article) or of one source in one article never dispute each
other. "About the same thing",
precision first (a wrong contested group is worse than none): a denial usually restates less than
the claim it denies, so the test is containment, not similarity. What the negative claim says
(its target) must be, by TF-IDF weight, at least CONTAINMENT inside the positive claim, with at least
MIN_SHARED terms in common, and the two must be compatible as the grouping sees it (no different
amounts, dates or names: cluster.compatible). The target is
  - for a claim that only points back and calls it untrue ("both countries claim that this is not
    true", "the reports are false": no term but the pointer and TRUTH words), its antecedent: the
    nearest original claim before it in its sentence or in the sentence just before. The antecedent
    is disputed itself, and its words are the target;
  - for a content the extractor already resolved to the sentence before ("Moscow denied this": the
    claim's words lie before its own sentence), every positive claim within those words is
    disputed, and the words are the target;
  - for "South Korean reports that the soldiers will fight": what was reported (after
    "reports that"), since whose report it was is the other side's source, not the claim;
  - else the claim's own words (its negation is a stop word: "no troops were detected" is about
    troops detected).
The contested groups are the connected components of the claim groups linked by disputes.
Not done: a denial in other words than the claim ("the soldiers are not in Kursk" / "units were
seen in the war zone"); a negation that the extractor gets wrong ("has not denied" is read as a
denial) is taken as it comes.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict

from kg import vocab
from kg.corroborate.cluster import MAX_DF, MAX_DF_SHARE, compatible, unit_vector
from kg.corroborate.terms import MIN_TERMS, Analyzer, Features, stem
from kg.vocab import KG

CONTESTED = str(vocab.CONTESTED_GROUP)     # + 16 hex digits of a hash of its sorted claim-group IRIs
NEGATIVE, POSITIVE, UNDERSPECIFIED = str(KG.Negative), str(KG.Positive), str(KG.Underspecified)
CONTAINMENT = 0.6                          # share of the target's weight the positive claim must hold
MIN_SHARED = 3                             # distinct terms the target and the positive claim share
ADJACENT = 3                               # characters between two sentences that follow each other
# What a denial says of what it points to ("this is not true", "the reports are baseless").
TRUTH = frozenset(stem(w) for w in """true untrue truth false falsehood accurate inaccurate correct incorrect wrong
right baseless groundless unfounded fake lie lies nonsense rumor rumors rumour rumours fabricated fabrication
invented fiction fact facts case real story stories allegation allegations information news""".split())
POINTER = re.compile(r"\b(?:this|that|it|these|those|such|the\s+(?:reports?|claims?|allegations?|information|"
                     r"news|story|stories|accounts?|rumou?rs?))\b", re.I)
# Cues that deny, or (negated) confirm: "denied", "rejected", "has not confirmed", "could not verify".
DISPUTING = re.compile(r"\b(?:den(?:y|ies|ied|ying|ial)|refut|reject|dismiss|disput|contradict|rebut|confirm|"
                       r"verif|corroborat|substantiat)", re.I)
LEADING_THAT = re.compile(r"^\s*that\s+", re.I)
# "South Korean reports that X", "the claims of X": whose report it was, then what was reported.
REPORTED = re.compile(r"^\s*(?:that\s+)?(?:[\w'’.-]+\s+){0,6}?(?:reports?|claims?|allegations?|accounts?|"
                      r"assertions?|suggestions?|rumou?rs?)\s+(?:that|of)\s+(?P<what>.+)$", re.I | re.S)


def points_back(text: str, features: Features) -> bool:
    """Whether a claim only points back and calls it untrue: "that this is not true"."""
    return bool(features.terms) and set(features.terms) <= TRUTH and bool(POINTER.search(LEADING_THAT.sub("", text)))


def _apart(a, b) -> bool:
    """Whether two claims may dispute each other: not one statement (overlapping words in one
    article) nor one source restating itself in one article."""
    if a.article != b.article:
        return True
    if a.source and a.source == b.source:
        return False
    return a.start is None or b.start is None or not (a.start < b.end and b.start < a.end)


def _antecedent(i: int, records, by_article: dict[str, list[int]]) -> int | None:
    """The nearest original claim before claim i, in its sentence or in the sentence just before."""
    r = records[i]
    best = None
    for j in by_article[r.article]:
        o = records[j]
        if j == i or o.end is None or r.start is None or o.end > r.start:
            continue
        same = o.evidence_start == r.evidence_start
        before = o.evidence_end is not None and r.evidence_start is not None \
            and 0 <= r.evidence_start - o.evidence_end <= ADJACENT
        if (same or before) and (best is None or (o.end, o.start) > (records[best].end, records[best].start)):
            best = j
    return best


def eligible(r) -> bool:
    """Whether a claim may take part in a dispute: an original statement, not a question, of either polarity."""
    return r.is_original and r.certainty != UNDERSPECIFIED and r.polarity in (NEGATIVE, POSITIVE)


def disputes(records, features: list[Features], idf: dict[str, float],
             analyzer: Analyzer) -> list[tuple[int, int, str]]:
    """The disputes among `records` (ClaimRecords; `features` theirs, `idf` the corpus's): (the
    negative claim's index, the positive claim's index, how: "antecedent", "within" or "words"),
    sorted."""
    taking_part = [i for i, r in enumerate(records) if eligible(r)]
    positive = [i for i in taking_part if records[i].polarity == POSITIVE]
    by_article: dict[str, list[int]] = defaultdict(list)
    for i in taking_part:
        by_article[records[i].article].append(i)
    # positives by term, leaving out terms so common that their pairs would be quadratic
    df: dict[str, int] = defaultdict(int)
    for i in positive:
        for t in set(features[i].terms):
            df[t] += 1
    cap = max(MAX_DF, int(MAX_DF_SHARE * len(records)))
    postings: dict[str, list[int]] = defaultdict(list)
    for i in positive:
        for t in set(features[i].terms):
            if df[t] <= cap:
                postings[t].append(i)

    out: set[tuple[int, int, str]] = set()
    for i in taking_part:
        r = records[i]
        if r.polarity != NEGATIVE:
            continue
        target, direct = features[i], set()
        pointing = points_back(r.text, features[i])
        if not pointing and not DISPUTING.search(r.cue or ""):
            continue  # a negated content or saying: a claim of its own, no denial of another
        if pointing:
            j = _antecedent(i, records, by_article)
            if j is None or records[j].polarity != POSITIVE or not _apart(r, records[j]):
                continue  # nothing it points to that says the thing: precision first
            target = features[j]
            out.add((i, j, "antecedent"))
            direct.add(j)
        elif r.start is not None and r.evidence_start is not None and r.start < r.evidence_start:
            for j in by_article[r.article]:  # "Moscow denied this": the claims of the sentence it points to
                o = records[j]
                if o.polarity == POSITIVE and o.start is not None and r.start <= o.start and o.end <= r.end \
                        and o.evidence_start != r.evidence_start and (not r.source or o.source != r.source):
                    out.add((i, j, "within"))
                    direct.add(j)
        else:
            m = REPORTED.match(r.text)
            if m:
                what = analyzer.features(m["what"])
                if len(set(what.terms)) >= MIN_TERMS:
                    target = what
        if len(set(target.terms)) < MIN_TERMS:
            continue
        v = unit_vector(target.terms, idf)
        candidates = {j for t in v for j in postings.get(t, ())}
        for j in sorted(candidates - direct):
            if not _apart(r, records[j]):
                continue
            u = features[j]
            shared = [t for t in v if t in set(u.terms)]
            if len(shared) >= MIN_SHARED and sum(v[t] ** 2 for t in shared) >= CONTAINMENT \
                    and compatible(target, u):
                out.add((i, j, "words"))
    return sorted(out)


def contested_iri(group_iris) -> str:
    digest = hashlib.sha1("\n".join(sorted(group_iris)).encode("utf-8")).hexdigest()[:16]
    return CONTESTED + digest


def contested_groups(links: list[tuple[str, str, str, str]], groups: dict[str, tuple[str, int]]) -> list[dict]:
    """The contested groups: the connected components of claim groups linked by disputes (`links`:
    the negative claim, the positive claim, and their groups' IRIs; `groups`: each group's label
    and size). Dicts with iri, label (that of the affirmed group of most members, ties by IRI),
    affirmed and disputed (claim-group IRIs, sorted), disputes ([negative, positive] claim IRIs,
    sorted), sorted by IRI."""
    parent: dict[str, str] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, _, negative, positive in links:
        a, b = find(negative), find(positive)
        if a != b:
            parent[max(a, b)] = min(a, b)
    components: dict[str, dict] = {}
    for claim, other, negative, positive in links:
        c = components.setdefault(find(negative), {"affirmed": set(), "disputed": set(), "disputes": set()})
        c["disputed"].add(negative)
        c["affirmed"].add(positive)
        c["disputes"].add((claim, other))
    out = []
    for c in components.values():
        affirmed, disputed = sorted(c["affirmed"]), sorted(c["disputed"])
        head = min(affirmed, key=lambda g: (-groups[g][1], g))
        out.append({"iri": contested_iri(affirmed + disputed), "label": groups[head][0], "affirmed": affirmed,
                    "disputed": disputed, "disputes": [list(d) for d in sorted(c["disputes"])]})
    return sorted(out, key=lambda c: c["iri"])
