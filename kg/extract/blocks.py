"""Long articles in bounded blocks, so that the work per article is linear in its length.

spaCy's memory grows with the length of one Doc (2 MB of news: 5.8 GB), and several of the rules
compare each record with the others of its article (quotations, chains, coreference), so an
article parsed whole costs more than linearly. An article longer than `BLOCK_CHARS` is cut into
blocks at paragraph breaks (within an over-long paragraph at a sentence end, then at a space),
each parsed and extracted as an article of its own; the records are then shifted back to the
article's offsets and numbered on. An article up to `BLOCK_CHARS` (every PolNeAR document,
33.7 KB at most) is one block: its records are exactly those of a whole parse. What is lost at a
cut: a pronoun or a quotation that reaches back across it.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Iterator

from kg.documents import Article
from kg.extract.records import Attribution, Span

BLOCK_CHARS = 40_000
# Where a block may end, best first: a paragraph break, a sentence end, any space.
_CUTS = ("\n", ". ", " ")


def texts(articles: Iterable[Article]) -> Iterator[tuple[str, tuple[Article, int, Article, bool]]]:
    """What to parse for each article: (body, (article, offset, block, last block?)) per block."""
    for article in articles:
        parts = split(article)
        for n, (offset, block) in enumerate(parts, 1):
            yield block.body, (article, offset, block, n == len(parts))


def split(article: Article) -> list[tuple[int, Article]]:
    """(offset, block) pairs that cover the article; the article itself when it is short."""
    text = article.text
    if len(text) <= BLOCK_CHARS:
        return [(0, article)]
    bounds, start = [], 0
    while len(text) - start > BLOCK_CHARS:
        end = _cut(text, start, start + BLOCK_CHARS)
        bounds.append((start, end))
        start = end
    bounds.append((start, len(text)))
    return [(s, replace(article, text=text[s:e], body=article.body[s:e], meta=dict(article.meta)))
            for s, e in bounds]


def _cut(text: str, start: int, end: int) -> int:
    """The end of a block starting at `start` that may run to `end`: after the last break of the
    best kind in its second half (so that no block is tiny), else at `end`."""
    for sep in _CUTS:
        at = text.rfind(sep, (start + end) // 2, end)
        if at >= 0:
            return at + len(sep)
    return end


def merge(article: Article, parts: list[tuple[int, list[Attribution]]]) -> list[Attribution]:
    """The records of an article's blocks as the article's own: offsets shifted by each block's,
    ids numbered on (`cites` follows), in block order."""
    if len(parts) == 1 and parts[0][0] == 0:
        return parts[0][1]
    out: list[Attribution] = []
    for offset, records in parts:
        ids = {r.id: f"{article.id}#a{len(out) + n}" for n, r in enumerate(records, 1)}
        for r in records:
            r.id = ids[r.id]
            r.cites = ids.get(r.cites, r.cites)
            r.cue_token = None  # a token of the block's parse, which is gone
            for name in ("cue", "content", "sentence", "content_anaphor"):
                setattr(r, name, _shift(getattr(r, name), offset))
            if r.source is not None:
                r.source.mention = _shift(r.source.mention, offset)
        out += records
    return out


def _shift(span: Span | None, offset: int) -> Span | None:
    if span is None or offset == 0:
        return span
    return Span(span.start + offset, span.end + offset, span.text,
                tuple((s + offset, e + offset) for s, e in span.fragments))
