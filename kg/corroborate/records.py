"""A claim as the grouping sees it (ClaimRecord: plain values, no store), and how the members of a
group count as independent sources (counting, statements, count_members): what the grouping
(kg.corroborate.grouping), the store side (kg.corroborate.groups) and the listing
(kg.corroborate.listing) share.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kg.resolve import is_proper_name
from kg.vocab import KG

UNNAMED_TYPES = frozenset({str(KG.AnonymousSource), str(KG.Group)})
# The resolver's type of last resort: a capitalised phrase whose words say no kind ("The spot said").
UNTYPED = frozenset({str(KG.Organization)})
UNNAMED = "unnamed:"                       # + the publisher's (or the article's) IRI: its unnamed sources
# Why a member is no independent source (claims() gives it as notCounted).
NO_SOURCE = "no source"
NOT_NAMED_OR_TYPED = "its source is neither named nor typed"


@dataclass(frozen=True, slots=True)  # slots: no dict per record
class ClaimRecord:
    claim: str                       # the kg:Claim IRI
    text: str
    attribution: str = ""            # the attribution whose claim it is
    top: str = ""                    # the top-level attribution of its chain
    source: str | None = None        # the original source agent (end of the chain), if any
    source_type: str | None = None   # its class IRI
    article: str = ""
    publisher: str | None = None
    polarity: str | None = None
    source_label: str | None = None  # the source agent's label: whether it has a name
    start: int | None = None         # where the claim's words begin and end in the article (the first
    end: int | None = None           # fragment's begin, the last one's end)
    certainty: str | None = None
    evidence_start: int | None = None  # where the sentence the claim was found in begins and ends
    evidence_end: int | None = None
    original: str = ""               # the attribution at the end of its chain (the claim's own when equal)
    cue: str | None = None           # the attribution's cue words ("has not confirmed": "confirmed")
    published: str | None = None     # the article's date (xsd:date or xsd:dateTime text): the grouping's window

    @property
    def is_original(self) -> bool:
        """Whether the claim is its chain's original statement, not a relay's restatement of it."""
        return not self.original or self.attribution == self.original


def counting(record: ClaimRecord) -> tuple[str | None, str | None]:
    """What a member counts as among the independent sources of its group, or why it does not:
    (key, None) or (None, reason). The key is the original source agent (a relay counts as the
    source it cites), or for anonymous and collective sources "unnamed:" and the publisher's IRI
    (the article's without one). A member counts only if its source is an agent with a name or a
    type: a claim without one (NO_SOURCE) vouches for nothing, nor does an agent the resolver knew
    neither by name nor by kind (NOT_NAMED_OR_TYPED: "The spot", a kg:Organization of no proper
    name). The same key twice is one source: restatements of one source, in one article or several."""
    if not record.source:
        return None, NO_SOURCE
    if record.source_type in UNNAMED_TYPES:
        return UNNAMED + (record.publisher or record.article), None
    if (record.source_type is None or record.source_type in UNTYPED) and not is_proper_name(record.source_label or ""):
        return None, NOT_NAMED_OR_TYPED
    return record.source, None


def independent_key(record: ClaimRecord) -> str | None:
    """What a member counts as on its own (see counting); None when it is no independent source."""
    return counting(record)[0]


def statements(records: list[ClaimRecord]) -> list[list[int]]:
    """The members of one group (indexes into `records`) as statements: in one article, claims whose
    words overlap are one statement told through nested speakers, though no citing chain links them
    ("Merrill said that Clinton called Machado to express gratitude": Merrill's claim holds
    Clinton's); each other claim is a statement of its own. In article order."""
    by_article: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        by_article[r.article].append(i)
    out = []
    for article in sorted(by_article):
        current, reach = [], -1
        for i in sorted(by_article[article], key=lambda i: (records[i].start is None, records[i].start or 0,
                                                            records[i].claim)):
            r = records[i]
            if r.start is not None and current and r.start < reach:   # overlaps the statement so far
                current.append(i)
                reach = max(reach, r.end)
                continue
            if current:
                out.append(current)
            current, reach = [i], (r.end if r.start is not None else -1)
        out.append(current)
    return out


def count_members(records: list[ClaimRecord]) -> list[tuple[str | None, str | None, int | None]]:
    """How each member of one group counts: (key, why not, the member its statement is credited to
    when that is another one). A statement (see statements) is one source, however many speakers
    tell it: its narrowest member that counts (the innermost speaker, as a relay counts as the
    source it cites), so its other members, restating it, add none; a statement in which no member
    counts is no source. The group's independent sources are the distinct keys."""
    own = [counting(r) for r in records]
    out: list = [None] * len(records)
    for statement in statements(records):
        counted = [i for i in statement if own[i][0] is not None]
        if not counted:
            for i in statement:
                out[i] = (None, own[i][1], None)
            continue
        inner = min(counted, key=lambda i: ((records[i].end or 0) - (records[i].start or 0), records[i].claim))
        for i in statement:
            out[i] = (own[inner][0], None, None if own[i][0] == own[inner][0] else inner)
    return out


def independent_sources(records: list[ClaimRecord]) -> int:
    """The independent sources of one group's members (count_members)."""
    return len({key for key, _, _ in count_members(records)} - {None})
