"""Metadata from the text, for what a document does not say itself: the title (a headline
among the opening lines), the author (a byline, or the name above an author bio) and the
publisher (the outlet the article refers to as itself); and dates normalised to YYYY-MM-DD."""
from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

from kg.documents.layout import author_bio, byline_name, split_paragraphs, tail_start, title_index


def normalise_date(raw: str) -> str:
    """YYYY-MM-DD when `raw` names a full date, else `raw` unchanged (stripped)."""
    raw = raw.strip()
    try:
        return datetime.fromisoformat(raw).date().isoformat()
    except ValueError:
        pass
    from dateutil import parser as dateparser  # here, not above: slow to import, and ISO dates need none

    try:
        # Parsing against two different defaults shows whether year, month and
        # day all came from the string ("October 2024" must not become a day).
        first = dateparser.parse(raw, default=datetime(2000, 1, 1))
        second = dateparser.parse(raw, default=datetime(2001, 2, 2))
    except (ValueError, OverflowError):
        return raw
    return first.date().isoformat() if first.date() == second.date() else raw


def infer_title(text: str) -> str | None:
    """A headline among the short lines that open the text ("USA" / "The US concerned about ..."), if any."""
    paragraphs = split_paragraphs(text)
    index = title_index(paragraphs)
    return None if index is None else paragraphs[index].text


def infer_author(text: str) -> str | None:
    """The name in a "By Jane Doe" byline near the top, or above an author bio near the end."""
    paragraphs = split_paragraphs(text)
    for p in paragraphs[:5]:
        if name := byline_name(p.text):
            return name
    bio = author_bio(paragraphs[:tail_start(paragraphs)])
    return None if bio is None else paragraphs[bio[0]].text


# An outlet name: 1-5 capitalised words, optionally after "The".
_OUTLET = r"((?:The\s+)?[A-Z][A-Za-z0-9&.-]*(?:\s+[A-Z][A-Za-z0-9&.-]*){0,4})"
_SENTENCE_START = r"(?:^|(?<=[.!?,;:\"”’)]\s))"
# Phrases only the publishing outlet writes about itself.
_SELF_REFERENCES = [
    re.compile(
        _SENTENCE_START + _OUTLET
        + r"\s+(?:has\s+|had\s+|have\s+)?(?:contacted|reached\s+out\s+to|asked|emailed|approached)\b"
        r"[^.\n]{0,200}?\b(?:for\s+(?:further\s+)?comment|via\s+email|by\s+email)",
        re.M,
    ),
    # "independently": "The Kremlin could not confirm" is a source, "... could not independently verify" a newsroom
    re.compile(
        _SENTENCE_START + _OUTLET
        + r"\s+(?:(?:was|is|has\s+been)\s+(?:unable|not\s+able)\s+to|could\s*not|cannot|can\s+not)"
        r"\s+(?:independently\s+(?:verify|confirm)|reach|contact)\b",
        re.M,
    ),
    re.compile(r"\bcontacted\s+by\s+" + _OUTLET),
    re.compile(
        r"\b(?:respond|reply|responded|replied)\s+to\s+(?:an?\s+)?" + _OUTLET
        + r"(?:['’]s)?\s+(?:request|inquiry|email|questions?)\b"
    ),
    # a wire dateline: "(AP) —", "KYIV, Ukraine (AP) —", "LONDON, Oct 25 (Reuters) -"
    re.compile(r"^(?:[A-Z][A-Z .'’-]*[A-Z](?:,[A-Za-z0-9 .]{1,30})?\s+)?\(" + _OUTLET + r"\)\s*[—–-]", re.M),
]
# Phrases that also point at other outlets ("officials told The Wall Street Journal"):
# they add weight to a name but cannot make it the publisher on their own.
_MENTIONS = [
    re.compile(r"\btold\s+" + _OUTLET),
    re.compile(r"\b(?:in|during)\s+an?\s+(?:interview|statement|email)\s+(?:to|with)\s+" + _OUTLET),
]
_NOT_OUTLETS = {"He", "She", "It", "They", "We", "I", "You", "This", "That"}
_OPENER = re.compile(r"^(?:When|After|But|And|As|If|While|Since)\s+")  # "When Newsweek reached out ..."


def infer_publisher(text: str) -> str | None:
    """The outlet the article refers to as itself ("Newsweek has contacted ...", "(AP) —"), or None.

    "Reuters reported" is no self-reference: it is how an article cites another outlet.
    """
    strong = _outlet_names(text, _SELF_REFERENCES)
    counts = Counter(map(_outlet_key, strong + _outlet_names(text, _MENTIONS)))
    candidates: dict[str, str] = {}  # key -> the spelling seen first
    for name in strong:
        candidates.setdefault(_outlet_key(name), name)
    best = max(candidates, key=counts.__getitem__, default=None)
    return candidates.get(best)


def _outlet_names(text: str, patterns: list[re.Pattern]) -> list[str]:
    names = (_OPENER.sub("", m.group(1)).rstrip(".") for pattern in patterns for m in pattern.finditer(text))
    return [name for name in names if name not in _NOT_OUTLETS]


def _outlet_key(name: str) -> str:
    return name.removeprefix("The ").lower()
