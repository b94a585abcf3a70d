"""The attribution record: what extract hands to resolve and rdf.

One record per cue, PolNeAR-compatible (source / cue / content spans with
character offsets into the article text), with `cites` linking chains.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of the article text; `fragments` for discontinuous spans."""

    start: int
    end: int
    text: str
    fragments: tuple[tuple[int, int], ...] = ()

    @property
    def parts(self) -> tuple[tuple[int, int], ...]:
        """The fragments, or the whole span when it is continuous."""
        return self.fragments or ((self.start, self.end),)

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "spans": [list(f) for f in self.parts]}


@dataclass
class Source:
    """Who holds or states the content.

    `mention` is the words in the sentence ("he", "the White House official");
    `name` is what they refer to within the article ("Sean Savett"); `type` and
    `role` are filled where the text says.
    """

    mention: Span
    name: str
    type: str | None = None
    role: str | None = None
    entity: str | None = None  # IRI of the canonical entity, set by kg.resolve

    def to_dict(self) -> dict:
        d = self.mention.to_dict()
        d.pop("spans")
        d.update(name=self.name, type=self.type, role=self.role)
        if self.entity:
            d["entity"] = self.entity
        return d


@dataclass
class Attribution:
    id: str
    source: Source | None
    cue: Span | None
    content: Span
    kind: str  # "direct" (quoted), "indirect", or "mixed"
    cites: str | None = None
    channel: str | None = None
    recipient: str | None = None
    date: dict | None = None  # {"text": "on October 8", "value": "2024-10-08" | None}
    certainty: str = "certain"  # certain / probable / possible / underspecified
    polarity: str = "positive"  # positive / negative
    sentence: Span | None = None  # the evidence: the sentence(s) the record came from
    # A content that only points back ("this", "the reports") is replaced by what it points at;
    # the words themselves are kept here.
    content_anaphor: Span | None = None
    meta: dict = field(default_factory=dict)  # what found it: {"pattern": "according_to"}, for debugging
    # The cue's token in the parsed doc (hedging and context read the parse around it); not output.
    cue_token: int | None = None
    # IRIs set by kg.resolve: the platform of the channel ("on X"), the entity told ("told Newsweek")
    channel_entity: str | None = None
    recipient_entity: str | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "source": self.source.to_dict() if self.source else None,
            "cue": self.cue.to_dict() if self.cue else None,
            "content": self.content.to_dict(),
            "kind": self.kind,
            "cites": self.cites,
            "channel": self.channel,
            "recipient": self.recipient,
            "date": self.date,
            "certainty": self.certainty,
            "polarity": self.polarity,
            "sentence": self.sentence.to_dict() if self.sentence else None,
            "content_anaphor": self.content_anaphor.to_dict() if self.content_anaphor else None,
            **{k: v for k, v in (("channel_entity", self.channel_entity),
                                 ("recipient_entity", self.recipient_entity)) if v},
        }
