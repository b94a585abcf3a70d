"""What the learned model sees of a candidate attribution: a flat {name: value} dict.

Names are strings such as "lemma=say" or "path=ccomp" (value 1.0) and numbers such
as "lex_precision" (the cue lexicon's ratio). Only words and parse labels go into
names, so the weights file holds no text of the training corpus.
"""
from __future__ import annotations

import math

from kg.extract import cues
from kg.extract.clauses import SOURCE_NOUNS
from kg.extract.quotes import is_quoted

PRONOUN_SOURCES = frozenset("i you he she we they it this that who".split())


def of(found, quotes, rules: dict, per_cue: dict) -> dict[str, float]:
    """The features of one candidate; `rules` maps the cue of every candidate in the article to the
    candidate with the patterns' own content (its "rule" variant). What depends on the cue alone is
    computed once per cue and kept in `per_cue`: a cue's boundary variants share it."""
    cue = found.anchor
    shared = per_cue.get(cue.i)
    if shared is None:
        quoted = is_quoted(quotes, cue.idx)
        shared = per_cue[cue.i] = {"bias": 1.0, f"pattern={found.pattern}": 1.0,
                                   f"path={found.pattern}:{found.path}": 1.0, **_cue_word(cue, quoted),
                                   **_lexicon(cue, quoted, found.pattern), **_source(found)}
    return {**shared, **_variant(found, rules[cue.i]), **_content(found, quotes), **_nesting(found, rules)}


def _variant(found, rule) -> dict[str, float]:
    """Which boundary this is (boundaries.py), beside what the parse gave: how much longer, and
    whether it runs to the sentence's end."""
    v = found.variant
    sent = found.anchor.sent
    last = max(found.content, default=sent.start)
    to_end = all(t.is_punct for t in sent.doc[last + 1:sent.end])
    grown = math.log((len(found.content) + 1) / (len(rule.content) + 1))
    return {f"variant={v}": 1.0, f"variant_path={v}|{found.path}": 1.0,
            f"variant_frame={v}|{cues.frame_of(found.anchor)}": 1.0,
            f"variant_lemma={v}|{found.anchor.lemma_.lower()}": 1.0, f"variant_dep={v}|{found.anchor.dep_}": 1.0,
            f"variant_end={v}|{to_end}": 1.0, f"variant_grown={v}": grown}


def _cue_word(cue, quoted: bool) -> dict[str, float]:
    lemma = cue.lemma_.lower()
    frame = cues.frame_of(cue)
    where = "quoted" if quoted else "embedded" if cues.is_embedded(cue) else "plain"
    return {
        f"lemma={lemma}": 1.0, f"tag={cue.tag_}": 1.0, f"dep={cue.dep_}": 1.0, f"frame={frame}": 1.0,
        f"where={where}": 1.0, f"lemma_frame={lemma}|{frame}": 1.0, f"lemma_where={lemma}|{where}": 1.0,
        f"frame_where={frame}|{where}": 1.0,
        "speech_verb": float(lemma in cues.SPEECH_VERBS), "belief_verb": float(lemma in cues.BELIEF_VERBS),
        "negated": float(any(c.dep_ == "neg" for c in cue.children)),
        "modal": float(any(c.tag_ == "MD" for c in cue.children)),
        "root": float(cue.dep_ == "ROOT"),
        "position": (cue.i - cue.sent.start) / max(1, len(cue.sent)),
    }


def _lexicon(cue, quoted: bool, pattern: str) -> dict[str, float]:
    """The counted lexicon as numbers: how often this word, so framed and placed, was a cue."""
    if pattern not in ("verb", "noun"):
        return {}
    stats = cues.lexicon().get(cues.key_of(cue, quoted))
    if stats is None or stats.total < cues.MIN_COUNT:
        return {"lex_unseen": 1.0}
    p = stats.precision
    return {"lex_precision": p, "lex_logit": math.log((stats.cue + 0.5) / (stats.total - stats.cue + 0.5)),
            "lex_log_count": math.log1p(stats.cue), f"lex_band={min(int(p * 5), 4)}": 1.0}


def _source(found) -> dict[str, float]:
    subj = found.source
    if subj is None:
        return {"source=none": 1.0}
    kind = "pron" if subj.pos_ == "PRON" or subj.lower_ in PRONOUN_SOURCES else subj.pos_.lower()
    words = {t.lemma_.lower() for t in subj.subtree}
    feats = {f"source={kind}": 1.0, f"source_ent={subj.ent_type_ or 'none'}": 1.0,
             "source_after_cue": float(subj.i > found.anchor.i),
             "source_noun": float(bool(words & SOURCE_NOUNS))}
    return feats


def _content(found, quotes) -> dict[str, float]:
    doc = found.anchor.doc
    ids = found.content - found.source_ids - {t.i for t in found.cue}
    if not ids:
        return {"content_empty": 1.0}
    toks = [doc[i] for i in sorted(ids)]
    in_quotes = [is_quoted(quotes, t.idx) for t in toks]
    quoted = sum(in_quotes) / len(toks)
    words = sum(not t.is_punct for t in toks)
    # words after the content's last quotation: a quotation's speaker seldom owns them
    last = max((n for n, q in enumerate(in_quotes) if q), default=None)
    tail = sum(not t.is_punct for t in toks[last + 1:]) if last is not None else 0
    head = next((t for t in toks if t.head.i not in ids or t.head.i == t.i), toks[0])
    first = next((t for t in toks if not t.is_punct), toks[0])
    return {
        f"content_head={head.lemma_.lower() if head.pos_ in ('NOUN', 'VERB') else head.pos_}": 1.0,
        f"content_head_dep={head.dep_}": 1.0,
        f"content_first={first.lower_ if first.is_stop else first.pos_}": 1.0,
        "content_log_len": math.log1p(words), f"content_len_band={min(words // 4, 6)}": 1.0,
        "content_quoted": quoted, "content_all_quoted": float(quoted > 0.9),
        "content_tail_after_quote": math.log1p(tail), f"content_tail_band={min(tail // 3, 4)}": float(last is not None),
        "content_has_verb": float(any(t.pos_ in ("VERB", "AUX") for t in toks)),
        "content_has_subject": float(any(t.dep_ in ("nsubj", "nsubjpass") for t in toks)),
        "content_that": float(toks[0].lower_ == "that"
                              or any(t.dep_ == "mark" and t.lower_ == "that" for t in toks[:2])),
        "content_before_cue": float(toks[-1].i < found.anchor.i),
        "content_pron_only": float(words <= 2 and any(t.pos_ == "PRON" for t in toks)),
    }


def _nesting(found, cue_ids) -> dict[str, float]:
    """Whether the cue sits inside another candidate's reach, or heads one's content. `cue_ids`: the
    cues of the article's candidates (any container; looked up, never copied: once per candidate)."""
    cue = found.anchor
    return {"head_is_cue": float(cue.head.i != cue.i and cue.head.i in cue_ids),
            "content_holds_cue": float(any(i != cue.i and i in cue_ids for i in found.content))}
