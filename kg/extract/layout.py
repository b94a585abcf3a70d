"""Attributions made by typography rather than grammar.

- "“...” ― Sonya Herridge": a quotation signed with a dash;
- "Pence: Gennifer Flowers Won't Be at Debate": a headline or a transcript line
  opened by its speaker and a colon ("WALLACE: Let's start ...").
"""
from __future__ import annotations

import re

from kg.extract.clauses import SOURCE_NOUNS, Found

# A line that ends in a closing quotation mark, a dash and a name: "“...” ― Sonya Herridge".
_SIGNED_LINE = re.compile(r"^(?P<quote>[^\n]*[\u201d\"'])[ \t\u00a0]*(?:[\u2015\u2014\u2013]{1,2}|--)[ \t\u00a0]*"
                          r"(?P<name>[A-Z][^\n]{1,60}?)[ \t\u00a0]*$", re.M)
MAX_SPEAKER_TOKENS = 4
# Labels that open a line with a colon but name no speaker.
# The last word of an all-caps round-up heading ("FED TALK:", "MARKET WRAP:").
ROUNDUP_NOUNS = frozenset("talk wrap watch roundup recap briefing alert update notes digest".split())
LABELS = frozenset("update note photo video watch read related editor correction warning breaking "
                   "exclusive opinion analysis live source sources transcript clarification".split())


def dash_signatures(doc, body: str) -> list[Found]:
    """Signed quotations, found by line in the article body (boilerplate blanked), so that a
    quotation opened with the wrong mark still counts."""
    found = []
    for m in _SIGNED_LINE.finditer(body):
        quote = doc.char_span(m.start("quote"), m.end("quote"), alignment_mode="expand")
        name = doc.char_span(m.start("name"), m.end("name"), alignment_mode="contract")
        dash = doc.char_span(m.end("quote"), m.start("name"), alignment_mode="expand")
        if quote is None or name is None or not 0 < len(name) <= 6 or not name[0].is_title:
            continue
        cue = [t for t in dash if not t.is_space] if dash is not None else []
        found.append(Found(cue or [name[0]], {t.i for t in quote}, name[0], {t.i for t in name}, pattern="dash"))
    return found


def colon_speakers(sent) -> list[Found]:
    """"Speaker: content" at the start of a sentence."""
    colon = next((t for t in sent[: MAX_SPEAKER_TOKENS + 1] if t.text == ":"), None)
    if colon is None or colon.i == sent.start:
        return []
    speaker = sent.doc[sent.start: colon.i]
    while len(speaker) and speaker[0].is_punct:  # a transcript line may open with its quotation mark
        speaker = speaker[1:]
    content = sent.doc[colon.i + 1: _paragraph_end(sent)]
    if len(content) < 3 or not _looks_like_speaker(speaker):
        return []
    if not len(speaker):
        return []
    return [Found([colon], {t.i for t in content}, speaker.root, {t.i for t in speaker}, pattern="colon")]


def _looks_like_speaker(span) -> bool:
    words = [t for t in span if not t.is_punct]
    if not words or any(t.like_num for t in words) or not all(t.is_title or t.is_upper for t in words):
        return False
    if words[0].lower_ in LABELS or len(words) > 1 and words[-1].is_upper and words[-1].lower_ in ROUNDUP_NOUNS:
        return False  # "UPDATE:", "FED TALK:": a heading of the page, nobody's words
    if any(t.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") for t in words) or all(t.pos_ == "PROPN" for t in words):
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
