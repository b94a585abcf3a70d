"""Certainty and polarity of an attribution, from its cue and the hedges around it.

Values follow FactBank/GRaSP: certain, probable, possible, underspecified;
polarity negative for denials and non-confirmations ("denied", "has not
confirmed", "did not confirm") and for contents the source states negated
("claim that this is not true").
"""
from __future__ import annotations

from kg.extract import cues

POSSIBLE = frozenset("may might could possible possibly perhaps maybe conceivably potentially".split())
PROBABLE = frozenset("likely probably probable presumably apparently seemingly expected believed".split())
# A conditional claim ("if the information is confirmed, it will mean ...") is not certain either.
CONDITIONAL = frozenset({"if", "unless"})
NEGATIONS = frozenset("not n't never no".split())


def annotate(doc, r) -> None:
    cue = doc[r.cue_token]
    content = doc.char_span(r.content.start, r.content.end, alignment_mode="expand")
    words = {t.lower_ for t in content} if content is not None else set()
    words |= {c.lower_ for c in cue.children if c.dep_ in ("aux", "advmod")}
    r.certainty = certainty(cue, words)
    r.polarity = "negative" if _negative(cue, content) else "positive"


def certainty(cue, words: set[str]) -> str:
    if is_question(cue):
        return "underspecified"
    if words & POSSIBLE or words & CONDITIONAL:
        return "possible"
    if words & PROBABLE or cue.lemma_.lower() in cues.BELIEF_VERBS:
        return "probable"
    return "certain"


def is_question(cue) -> bool:
    """A question asked is neither affirmed nor denied."""
    return cue.lemma_.lower() in ("ask", "wonder", "question")


def _negative(cue, content) -> bool:
    negated = any(c.dep_ == "neg" for c in cue.children)
    if cue.lemma_.lower() in cues.DENIAL_VERBS:
        return not negated  # "has not denied" leaves the claim standing
    if negated:
        return True
    if content is None:
        return False
    root = content.root
    return any(c.dep_ == "neg" or c.dep_ in ("nsubj", "nsubjpass") and _has_no(c) for c in root.children)


def _has_no(subject) -> bool:
    """"no North Korean forces had been detected"."""
    return any(t.dep_ == "det" and t.lower_ == "no" for t in subject.children)
