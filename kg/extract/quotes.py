"""Direct quotations: where the quoted passages of an article are.

Works on characters, not on the parse: a quotation may span several sentences
(which the parser splits) or several paragraphs (the news convention of opening
each paragraph of a long quote with a quotation mark and closing only the last).
"""
from __future__ import annotations

import bisect
import re

OPEN_CURLY, CLOSE_CURLY = "\u201c", "\u201d"
CLOSING_MARKS = frozenset({CLOSE_CURLY, '"', "''"})  # as the tokenizer gives them
OPENING_MARKS = frozenset({OPEN_CURLY, '"', "``", "''"})
# Straight double quotes, and the doubled single quotes some archives use ('').
_MARK = re.compile(r"\u201c|\u201d|''|\"")
_PARAGRAPH_BREAK = re.compile(r"\n\s*")


def find_quotes(text: str) -> list[tuple[int, int]]:
    """Character spans [start, end) of quotations, marks included, in order."""
    quotes: list[tuple[int, int]] = []
    open_at: int | None = None
    for m in _MARK.finditer(text):
        mark, pos = m.group(), m.start()
        if open_at is None:
            if mark != CLOSE_CURLY:  # a stray closing mark opens nothing
                open_at = pos
            continue
        if "\n" in text[open_at:pos]:
            if not _continues_over_paragraphs(text, open_at, pos):
                open_at = None if mark == CLOSE_CURLY else pos  # the earlier mark was unbalanced
                continue
            if mark != CLOSE_CURLY and _opens_paragraph(text, pos):
                continue  # the reopening mark of a quotation carried over paragraphs
        if mark == OPEN_CURLY:
            open_at = pos  # nested or unbalanced: restart here
            continue
        quotes.append((open_at, m.end()))
        open_at = None
    return quotes


def _continues_over_paragraphs(text: str, start: int, end: int) -> bool:
    """True when every line break inside text[start:end] is followed by a reopening mark."""
    for m in _PARAGRAPH_BREAK.finditer(text, start, end):
        if text[m.end():m.end() + 2].lstrip()[:1] not in ("\u201c", '"', "'"):
            return False
    return True


def _opens_paragraph(text: str, pos: int) -> bool:
    return not text[text.rfind("\n", 0, pos) + 1:pos].strip()


TITLE_MAX_WORDS = 8
SMALL_WORDS = frozenset("a an the of and or in on at to for by with from".split())


def reads_as_title(words: list[str]) -> bool:
    """"Morning Roundup", "Operation Clean Sweep", "Honest Abe": a few words, each capitalised but
    the small ones; a name or title, not a sentence anyone said."""
    words = [w for w in words if any(c.isalnum() for c in w)]
    return 0 < len(words) <= TITLE_MAX_WORDS and words[0][:1].isupper() and all(
        w[:1].isupper() or w.lower() in SMALL_WORDS for w in words)


def title_quotation(text: str, quote: tuple[int, int]) -> bool:
    """Whether the quotation at `quote` (marks included) reads as a title."""
    return reads_as_title(re.findall(r"[\w'’-]+", text[quote[0]:quote[1]]))


def is_quoted(quotes: list[tuple[int, int]], pos: int) -> bool:
    """Whether character `pos` lies inside a quotation (quotes sorted, non-overlapping)."""
    i = bisect.bisect_right(quotes, (pos, float("inf"))) - 1
    return i >= 0 and quotes[i][0] < pos < quotes[i][1]


MAX_COLON_GAP = 12  # ":" and the blank lines before the next paragraph
_GAP_BEFORE = re.compile(r"[\s,]*\Z")
_GAP_AFTER = re.compile(r"\A[\s,:]*\Z")


def quote_ending_at(text: str, quotes, pos: int) -> tuple[int, int] | None:
    """The quotation that closes right before `pos` ("“A,” he said"), same paragraph."""
    i = bisect.bisect_right(quotes, pos, key=lambda q: q[1]) - 1  # the last to close at or before pos
    if i < 0:
        return None
    qs, qe = quotes[i]
    gap = text[qe:pos]
    return (qs, qe) if len(gap) <= 3 and _GAP_BEFORE.match(gap) and "\n" not in gap else None


def quote_closing_at(quotes, end: int) -> tuple[int, int] | None:
    """The quotation whose closing mark ends at character `end`."""
    i = bisect.bisect_left(quotes, end, key=lambda q: q[1])
    return quotes[i] if i < len(quotes) and quotes[i][1] == end else None


def quote_starting_at(text: str, quotes, pos: int) -> tuple[int, int] | None:
    """The quotation that opens right after `pos` ("he said: “A”"), in the same paragraph or, after a
    colon, as the next one ("He said:" then a paragraph that is a quotation)."""
    i = bisect.bisect_left(quotes, pos, key=lambda q: q[0])  # the first to open at or after pos
    if i == len(quotes):
        return None
    qs, qe = quotes[i]
    gap = text[pos:qs]
    near = len(gap) <= 3 and "\n" not in gap or len(gap) <= MAX_COLON_GAP and gap.strip() == ":"
    return (qs, qe) if near and _GAP_AFTER.match(gap) else None


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
