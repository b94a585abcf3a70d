"""Direct quotations: where the quoted passages of an article are.

Works on characters, not on the parse: a quotation may span several sentences
(which the parser splits) or several paragraphs (the news convention of opening
each paragraph of a long quote with a quotation mark and closing only the last).
"""
from __future__ import annotations

import bisect
import re

OPEN_CURLY, CLOSE_CURLY = "\u201c", "\u201d"
# Straight double quotes, and the doubled single quotes some archives use ('').
_MARK = re.compile(r"\u201c|\u201d|''|\"")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


def find_quotes(text: str) -> list[tuple[int, int]]:
    """Character spans [start, end) of quotations, marks included, in order."""
    quotes: list[tuple[int, int]] = []
    open_at: int | None = None
    for m in _MARK.finditer(text):
        mark = m.group()
        if open_at is None:
            if mark == CLOSE_CURLY:
                continue  # a stray closing mark opens nothing
            open_at = m.start()
            continue
        # A quotation left open at a paragraph break continues only if the next
        # paragraph reopens it; otherwise the opening mark was unbalanced.
        between = text[open_at:m.start()]
        if "\n" in between and not _continues_over_paragraphs(text, open_at, m.start()):
            open_at = None if mark == CLOSE_CURLY else m.start()
            continue
        if mark == OPEN_CURLY and "\n" in between:
            continue  # reopening mark of a continued paragraph
        if mark == OPEN_CURLY:
            open_at = m.start()  # nested or unbalanced: restart here
            continue
        quotes.append((open_at, m.end()))
        open_at = None
    return quotes


def _continues_over_paragraphs(text: str, start: int, end: int) -> bool:
    """True when every paragraph break inside text[start:end] is followed by a reopening mark."""
    for m in _PARAGRAPH_BREAK.finditer(text, start, end):
        rest = text[m.end():end].lstrip()
        if not rest or rest[0] not in "\u201c\"'":
            return False
    return True


def is_quoted(quotes: list[tuple[int, int]], pos: int) -> bool:
    """Whether character `pos` lies inside a quotation (quotes sorted, non-overlapping)."""
    i = bisect.bisect_right(quotes, (pos, float("inf"))) - 1
    return i >= 0 and quotes[i][0] < pos < quotes[i][1]


def quote_containing(quotes: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The quotation that overlaps [start, end), if any."""
    for qs, qe in quotes:
        if qs < end and start < qe:
            return qs, qe
    return None


_GAP_BEFORE = re.compile(r"[\s,]*\Z")
_GAP_AFTER = re.compile(r"\A[\s,:]*\Z")


def quote_ending_at(text: str, quotes, pos: int) -> tuple[int, int] | None:
    """The quotation that closes right before `pos` ("“A,” he said"), same paragraph."""
    for qs, qe in quotes:
        if qe <= pos and pos - qe <= 3 and _GAP_BEFORE.match(text[qe:pos]) and "\n" not in text[qe:pos]:
            return qs, qe
    return None


def quote_starting_at(text: str, quotes, pos: int) -> tuple[int, int] | None:
    """The quotation that opens right after `pos` ("he said: “A”"), same paragraph."""
    for qs, qe in quotes:
        if qs >= pos and qs - pos <= 3 and _GAP_AFTER.match(text[pos:qs]) and "\n" not in text[pos:qs]:
            return qs, qe
    return None


def continuations(text: str, quotes, pos: int, taken) -> list[tuple[int, int]]:
    """Quotations after `pos` in the same paragraph that no other record claims.

    "“A,” she said, clapping. “B.”": the speaker of A goes on speaking in B.
    `taken(start, end)` tells whether another record's cue or content lies there.
    """
    out = []
    for qs, qe in quotes:
        if qs < pos:
            continue
        if "\n" in text[pos:qs] or taken(pos, qe):
            break
        out.append((qs, qe))
        pos = qe
    return out
