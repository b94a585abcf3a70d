"""Token sets -> character spans, shared by every pattern module."""
from __future__ import annotations

from kg.extract.records import Span

# Punctuation that never begins or ends a source or content span (quotation
# marks are kept: a quoted content includes its marks, as annotators mark it).
_EDGE_PUNCT = {",", ";", ":", "-", "\u2014", "\u2013", "(", ")", "."}


def use_text(doc, text: str) -> None:
    """Spans take their words from `text`: the article as read, of which the parsed body is a
    same-length copy with boilerplate blanked."""
    assert len(text) == len(doc.text)
    doc.user_data["kg_text"] = text


def doc_text(doc) -> str:
    """doc.text, computed once: spaCy rebuilds it from every token on each access."""
    text = doc.user_data.get("kg_text")
    if text is None:
        text = doc.user_data["kg_text"] = doc.text
    return text


def drop_caches(doc) -> None:
    for key in ("kg_text", "kg_ents"):
        doc.user_data.pop(key, None)


def ents_in(span) -> list:
    """The entities inside a span; doc.ents is built once per document, not per call."""
    doc = span.doc
    ents = doc.user_data.get("kg_ents")
    if ents is None:
        ents = doc.user_data["kg_ents"] = list(doc.ents)
    return [e for e in ents if e.start >= span.start and e.end <= span.end]


def subtree_ids(tok, exclude=()) -> set[int]:
    """Token indices of tok's subtree, minus the subtrees rooted at `exclude`."""
    ids = {t.i for t in tok.subtree}
    for ex in exclude:
        ids -= {t.i for t in ex.subtree}
    return ids


def to_span(doc, ids, strip_edge_punct: bool = True) -> Span | None:
    """The character span of a set of token indices; a missing token between two makes a new fragment."""
    # Whitespace tokens (paragraph breaks, blanked boilerplate) are never part of a span.
    order = sorted(i for i in ids if not doc[i].is_space)
    if strip_edge_punct:
        while order and doc[order[0]].text in _EDGE_PUNCT:
            order.pop(0)
        while order and doc[order[-1]].text in _EDGE_PUNCT:
            order.pop()
    if not order:
        return None
    fragments: list[list[int]] = []
    for i in order:
        tok = doc[i]
        if fragments and i == fragments[-1][2] + 1:  # the next token: same fragment
            fragments[-1][1] = tok.idx + len(tok)
            fragments[-1][2] = i
        else:
            fragments.append([tok.idx, tok.idx + len(tok), i])
    return from_fragments(doc_text(doc), [(s, e) for s, e, _ in fragments])


def from_fragments(text: str, fragments) -> Span | None:
    """A Span over sorted, merged character fragments."""
    merged: list[list[int]] = []
    for s, e in sorted(fragments):
        if e <= s:
            continue
        if merged and s <= merged[-1][1] + 1 and not text[merged[-1][1]:s].strip():
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    if not merged:
        return None
    start, end = merged[0][0], merged[-1][1]
    frags = tuple((s, e) for s, e in merged) if len(merged) > 1 else ()
    return Span(start, end, text[start:end], frags)

