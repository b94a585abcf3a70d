"""Where, to whom and when something was said: channel, recipient, date.

Dates are normalised against the article's publication date when it is known:
"Friday" is the last Friday on or before it, "October 8" takes its year (or the
year before, when that would put the statement after the article).
"""
from __future__ import annotations

import datetime as dt
import re

from kg.extract.words import MONTHS, PLATFORMS

CHANNEL_NOUNS = {
    "statement": "statement", "interview": "interview", "conference": "press conference",
    "briefing": "press briefing", "speech": "speech", "op-ed": "op-ed", "letter": "letter",
    "email": "email", "e-mail": "email", "post": "post", "video": "video", "podcast": "podcast",
    "address": "speech", "release": "statement", "memo": "memo", "report": "report",
}
CUE_CHANNELS = {"tweet": "X", "retweet": "X"}
# What an author writes or posts ("Trump's tweet", "Mr. Obama's letter"): its named author is the source.
DOCUMENT_NOUNS = (frozenset(CHANNEL_NOUNS) | frozenset(CUE_CHANNELS)) - {"report", "interview", "conference",
                                                                        "briefing", "video", "podcast"}
RECIPIENT_VERBS = frozenset("tell inform assure reassure brief warn".split())
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH_DAY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def annotate(doc, article, r) -> None:
    cue = doc[r.cue_token]
    r.channel = channel(cue)
    r.recipient = recipient(cue)
    r.date = date_of(cue, article.published)


def _modifiers(cue):
    """The cue's prepositional and adverbial modifiers ("on Telegram", "on Friday")."""
    for c in cue.children:
        if c.dep_ in ("prep", "agent", "npadvmod", "advmod", "tmod", "obl"):
            yield c


def channel(cue) -> str | None:
    if cue.lemma_.lower() in CUE_CHANNELS:
        return CUE_CHANNELS[cue.lemma_.lower()]
    for mod in _modifiers(cue):
        if mod.dep_ != "prep":
            continue
        for obj in (c for c in mod.children if c.dep_ == "pobj"):
            words = obj.text.lower()
            compound = " ".join(t.lower_ for t in obj.subtree if t.dep_ in ("compound", "pobj"))
            for key in (compound, words):
                if key in PLATFORMS:
                    return PLATFORMS[key]
            if obj.lemma_.lower() in CHANNEL_NOUNS:
                return CHANNEL_NOUNS[obj.lemma_.lower()]
    subject = next((c for c in cue.children if c.dep_ == "nsubj"), None)
    noun = subject.lemma_.lower() if subject is not None else None
    if noun in DOCUMENT_NOUNS and any(c.dep_ == "poss" for c in subject.children):  # "Trump's tweet said"
        return CUE_CHANNELS.get(noun) or CHANNEL_NOUNS.get(noun)
    return None


def recipient(cue) -> str | None:
    """"told Newsweek", "told The Wall Street Journal"."""
    if cue.lemma_.lower() not in RECIPIENT_VERBS:
        return None
    for c in cue.children:
        if c.dep_ in ("dobj", "dative", "iobj"):
            toks = [t for t in c.subtree if not t.is_punct]
            return " ".join(t.text for t in toks) if toks else None
    return None


def date_of(cue, published: str | None) -> dict | None:
    """The date the cue is anchored to: {"text", "value"} (value None when it cannot be normalised)."""
    for mod in _modifiers(cue):
        span = mod.doc[mod.left_edge.i: mod.right_edge.i + 1]
        if not any(t.ent_type_ in ("DATE", "TIME") for t in span) or len(span) > 6:
            continue
        return {"text": span.text, "value": normalise_date(span.text, published)}
    return None


def normalise_date(text: str, published: str | None) -> str | None:
    low = text.lower()
    anchor = _parse_iso(published)
    if (m := _ISO.search(text)):
        return m.group(0)
    if (m := _MONTH_DAY.search(text)) and m.group(1).lower().rstrip(".") in MONTHS:
        month, day = MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2))
        year = int(m.group(3)) if m.group(3) else (anchor.year if anchor else None)
        if year is None:
            return None
        try:
            value = dt.date(year, month, day)
        except ValueError:
            return None
        if not m.group(3) and anchor and value > anchor:
            try:
                value = value.replace(year=year - 1)
            except ValueError:  # "February 29" before the publication date of a year after a leap year
                return None
        return value.isoformat()
    if anchor is None:
        return None
    for i, name in enumerate(WEEKDAYS):
        if re.search(rf"\b{name}\b", low):
            return (anchor - dt.timedelta(days=(anchor.weekday() - i) % 7)).isoformat()
    if "yesterday" in low:
        return (anchor - dt.timedelta(days=1)).isoformat()
    if "today" in low:
        return anchor.isoformat()
    return None


def _parse_iso(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
