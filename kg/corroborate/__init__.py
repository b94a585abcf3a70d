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

from kg.vocab import BASE, GRAPH, KG

__all__ = ["GROUPS_GRAPH", "GROUP", "THRESHOLD", "GroupSummary", "ClaimRecord", "regroup", "read_claims",
           "group_claims", "group_texts", "independent_key", "group_iri", "claims", "Analyzer"]

GROUPS_GRAPH = str(GRAPH["claim-groups"])     # the one named graph regroup() writes
GROUP = BASE + "claim-group/"                 # + 16 hex digits of a hash of the sorted member IRIs
THRESHOLD = 0.45                              # average-linkage merge threshold (mean cosine)
CANDIDATE = 0.15                              # pairs below this cosine count as 0
MIN_SHARED = 2                                # terms two claims must share to be similar at all
MIN_TERMS = 3                                 # fewer distinct terms: a fragment ("to Donald Trump"), left alone
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
# Text analysis
# ---------------------------------------------------------------------------------------------------

STOP = frozenset("""
a about above across after afterwards again against ago all almost alone along already also although always am
among amongst an and another any anyhow anyone anything anyway anywhere are around as at back be became because
become becomes becoming been before beforehand behind being below beside besides between beyond both but by can
cannot could did do does doing done down due during each either else elsewhere enough etc even ever every
everyone everything everywhere except few for former formerly from further had has have having he hence her here
hereafter hereby herein hereupon hers herself him himself his how however i if in indeed into is it its itself
just keep last latter latterly least less made many may me meanwhile might mine more moreover most mostly much
must my myself namely neither never nevertheless next no nobody none noone nor not nothing now nowhere of off
often on once one only onto or other others otherwise our ours ourselves out over own part per perhaps please
put quite rather re really regarding same see seem seemed seeming seems several she should show side since so
some somehow someone something sometime sometimes somewhere still such than that the their theirs them
themselves then thence there thereafter thereby therefore therein thereupon these they this those though through
throughout thru thus to together too toward towards under unless until up upon us used using very via was we
well were what whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever whether
which while whither who whoever whole whom whose why will with within without would yet you your yours yourself
yourselves 's n't 'd 'll 'm 're 've d ll m s t ve don doesn didn isn wasn aren weren won wouldn couldn shouldn
hasn haven hadn ain let lets get gets got go goes going gone come comes came take make want like
say said says saying tell told tells telling report reported reports reporting claim claimed claims according
add added adds note noted notes believe believed believes think thinks thought suggest suggested suggests
possible possibly likely unlikely probably perhaps certainly maybe may might could would should must shall
certain sure clear clearly actually simply really quite rather just even also indeed far least
mr mrs ms dr area region
monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow week weekend
""".split())

MONTHS = {m: i for i, m in enumerate("january february march april may june july august september october "
                                     "november december".split(), 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS.update({"sept": 9})
NUMBER_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                           "thirteen fourteen fifteen sixteen seventeen eighteen nineteen "
                                           "twenty".split())}
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                     "ninety": 90, "dozen": 12})
MULTIPLIERS = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
               "trillion": 1_000_000_000_000}
NOT_PLURAL = frozenset("news series species politics economics physics always perhaps bus gas lens alias "
                       "bias chaos thus yes its his hers ours yours".split())
IRREGULAR = dict(pair.split(":") for pair in """
sent:send seen:see saw:see fought:fight won:win lost:lose paid:pay made:make took:take taken:take gave:give
given:give went:go met:meet held:hold left:leave led:lead brought:bring bought:buy began:begin begun:begin
became:become knew:know known:know wrote:write written:write spoke:speak spoken:speak chose:choose
chosen:choose rose:rise risen:rise fell:fall fallen:fall grew:grow grown:grow drove:drive driven:drive ran:run
kept:keep found:find stood:stand struck:strike sold:sell built:build spent:spend felt:feel men:man women:woman
children:child people:people hid:hide hidden:hide caught:catch taught:teach sought:seek shot:shoot ate:eat
beaten:beat broke:break broken:break forgot:forget forgotten:forget heard:hear lent:lend meant:mean
""".split())
_TOKEN = re.compile(r"""
    (?P<num>\$?\d{1,3}(?:,\d{3})+(?:\.\d+)?|\$?\d+(?:\.\d+)?)(?P<pct>\s?%)?
  | (?P<abbr>(?:[A-Za-z]\.){2,})
  | (?P<word>[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*)
  | (?P<end>[.!?;:])
""", re.X)


_CLITIC = re.compile(r"'(?:s|S|d|ll|re|ve|m)$")


def _clean(text: str) -> str:
    return (text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
            .replace("\u2013", "-").replace("\u2014", " - ").replace("\u00a0", " "))


def _measure(stem: str) -> int:
    """Porter's m: the number of vowel-consonant sequences in `stem`."""
    pattern = []
    for i, ch in enumerate(stem):
        vowel = ch in "aeiou" or ch == "y" and i > 0 and stem[i - 1] not in "aeiou"
        if not pattern or pattern[-1] != vowel:
            pattern.append(vowel)
    return sum(1 for a, b in zip(pattern, pattern[1:]) if a and not b)


def _cvc(stem: str) -> bool:
    """Porter's *o: consonant, vowel, consonant (not w, x or y) at the end."""
    return len(stem) >= 3 and stem[-1] not in "aeiouwxy" and stem[-2] in "aeiou" and stem[-3] not in "aeiou"


@cache
def stem(word: str) -> str:
    """A light English stemmer: irregular forms, then Porter's steps 1a (plurals), 1b (-ed, -ing),
    -ment and 5a (a final e): enough to conflate inflections ("deployed", "deploys", "deploying",
    "deployment" -> "deploy"; "debate", "debated" -> "debat"), not to conflate different words."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if len(word) <= 2 or not word.isalpha() or word in NOT_PLURAL:
        return word
    w = word
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is", "ous")):
        w = w[:-1]
    if w.endswith("ment") and _measure(w[:-4]) > 1:
        w = w[:-4]
    if w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "y"
    else:
        for suffix in ("ing", "ed"):
            base = w[:-len(suffix)]
            if w.endswith(suffix) and len(base) >= 2 and re.search(r"[aeiouy]", base):
                w = base
                if w.endswith(("at", "bl", "iz")):
                    w += "e"
                elif len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
                    w = w[:-1]                    # planned -> plan, transferring -> transfer
                elif _measure(w) == 1 and _cvc(w):
                    w += "e"                      # making -> make, stated -> state
                break
    if w.endswith("e") and len(w) > 2:
        m = _measure(w[:-1])
        if m > 1 or m == 1 and not _cvc(w[:-1]):
            w = w[:-1]                            # examine, examined -> examin
    return w


# News synonyms folded into one term. Small on purpose: each set holds words that, in claims about
# the same event, stand for one another.
SYNONYM_SETS = {
    "troop": "troop troops soldier soldiers force forces personnel serviceman servicemen servicemember unit units",
    "deploy": "deploy deployed send sent dispatch dispatched transfer transferred station stationed",
    "front": "front frontline frontlines battlefield battlefields combat",
    "poll": "poll polls survey surveys",
}
SYNONYMS = {stem(w): term for term, words in SYNONYM_SETS.items() for w in words.split()}
PHRASES = {(stem(a), stem(b)): term for (a, b), term in {
    ("war", "zone"): "front", ("combat", "zone"): "front", ("front", "line"): "front",
    ("military", "units"): "troop", ("tax", "returns"): "tax-return"}.items()}


@dataclass
class Features:
    terms: list[str]
    amounts: frozenset = frozenset()
    days: frozenset = frozenset()           # month-day dates: "10-23"
    years: frozenset = frozenset()
    names: frozenset = frozenset()
    places: frozenset = frozenset()         # names in a place's position ("to Kursk", "the Kursk area")


# Where a place is named: after a locative preposition (with an optional article) or before a place noun.
LOCATIVE = frozenset("in into to at near from across outside inside toward towards around throughout".split())
PLACE_NOUNS = frozenset("area region province city town village oblast district county state border".split())
# Terms that stand for a place without naming it ("to the front", "in the war zone", "to a key front").
# A claim naming a place ("deployed to Kursk") and one saying only "the front" can be the same claim
# told at two granularities: in the cosine, the named place of one matches the generic term of the
# other (place_bonus), as if they were one term.
GENERIC_PLACE = "front"
# A trailing framing clause: ", as speculation grows over ...", ", amid tensions ...": the writer's
# background, not what the source said (left out of the terms when the rest is not a fragment).
_FRAMING = re.compile(r",\s+(?:as|amid|amidst)\s+(?!(?:well|a\s+result|much|many|long|soon|if|though|of|far|for|"
                      r"to|part|expected|usual|such|opposed|recently|early|late|little)\b)", re.I)


class Analyzer:
    """Claim text -> Features. `names` maps token tuples (case-sensitive surface forms) to terms,
    from the entity register; `capital_share` (set by fit) tells which lower-cased words the corpus
    capitalises mid-sentence (names)."""

    def __init__(self, names: dict[tuple[str, ...], tuple[str, ...]] | None = None):
        self.names = _register_names() if names is None else names
        self.first = defaultdict(list)
        for tokens, term in self.names.items():
            self.first[tokens[0]].append((tokens, term))
        for options in self.first.values():
            options.sort(key=lambda o: -len(o[0]))
        self.capitalised: dict[str, float] = {}

    def fit(self, texts: Iterable[str]) -> Analyzer:
        """Case statistics of the corpus: for each word, the share of its mid-sentence occurrences
        that are capitalised."""
        upper, total = Counter(), Counter()
        for text in texts:
            for kind, surface, initial in _tokens(text):
                if kind == "word" and not initial:
                    low = surface.lower()
                    total[low] += 1
                    upper[low] += surface[0].isupper()
        self.capitalised = {w: upper[w] / total[w] for w in total}
        return self

    def _is_name(self, surface: str, initial: bool, next_upper: bool) -> bool:
        low = surface.lower()
        if not surface[0].isupper() or low in STOP or low in MONTHS or low in NUMBER_WORDS or low in MULTIPLIERS:
            return False
        share = self.capitalised.get(low)
        if not initial:
            return share is None or share >= 0.5
        return (share is not None and share >= 0.5) or (share is None and next_upper)

    def features(self, text: str) -> Features:
        m = _FRAMING.search(text)
        if m:
            main = self._features(text[:m.start()])
            if len(set(main.terms)) >= MIN_TERMS:
                return main
        return self._features(text)

    def _features(self, text: str) -> Features:
        toks = _tokens(text)
        terms, amounts, days, years, names, places = [], set(), set(), set(), set(), set()
        i, previous = 0, None
        lows = [t[1].lower() for t in toks]

        def placed(start: int, end: int) -> bool:
            """The tokens start:end are in a place's position."""
            k = start - 1
            if k >= 0 and lows[k] in ("the", "a"):
                k -= 1
            return k >= 0 and lows[k] in LOCATIVE or end < len(lows) and lows[end] in PLACE_NOUNS
        while i < len(toks):
            kind, surface, initial = toks[i]
            # register names, longest first, case-sensitive ("US" is a name, "us" is not)
            matched = None
            for tokens, term in self.first.get(surface, ()):
                if tuple(t[1] for t in toks[i:i + len(tokens)]) == tokens:
                    matched = (tokens, term)
                    break
            if matched:
                terms += matched[1]
                names.update(matched[1])
                i += len(matched[0])
                previous = None
                continue
            low = surface.lower().rstrip("'")
            value = _number(kind, low)
            if value is not None:
                # a multiplier after a number: "10 thousand", "1.5 million"
                j = i + 1
                while j < len(toks) and toks[j][1].lower() in MULTIPLIERS:
                    value *= MULTIPLIERS[toks[j][1].lower()]
                    j += 1
                month = MONTHS.get(previous) if previous else None
                after = toks[i + 1][1].lower() if i + 1 < len(toks) else None
                if month and 1 <= value <= 31 and value == int(value):
                    days.add(f"{month}-{int(value)}")
                    terms.append(f"date:{month}-{int(value)}")
                elif after in MONTHS and 1 <= value <= 31 and value == int(value) and after != "may":
                    days.add(f"{MONTHS[after]}-{int(value)}")
                    terms.append(f"date:{MONTHS[after]}-{int(value)}")
                elif kind == "num" and 1900 <= value <= 2100 and "," not in surface and "." not in surface:
                    years.add(int(value))
                    terms.append(f"year:{int(value)}")
                else:
                    shown = f"{value:g}" if value != int(value) else str(int(value))
                    if surface.endswith("%") or after in ("percent", "per"):
                        shown += "%"
                    amounts.add(shown)
                    terms.append(f"num:{shown}")
                previous = None
                i = j
                continue
            if low in STOP or low in MULTIPLIERS or len(low) < 2 and not low.isdigit():
                previous = low
                i += 1
                continue
            if low in MONTHS:
                previous = low
                terms.append(f"month:{MONTHS[low]}")
                i += 1
                continue
            word = stem(low)
            next_upper = i + 1 < len(toks) and toks[i + 1][1][:1].isupper()
            if kind in ("word", "abbr") and self._is_name(surface, initial, next_upper):
                names.add(word)
                if placed(i, i + 1):
                    places.add(word)
            if previous is not None and (previous, word) in PHRASES:
                terms[-1] = PHRASES[previous, word]
            else:
                terms.append(SYNONYMS.get(word, word))
            previous = word
            i += 1
        return Features(terms, frozenset(amounts), frozenset(days), frozenset(years), frozenset(names),
                        frozenset(places))


def _tokens(text: str) -> list[tuple[str, str, bool]]:
    """(kind, surface, sentence-initial) of each token: num, abbr (U.S.) or word."""
    out, initial = [], True
    for m in _TOKEN.finditer(_clean(text)):
        kind = "num" if m.group("num") else m.lastgroup
        if kind == "end":
            initial = True
            continue
        surface = m.group(0) if kind != "num" else m.group(0).replace(" ", "")
        if kind == "word" and "'" in surface:
            surface = _CLITIC.sub("", surface)  # the possessive ("Russia's" is "Russia"), "I'd", "we're"
        out.append((kind, surface, initial))
        initial = False
    return out


def _number(kind: str, low: str) -> float | None:
    if kind == "num":
        try:
            return float(low.lstrip("$").rstrip("%").replace(",", ""))
        except ValueError:
            return None
    return NUMBER_WORDS.get(low)


@cache
def _register_names() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Names of the shipped entity register as token tuples -> their terms. Countries are named by
    their names, demonyms and the aliases of their government ("Pyongyang"); other entities by
    their names, and give their country's term too ("North Korean military": the army and North
    Korea). Names without a capital letter are left out (they would catch common words)."""
    from kg.register import load

    register = load()
    out: dict[tuple[str, ...], str] = {}
    term_of = {}
    for e in register.entities.values():
        if e.type == "Country":
            term_of[e.iri] = _entity_term(e.iri)
    for e in register.entities.values():
        country = term_of.get(e.country) if e.country else None
        if e.iri in term_of or e.type == "Government" and country:
            terms = (term_of.get(e.iri) or country,)
        else:
            terms = (_entity_term(e.iri),) + ((country,) if country else ())
        for name in [*e.names, *e.demonyms]:
            tokens = tuple(t[1] for t in _tokens(re.sub(r"^(?:the|The)\s+", "", name)))
            if tokens and any(c.isupper() for c in name):
                out.setdefault(tokens, terms)
    return out


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


def _entity_term(iri: str) -> str:
    """The term a register entity's names become: "@north-korea"."""
    return "@" + iri.rsplit("/", 1)[-1]


@cache
def _country_of() -> dict[str, str]:
    """The country term of each register entity that has a country (governments excepted: their
    term is their country's)."""
    from kg.register import load

    entities = load().entities.values()
    return {_entity_term(e.iri): _entity_term(e.country) for e in entities
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
