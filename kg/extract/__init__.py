"""Extraction: Article -> [Attribution]. spaCy parse + rules; no RDF here.

    records = extract(article)                      # one article
    for article, records in extract_articles(it):   # a stream, batched, optionally in N processes
        ...

The stages inside, in order: find candidates in each sentence (clauses.py),
extend contents over quotations (quotes.py), link chains (chains.py), resolve
sources and pointing contents within the article (coref.py), then certainty,
polarity (hedging.py), channel, recipient and date (context.py).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Iterator

from kg.documents import Article
from kg.extract import blocks, boundaries, chains, clauses, context, coref, features, hedging, layout, model
from kg.extract.quotes import continuations, find_quotes, is_quoted, quote_ending_at, title_quotation
from kg.extract.records import Attribution, Source, Span
from kg.extract.spans import drop_caches, from_fragments, to_span, use_text

__all__ = ["Attribution", "Span", "Source", "extract", "extract_articles", "attributions_in", "document_record"]


def extract(article: Article | str) -> list[Attribution]:
    """The attribution records of one article (a plain string is taken as the article text)."""
    if isinstance(article, str):
        article = Article(id="text", text=article)
    return next(extract_articles([article]))[1]


def extract_articles(articles: Iterable[Article], jobs: int = 1, batch_size: int = 16
                     ) -> Iterator[tuple[Article, list[Attribution]]]:
    """Stream (article, records): parsed in batches, in `jobs` processes; nothing held beyond a batch.
    A long article is parsed and extracted in blocks (blocks.py)."""
    from kg.extract import nlp

    model.load()  # a missing or broken model file stops here, before any parsing
    docs = nlp.parse(blocks.texts(articles), jobs=jobs, batch_size=batch_size)
    try:
        parts: list = []
        for doc, (article, offset, block, last) in docs:
            parts.append((offset, attributions_in(doc, block)))
            if last:
                yield article, blocks.merge(article, parts)
                parts = []
    finally:
        docs.close()  # the worker processes stop now, also on an error, not when this is collected


def document_record(article: Article, records: list[Attribution]) -> dict:
    """One output document (kg extract's json/jsonl): the article's metadata and its records."""
    return {
        "doc_id": article.id,
        "path": article.path,
        "publisher": article.publisher,
        "author": article.author,
        "title": article.title,
        "published": article.published,
        "attributions": [r.to_dict() for r in records],
    }


def attributions_in(doc, article: Article) -> list[Attribution]:
    """All records of one parsed article."""
    use_text(doc, article.text)
    try:
        return _attributions(doc, article)
    finally:
        # The per-document caches hold spans that point back at the doc: a reference cycle that
        # would keep every parsed doc alive until the cycle collector runs (peak RSS grew with
        # the corpus). Records keep only offsets and strings.
        drop_caches(doc)


def candidates_in(doc, article: Article) -> list[tuple[Attribution, dict[str, float]]]:
    """Every candidate record the rules propose (each boundary variant one), none judged, with its
    model features (for training)."""
    use_text(doc, article.text)
    try:
        candidates: list = []
        _attributions(doc, article, candidates)
        return candidates
    finally:
        drop_caches(doc)


def _candidates(doc, article: Article, quotes) -> list[clauses.Found]:
    """What the patterns give, generously: the model decides which are attributions."""
    found: list[clauses.Found] = []
    for sent in doc.sents:
        verb = clauses.verb_cues(sent, quotes, gate=clauses.is_verb_candidate)
        found += verb + clauses.citing_chains(sent, verb) + clauses.according_to(sent)
        found += clauses.noun_cues(sent, quotes, floor=clauses.CANDIDATE_FLOOR) + layout.colon_speakers(sent)
    found += layout.dash_signatures(doc, article.body)
    return boundaries.with_variants(chains.drop_duplicates(found), quotes)


def _attributions(doc, article: Article, keep_all: list | None = None) -> list[Attribution]:
    """The records; with `keep_all` (a list), every candidate is kept and put there with its features."""
    quotes = find_quotes(article.body)
    found = _candidates(doc, article, quotes)
    rules = {f.anchor.i: f for f in found if f.variant == "rule"}
    per_cue: dict = {}
    scored = [(f, features.of(f, quotes, rules, per_cue)) for f in found]
    if keep_all is None:
        found = _judged(scored, quotes)
    records = [_record(doc, article, f, quotes, n) for n, f in enumerate(found, 1)]
    by_found = {id(f): r for f, r in zip(found, records)}
    chains.link(found, by_found)
    if keep_all is not None:
        keep_all += [(r, feats) for r, (_, feats) in zip(records, scored) if r is not None]
    records = [r for r in records if r is not None]
    _continue_quotes(article.text, quotes, records)
    coref.resolve(doc, article, records, quotes)
    for r in records:
        hedging.annotate(doc, r)
        context.annotate(doc, article, r)
    if keep_all is not None:
        return records  # the candidates as the rules give them: what the model is trained on
    records += _follow_on_quotes(article, quotes, records)
    return _one_speaker_per_quote(article.text, quotes, records)


def _judged(scored, quotes) -> list[clauses.Found]:
    """Per cue, the boundary variant the model finds best, kept when the model takes it for an
    attribution; and the links of chains the rules vouch for: PolNeAR seldom marks the claim a relay
    passes on ("O reported, citing S, that C"), but the graph needs it."""
    judge = model.load()
    variants: dict[int, list] = {}
    for f, feats in scored:  # the rules' own variant comes first: it wins ties
        variants.setdefault(f.anchor.i, []).append((f, feats))
    ranked = {cue: sorted(group, key=lambda v: -judge.boundary_score(v[1])) for cue, group in variants.items()}
    chosen = {cue: group[0][0] for cue, group in ranked.items() if judge.keeps(group[0][1])}
    for cue in list(chosen):  # a wider boundary may not swallow the words of another kept cue
        chosen[cue] = next(f for f, _ in ranked[cue] if f.variant == "rule" or not any(
            _similar(f.content, g.content) for c, g in chosen.items() if c != cue))
    rules = [group[0][0] for group in variants.values()]
    rule_cues = [f for f in rules if f.pattern == "verb" and clauses.is_verb_cue(f.anchor, is_quoted(quotes, f.anchor.idx))]
    kept = {id(f) for f in chosen.values()}
    cited = {id(g.cites) for g in rules if g.cites is not None}
    nests = chains.nesting(rule_cues)
    return [f for f, _ in scored if id(f) in kept
            or f.variant == "rule" and f.anchor.i not in chosen and _chain_link(f, set(chosen), cited, nests)]


def _similar(a: set[int], b: set[int]) -> bool:
    return len(a & b) >= 0.5 * len(a | b)


def _chain_link(f: clauses.Found, kept: set[int], cited: set[int], nests: dict[int, tuple[list, list]]) -> bool:
    """A citing record or one a rule cites (`cited`); or either end of a nested chain the rules
    see ("A wrote that B believed that C"): both cues pass the rules' gate (`nests` holds those,
    chains.nesting) and the inner one names its own source. `kept` holds the cues the model kept."""
    if f.pattern == "citing" or id(f) in cited:
        return True
    if id(f) not in nests:
        return False
    inner_of, outer_of = nests[id(f)]
    return clauses.names_a_source(f.source) and any(g.anchor.i in kept for g in inner_of) or \
        any(clauses.names_a_source(g.source) for g in outer_of)


def _record(doc, article: Article, f: clauses.Found, quotes, n: int) -> Attribution | None:
    cue_ids = {t.i for t in f.cue}
    content = to_span(doc, f.content - cue_ids - f.source_ids)
    if content is None:
        return None
    content, kind = _over_quotes(article.text, content, f, quotes)
    source = None
    if f.source is not None:
        mention = to_span(doc, f.source_ids)
        if mention is not None:
            source = Source(mention, name=mention.text)
    cue = to_span(doc, cue_ids, strip_edge_punct=False)
    sent = f.anchor.sent
    sentence = to_span(doc, range(sent.start, sent.end), strip_edge_punct=False)
    return Attribution(id=f"{article.id}#a{n}", source=source, cue=cue, content=content, kind=kind,
                       sentence=sentence, meta={"pattern": f.pattern}, cue_token=f.anchor.i)


def _continue_quotes(text: str, quotes, records: list[Attribution]) -> None:
    """"“A,” she said. “B.”" / "A, she said. “B.”": quotations that go on after a record in its
    paragraph, with no other speaker's cue in between, are its content too."""
    for r in records:
        def taken(start, end, me=r):
            return any(o is not me and o.cue and start <= o.cue.start < end
                       and not is_quoted(quotes, o.cue.start) for o in records)
        pos = max(r.content.end, r.cue.end if r.cue else 0, r.source.mention.end if r.source else 0)
        more = continuations(text, quotes, pos, taken)
        # "“A,” he told the host, “B.”": the parse gave B; A closes right before the speaker.
        start = min(r.cue.start if r.cue else r.content.start, r.source.mention.start if r.source else r.content.start)
        before = quote_ending_at(text, quotes, start)
        if before and r.content.start > start and not title_quotation(text, before) and not any(
                o is not r and o.content.start < before[1] and before[0] < o.content.end for o in records):
            more.append(before)
        if more:
            r.content = from_fragments(text, [*r.content.parts, *more])
            r.kind = "mixed" if r.kind == "indirect" else r.kind
            r.meta["continued"] = more  # taken on from the paragraph, not given by the parse


def _follow_on_quotes(article: Article, quotes, records: list[Attribution]) -> list[Attribution]:
    """"“A,” Horneland said.¶“B.”": a paragraph that is one quotation and nothing else, right after a
    paragraph where someone was quoted, and no other cue between, goes on with that speaker."""
    text, out, n = article.text, [], len(records)
    for qs, qe in quotes:
        start, end = text.rfind("\n", 0, qs) + 1, (text.find("\n", qe) + 1 or len(text) + 1) - 1
        if text[start:qs].strip() or text[qe:end].strip() or start == 0:
            continue  # not a paragraph of its own
        if any(r.content.start < qe and qs < r.content.end for r in records + out):
            continue  # already someone's words
        before = text.rfind("\n", 0, len(text[:start].rstrip())) + 1  # the paragraph before
        last = max((r for r in records + out if before <= r.content.end <= start), default=None,
                   key=lambda r: r.content.end)
        if last is None or last.kind == "indirect" or last.source is None or any(
                r is not last and r.cue and last.content.end <= r.cue.start < qs for r in records):
            continue
        n += 1
        quote = from_fragments(text, [(qs, qe)])
        out.append(Attribution(id=f"{article.id}#a{n}", source=replace(last.source), cue=None, content=quote,
                               kind="direct", sentence=quote, certainty=last.certainty,
                               meta={"pattern": "follow-on"}))
    return out


def _one_speaker_per_quote(text: str, quotes, records: list[Attribution]) -> list[Attribution]:
    """A quotation is one speaker's words: where records whose cues stand outside it all claim it
    (a quotation extended to two neighbouring speakers, or one speaker's two cues), the record whose
    cue stands nearest keeps it and the others lose it; one left with no words goes, unless a chain
    holds it. Records inside the quotation (attributions it quotes) are left alone."""
    cited = {r.cites for r in records if r.cites}
    for qs, qe in quotes:
        claims = [r for r in records if r.cue and r.content and not qs <= r.cue.start < qe
                  and any(s < qe and qs < e for s, e in r.content.parts)]
        if len(claims) < 2:
            continue
        # the parse's claim before a continuation's, then the cue nearest the quotation
        keep = min(claims, key=lambda r: ((qs, qe) in r.meta.get("continued", ()),
                                          min(abs(r.cue.start - qe), abs(r.cue.end - qs))))
        for r in claims:
            if r is keep:
                continue
            left = from_fragments(text, [piece for part in r.content.parts for piece in _without(part, (qs, qe))])
            if left is not None or not (r.id in cited or r.cites):  # a chain keeps its record whole
                r.content = left
    return [r for r in records if r.content is not None]


def _without(part: tuple[int, int], hole: tuple[int, int]) -> list[tuple[int, int]]:
    """What is left of a fragment outside a hole."""
    (s, e), (hs, he) = part, hole
    return [(a, b) for a, b in ((s, min(e, hs)), (max(s, he), e)) if b > a]


def _over_quotes(text: str, content: Span, f: clauses.Found, quotes) -> tuple[Span, str]:
    """Extend a content to the whole quotations it touches (a quote spans sentences the parser split)."""
    cue_at = f.anchor.idx
    frags = list(content.parts)
    touched = []
    for qs, qe in quotes:
        if qs <= cue_at < qe:
            continue  # the cue itself is quoted: an attribution inside someone's quote
        if any(qs < e and s < qe for s, e in frags):
            touched.append((qs, qe))
    if not touched:
        return content, "indirect"
    extended = from_fragments(text, frags + touched)
    quoted = sum(e - s for s, e in touched)
    total = sum(e - s for s, e in extended.parts)
    return extended, "direct" if quoted >= 0.9 * total else "mixed"
