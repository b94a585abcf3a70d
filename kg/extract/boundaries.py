"""Where a content ends: alternative boundaries for a candidate, for the model to choose from.

The patterns of clauses.py give one content per cue, the one the parse suggests
("called him" where the writer meant "called him a liar for ..."). Parses go wrong
and annotators read a cue's reach generously, so each verb candidate also offers:

- "rest":   everything after the cue (and a source that follows it) to the end of the sentence;
- "rights": the subtrees the cue verb governs on its right ("blamed Romney for not releasing ...");
- "to_quote": the rules' content and the rest cut after their last quotation ("called the plan a “giveaway”",
  not "... a “giveaway” on Tuesday at a town hall in Ohio");
- "quote_phrase": the one phrase the verb governs that holds that quotation ("accused the finance
  minister of “reckless spending”": 'of “reckless spending”');
- "core":   the verb's complements only, no adjuncts ("blamed the mayor for the flooding", not "...
  during a visit to the city");
- "clause": the rules' content and the rest cut before a comma that opens a modifier ("The report
  shows that C", not "... that C, contradicting the mayor's account").

The boundary model (model.py) ranks a cue's variants; the cue model then decides whether the
best one is an attribution. A wider variant never takes the words of another kept cue.
"""
from __future__ import annotations

from dataclasses import replace

from kg.extract import cues
from kg.extract.clauses import cue_participles
from kg.extract.coref import POINTING
from kg.extract.quotes import quote_closing_at


def with_variants(found: list, quotes) -> list:
    """The candidates, each verb candidate followed by its distinct alternative contents. A relay's
    content ("O reported, citing S, that C") and a pointing one ("reported this") keep their bounds:
    the chain and the antecedent are found from them; so does a post ("took to Twitter: C")."""
    out = []
    for f in found:
        out.append(f)
        if f.pattern != "verb" or f.cites is not None or _points(f) or cues.posts_on_a_platform(f.anchor):
            continue  # (a post, "took to Twitter with this: C", has only C to say)
        seen = [f.content]
        doc = f.anchor.doc
        for name, ids in alternatives(f, quotes):
            ids -= cue_participles(ids, f.anchor)  # ", saying C": another attribution, as in the rules' own
            words = {i for i in ids if not (doc[i].is_punct or doc[i].is_space)}
            if words:  # no stray marks or spaces after the last word, but the close of a quotation it holds
                last, closings = max(words), _closings(doc, ids, quotes)
                ids = {i for i in ids if i <= last or i in closings}
            if words and ids not in seen:
                seen.append(ids)
                out.append(replace(f, content=ids, variant=name))
    return out


def _closings(doc, ids: set[int], quotes) -> set[int]:
    """The tokens of `ids` that close a quotation opened inside `ids`."""
    starts = {doc[i].idx for i in ids}
    closed = ((i, quote_closing_at(quotes, doc[i].idx + len(doc[i]))) for i in ids)
    return {i for i, quote in closed if quote is not None and quote[0] in starts}


def _points(f) -> bool:
    doc = f.anchor.doc
    words = " ".join(doc[i].text for i in sorted(f.content) if not doc[i].is_punct)
    return bool(POINTING.match(words))


def alternatives(f, quotes) -> list[tuple[str, set[int]]]:
    rest = _rest(f)
    doc, reach = f.anchor.doc, f.content | rest
    to_quote = _to_quote(doc, reach, quotes)
    return [("rest", rest), ("rights", _rights(f)), ("to_quote", to_quote),
            ("quote_phrase", _quote_phrase(f, to_quote)), ("core", _core(f)),
            ("clause", _before_modifier(doc, reach))]


def _rest(f) -> set[int]:
    """After the cue and a source that follows it, to the sentence's end."""
    cue_ids = {t.i for t in f.cue}
    last = max(cue_ids | {i for i in f.source_ids if i > max(cue_ids)})
    return set(range(last + 1, f.anchor.sent.end))


# What a verb's complement hangs by; adjuncts (time, place, manner, reasons) are left out of "core".
COMPLEMENTS = frozenset({"dobj", "ccomp", "xcomp", "dative", "oprd", "attr", "acomp", "pcomp"})
ADJUNCT_PREPOSITIONS = frozenset("on in at during after before since with amid while despite".split())
# What a comma opens when it ends the content: a participle, a relative clause, another verb, ...
MODIFIERS = frozenset({"advcl", "relcl", "acl", "conj", "cc", "appos", "parataxis", "npadvmod"})


def _governed(f):
    """(child, its subtree's token indices) for what the cue verb governs to its right, its own
    source and punctuation aside."""
    verb = f.anchor
    for c in verb.children:
        if c.i > verb.i and c.dep_ not in ("punct", "cc") and c.i not in f.source_ids:
            yield c, {t.i for t in c.subtree}


def _core(f) -> set[int]:
    """The subtrees of the verb's complements to its right, adjuncts and its own source aside."""
    return set().union(*(ids for c, ids in _governed(f) if c.dep_ in COMPLEMENTS
                         or c.dep_ == "prep" and c.lower_ not in ADJUNCT_PREPOSITIONS))


def _before_modifier(doc, ids: set[int]) -> set[int]:
    """The tokens before the first comma (after the first word) that opens a modifier; else nothing."""
    order = sorted(ids)
    for n, i in enumerate(order[1:-1], 1):
        after = doc[order[n + 1]]
        if doc[i].text == "," and (after.dep_ in MODIFIERS or after.tag_ in ("VBG", "WDT")):
            return set(order[:n])
    return set()


def _rights(f) -> set[int]:
    """The subtrees the cue verb governs to its right, its own source and punctuation aside."""
    return set().union(*(ids for _, ids in _governed(f))) - {t.i for t in f.cue}


def _to_quote(doc, ids: set[int], quotes) -> set[int]:
    """The tokens up to the end of their last quotation, when words follow it; else nothing."""
    closing = [i for i in ids if quote_closing_at(quotes, doc[i].idx + len(doc[i]))]
    if not closing:
        return set()
    last = max(closing)
    if not any(i > last and not doc[i].is_punct for i in ids):
        return set()
    return {i for i in ids if i <= last}


def _quote_phrase(f, to_quote: set[int]) -> set[int]:
    """Of the subtrees the verb governs on its right, the one holding the last quotation's end."""
    if not to_quote:
        return set()
    last = max(to_quote)
    for _, ids in _governed(f):
        if last in ids:
            return ids & to_quote if ids & to_quote != to_quote else set()
    return set()
