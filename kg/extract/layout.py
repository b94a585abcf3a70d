"""Attributions made by typography rather than grammar.

- "“...” ― Sonya Herridge": a quotation signed with a dash;
- "Pence: Gennifer Flowers Won't Be at Debate": a headline or a transcript line
  opened by its speaker and a colon ("WALLACE: Let's start ...").
"""
from __future__ import annotations

import re

from kg.extract.clauses import SOURCE_NOUNS, Found
from kg.extract.spans import doc_text

_DASH_SIGNATURE = re.compile(r"[ \t\u00a0]*[\u2015\u2014\u2013]{1,2}[ \t\u00a0]*|[ \t\u00a0]*--[ \t\u00a0]*")
MAX_SPEAKER_TOKENS = 4


def dash_signatures(doc, quotes) -> list[Found]:
    found = []
    text = doc_text(doc)
    for qs, qe in quotes:
        m = _DASH_SIGNATURE.match(text, qe)
        if not m:
            continue
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        name = doc.char_span(m.end(), line_end, alignment_mode="contract")
        quote = doc.char_span(qs, qe, alignment_mode="expand")
        dash = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if name is None or quote is None or dash is None or not 0 < len(name) <= 6 or not name[0].is_title:
            continue
        found.append(Found(list(dash) or [name[0]], {t.i for t in quote}, name[0], {t.i for t in name},
                           pattern="dash"))
    return found


def colon_speakers(sent) -> list[Found]:
    """"Speaker: content" at the start of a sentence."""
    colon = next((t for t in sent[: MAX_SPEAKER_TOKENS + 1] if t.text == ":"), None)
    if colon is None or colon.i == sent.start:
        return []
    speaker = sent.doc[sent.start: colon.i]
    content = sent.doc[colon.i + 1: _paragraph_end(sent)]
    if len(content) < 3 or not _looks_like_speaker(speaker):
        return []
    return [Found([colon], {t.i for t in content}, speaker.root, {t.i for t in speaker}, pattern="colon")]


def _looks_like_speaker(span) -> bool:
    words = [t for t in span if not t.is_punct]
    if not words or any(t.like_num for t in words) or not all(t.is_title or t.is_upper for t in words):
        return False
    if any(t.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") for t in words):
        return True
    return any(t.lemma_.lower() in SOURCE_NOUNS or t.lemma_.lower() == "poll" for t in words) or \
        len(words) == 1 and words[0].is_upper and len(words[0]) > 2


def _paragraph_end(sent) -> int:
    """The end token of the paragraph the sentence starts: a transcript turn runs to the line break."""
    doc = sent.doc
    i = sent.start
    while i < len(doc) and "\n" not in doc[i].text:
        i += 1
    return i
