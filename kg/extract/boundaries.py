"""Where a content ends: alternative boundaries for a candidate, for the model to choose from.

The patterns of clauses.py give one content per cue, the one the parse suggests
("called him" where the writer meant "called him a liar for ..."). Parses go wrong
and annotators read a cue's reach generously, so each verb candidate also offers:

- "rest":   everything after the cue (and a source that follows it) to the end of the sentence;
- "rights": the subtrees the cue verb governs on its right ("blamed Romney for not releasing ...").

The boundary model (model.py) ranks a cue's variants; the cue model then decides whether the
best one is an attribution. A wider variant never takes the words of another kept cue.
"""
from __future__ import annotations

from dataclasses import replace

from kg.extract.clauses import cue_participles
from kg.extract.coref import POINTING

def with_variants(found: list) -> list:
    """The candidates, each verb candidate followed by its distinct alternative contents. A relay's
    content ("O reported, citing S, that C") and a pointing one ("reported this") keep their bounds:
    the chain and the antecedent are found from them."""
    out = []
    for f in found:
        out.append(f)
        if f.pattern != "verb" or f.cites is not None or _points(f):
            continue
        seen = [f.content]
        doc = f.anchor.doc
        for name, ids in alternatives(f):
            ids -= cue_participles(ids, f.anchor)  # ", saying C": another attribution, as in the rules' own
            words = {i for i in ids if not (doc[i].is_punct or doc[i].is_space)}
            if words:
                ids = {i for i in ids if i <= max(words)}  # no stray marks, spaces or closing quote after the last word
            if words and ids not in seen:
                seen.append(ids)
                out.append(replace(f, content=ids, variant=name))
    return out


def _points(f) -> bool:
    doc = f.anchor.doc
    words = " ".join(doc[i].text for i in sorted(f.content) if not doc[i].is_punct)
    return bool(POINTING.match(words))


def alternatives(f) -> list[tuple[str, set[int]]]:
    return [("rest", _rest(f)), ("rights", _rights(f))]


def _rest(f) -> set[int]:
    """After the cue and a source that follows it, to the sentence's end."""
    cue_ids = {t.i for t in f.cue}
    last = max(cue_ids | {i for i in f.source_ids if i > max(cue_ids)})
    return set(range(last + 1, f.anchor.sent.end))


def _rights(f) -> set[int]:
    """The subtrees the cue verb governs to its right, its own source and punctuation aside."""
    verb = f.anchor
    ids: set[int] = set()
    for c in verb.children:
        if c.i > verb.i and c.dep_ not in ("punct", "cc") and c.i not in f.source_ids:
            ids |= {t.i for t in c.subtree}
    return ids - {t.i for t in f.cue}
