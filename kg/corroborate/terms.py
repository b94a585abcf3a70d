"""Claim text -> Features: the terms two claims are compared by, and the amounts, dates, names and
places the compatibility rules look at (kg.corroborate.cluster). No spaCy: the stdlib and the entity
register only.

A claim's text is tokenised by a regular expression and each token normalised: lower case,
possessive 's dropped, Snowball's English stemmer (snowballstemmer) after a table of the irregular
forms it cannot fold ("deployed", "deployment" -> "deploy"; "sent" -> "send"); stop words (the
Glasgow list, which scikit-learn ships too: importing scikit-learn would cost every kg command
seconds), reporting verbs and hedges ("said", "possible", "likely": the attribution already holds
the cue and the certainty) and weekdays are dropped. Names of the entity register (ontology/entities.ttl) become one term each, countries with
their names, demonyms and capital-city metonyms folded ("North Korean", "DPRK", "Pyongyang" ->
@north-korea). A few news synonyms are folded too (SYNONYM_SETS, PHRASES). Numbers are values
("1,500" and "1500", "10 thousand" and "10,000", "three" and "3"), dates month-day and year values.
A trailing framing clause (", as speculation grows over ...", ", amid ...") is the writer's
background, not the source's claim: left out unless the rest is a fragment. A name in a place's
position ("to Kursk", "the Kursk area") is a place of the claim.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Iterable

import snowballstemmer

from kg.extract.words import MONTHS

NEGATIONS = frozenset({"not", "never", "no", "nor"})
MIN_TERMS = 3                                 # fewer distinct terms: a fragment ("to Donald Trump"), left alone

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

NUMBER_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                           "thirteen fourteen fifteen sixteen seventeen eighteen nineteen "
                                           "twenty".split())}
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                     "ninety": 90, "dozen": 12})
MULTIPLIERS = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
               "trillion": 1_000_000_000_000}
# Irregular verb and plural forms, which a suffix stemmer cannot fold ("sent" -> "send").
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


_ENGLISH = snowballstemmer.stemmer("english")


@cache
def stem(word: str) -> str:
    """Snowball's English (Porter2) stem, after the irregular forms it cannot fold: "deployed",
    "deploys", "deploying", "deployment" -> "deploy"; "sent" -> "send"."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if len(word) <= 2 or not word.isalpha():
        return word
    return _ENGLISH.stemWord(word)


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
    negated: bool = False                   # its own words deny ("not", "n't", "never", "no")


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
        self.capitalised = {w: upper / total for w, (upper, total) in case_counts(texts).items()}
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
        negated = any(w in NEGATIONS or w.endswith("n't") for w in lows)

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
            # a negation ("didn't") is a stop word too: Features.negated and the polarity carry it
            if low in STOP or low in MULTIPLIERS or low.endswith("n't") or len(low) < 2 and not low.isdigit():
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
                        frozenset(places), negated)


def speaker(label: str | None) -> frozenset:
    """The terms a source's label gives as a name in a claim ("Hillary Clinton": hillari, clinton)."""
    return frozenset(stem(surface.lower()) for kind, surface, _ in _tokens(label or "") if kind == "word")


def case_counts(texts: Iterable[str]) -> dict[str, tuple[int, int]]:
    """For each word seen mid-sentence in `texts` (lower case): (capitalised occurrences, occurrences)."""
    upper, total = Counter(), Counter()
    for text in texts:
        for kind, surface, initial in _tokens(text):
            if kind == "word" and not initial:
                low = surface.lower()
                total[low] += 1
                upper[low] += surface[0].isupper()
    return {w: (upper[w], n) for w, n in total.items()}


def words(texts: Iterable[str]) -> set[str]:
    """The words of `texts`, lower case: what Analyzer.capitalised is asked about."""
    return {surface.lower() for text in texts for kind, surface, _ in _tokens(text) if kind == "word"}


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
    from kg.resolve import load_register as load

    register = load()
    out: dict[tuple[str, ...], str] = {}
    term_of = {}
    for e in register.entities.values():
        if e.type == "Country":
            term_of[e.iri] = entity_term(e.iri)
    for e in register.entities.values():
        country = term_of.get(e.country) if e.country else None
        if e.iri in term_of or e.type == "Government" and country:
            terms = (term_of.get(e.iri) or country,)
        else:
            terms = (entity_term(e.iri),) + ((country,) if country else ())
        for name in [*e.names, *e.demonyms]:
            tokens = tuple(t[1] for t in _tokens(re.sub(r"^(?:the|The)\s+", "", name)))
            if tokens and any(c.isupper() for c in name):
                out.setdefault(tokens, terms)
    return out


def entity_term(iri: str) -> str:
    """The term a register entity's names become: "@north-korea"."""
    return "@" + iri.rsplit("/", 1)[-1]
