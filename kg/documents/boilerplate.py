"""Boilerplate: the paragraphs of a scraped page that are not the article (teasers, author bio,
captions and credits, labels, repeated lines, "share this" trailers), blanked to spaces so that
the extractor never sees them and offsets into the text stay valid."""
from __future__ import annotations

import re
from collections import Counter

from kg.documents.layout import (
    Paragraph, author_bio, ends_sentence, is_label, split_paragraphs, tail_start, title_index,
)

_CAPTION_START = re.compile(
    r"(?i)^(?:this (?:illustrative |handout |file |undated )?(?:image|photo|photograph|picture)\b"
    r"|in this (?:image|photo|photograph|picture)\b|photo:|image:|caption:|pictured\b|file photo\b)"
)
_CREDIT_END = re.compile(
    r"(?:(?i:\b(?:photo|photograph|image|picture)s?\s*(?:by|credit|:)\s*:?)[^.!?]{1,80}"
    r"|/\s*(?:Getty Images|AFP|AP|Reuters|EPA|Shutterstock|Bloomberg)\b[^.!?]{0,30}"
    r"|\bGetty Images|\bShutterstock(?:\.com)?|\bAlamy(?: Stock Photo)?)\)?\s*$"
)
_TRAILER = re.compile(
    r"(?i)^(?:comments are closed|read the (?:rest|full (?:story|article))|share this (?:article|story|post|page)"
    r"|sign up (?:for|to)\b|follow us on\b|click here\b|subscribe\b|copyright (?:© ?)?\d{4}|©)"
    r"|all rights reserved"
)


def blank_boilerplate(text: str) -> str:
    """`text` with boilerplate paragraphs replaced by spaces: same length, newlines kept."""
    paragraphs = split_paragraphs(text)
    pieces, done = [], 0
    for index in sorted(_boilerplate(paragraphs)):
        p = paragraphs[index]
        pieces += [text[done:p.start], re.sub(r"[^\r\n]", " ", text[p.start:p.end])]
        done = p.end
    return "".join(pieces) + text[done:]


def _boilerplate(paragraphs: list[Paragraph]) -> set[int]:
    """Indices of the paragraphs to blank."""
    tail = tail_start(paragraphs)
    article = paragraphs[:tail]
    blank = set(range(tail, len(paragraphs)))
    blank.update(author_bio(article) or ())
    blank.update(_duplicates(article))
    title = title_index(article)  # a headline is a short line that stays
    for index, p in enumerate(article):
        if (is_label(p) and index != title) or _is_caption(p) or _TRAILER.search(p.text):
            blank.add(index)
    return blank


def _duplicates(paragraphs: list[Paragraph]) -> set[int]:
    """Repeated paragraphs (a caption printed twice): every copy, but the first of a repeated news paragraph."""
    counts = Counter(p.text for p in paragraphs)
    seen: set[str] = set()
    blank = set()
    for index, p in enumerate(paragraphs):
        if counts[p.text] > 1 and (p.text in seen or not _is_content(p)):
            blank.add(index)
        seen.add(p.text)
    return blank


def _is_content(p: Paragraph) -> bool:
    """A real news paragraph: a full sentence of some length."""
    return ends_sentence(p.text) and p.words > 12


def _is_caption(p: Paragraph) -> bool:
    return bool(_CAPTION_START.match(p.text) or _CREDIT_END.search(p.text))
