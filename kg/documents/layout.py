"""An article's layout: its paragraphs (one a line) and the parts that both the boilerplate
rules and the metadata rules look for: the headline, a "By ..." byline, an author bio near
the end, and the tail of teasers after a "Recent Posts"-style heading."""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Paragraph:
    """A non-blank line: where it is in the text, and its words."""

    start: int
    end: int
    text: str  # stripped

    @property
    def words(self) -> int:
        return len(self.text.split())


def split_paragraphs(text: str) -> list[Paragraph]:
    """Non-blank lines: scraped articles put one paragraph (or caption, or label) per line."""
    return [
        Paragraph(m.start(), m.end(), m.group().strip())
        for m in re.finditer(r"[^\n]+", text)
        if m.group().strip()
    ]


_CLOSERS = "\"'”’)]»"


def ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSERS).endswith(tuple(".!?:;,…"))


def _is_name(words: list[str]) -> bool:
    """2-4 capitalised words, as in "Ihor Petrenko" or "Jane M. Doe"."""
    return 2 <= len(words) <= 4 and all(
        word[0].isupper() and all(c.isalpha() or c in "'’.-" for c in word) for word in words
    )


def is_label(p: Paragraph) -> bool:
    """A short line that is no sentence: photo label, image credit, "4 days ago", section name."""
    return p.words <= 8 and not ends_sentence(p.text)


_TAIL_HEADING = re.compile(
    r"""(?ix)^(?:
        (?:recent|related|latest|popular|trending|recommended|top|most\ (?:read|popular|viewed|shared))
            (?:\ (?:posts|articles|stories|news|reads|videos))?
      | more\ (?:from|on|about|stories|news|articles)\b.{0,60}
      | read\ (?:more|next|also) | also\ read | see\ also | further\ reading
      | you\ (?:may|might)\ also\ (?:like|enjoy|be\ interested\ in)
    )\s*:?$"""
)


def tail_start(paragraphs: list[Paragraph]) -> int:
    """Index of a "Recent Posts"-style heading: from there on, teasers and links to other articles."""
    for index, p in enumerate(paragraphs[1:], start=1):
        if _TAIL_HEADING.match(p.text) and not ends_sentence(p.text.removesuffix(":")):
            return index
    return len(paragraphs)


_FIRST_PERSON = re.compile(r"^I(?:['’]m|['’]ve| am| have| was| write| cover| report| work)\b")


def author_bio(paragraphs: list[Paragraph]) -> tuple[int, int] | None:
    """(name line, bio paragraph) of an author bio in the second half of the article."""
    for index in range(len(paragraphs) // 2, len(paragraphs) - 1):
        name, bio = paragraphs[index].text, paragraphs[index + 1].text
        if ends_sentence(name) or not _is_name(name.split()):
            continue
        if _FIRST_PERSON.match(bio) or re.match(re.escape(name) + r" (?:is|was|has been) (?:a|an|the)\b", bio):
            return index, index + 1
    return None


def title_index(paragraphs: list[Paragraph]) -> int | None:
    """Index of the headline among the first three paragraphs (after a byline or labels), or None."""
    for index, p in enumerate(paragraphs[:3]):
        if byline_name(p.text):
            continue
        if _is_headline(p):
            return index if index + 1 < len(paragraphs) else None
        if not is_label(p):
            return None  # the article has begun without a headline
    return None


def _is_headline(p: Paragraph) -> bool:
    """Words enough, mostly words (not "Published October 25, 2024"), no full stop; "?" is fine."""
    return (
        4 <= p.words <= 25
        and sum(word.isalpha() for word in p.text.split()) >= 3
        and not p.text.rstrip(_CLOSERS).endswith(tuple(".,;:"))
    )


def byline_name(line: str) -> str | None:
    """The first author's name in a "By Jane Doe and John Roe" line, or None."""
    if not line.startswith("By ") or ends_sentence(line) or len(line.split()) > 12:
        return None
    first_author = re.split(r"\s*(?:,|\||—|–| and | & )\s*", line[3:])[0]
    return first_author if _is_name(first_author.split()) else None
