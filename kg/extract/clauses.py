"""Attributions anchored on a cue word in the dependency parse.

One function per pattern; each takes a spaCy sentence and returns `Found`
candidates (tokens, not yet character spans):

- verb cues:    X said (that) C · C, X said · X told Y C · X wrote on P that C · X accused Y of C
- "according to X, C" and "C, according to X"
- noun cues:    X's claim that C · a New York Times report that C
- chains:       O reported, citing S, that C  (the citing record is found here; linking is in chains.py)
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.extract import cues
from kg.extract.quotes import (CLOSING_MARKS, OPENING_MARKS, is_quoted, quote_closing_at, quote_ending_at,
                               quote_starting_at, reads_as_title)
from kg.extract.spans import doc_text, subtree_ids

SUBJECTS = ("nsubj", "nsubjpass", "csubj")
IMPERSONAL = frozenset({"seem", "appear"})
# Heads whose subject a participle or coordinated verb shares ("..., saying C", "said A and added B").
INHERITS_SUBJECT = ("conj", "advcl", "xcomp", "acl", "acomp")
# Words after "citing" that name a source, so that "citing X" starts a chain rather
# than naming evidence ("citing low growth").
SOURCE_NOUNS = frozenset("""
    intelligence official officials source sources researcher researchers report reports
    analyst analysts expert experts agency ministry service services government spokesman
    spokeswoman spokesperson people person diplomat diplomats data study survey poll polls
    document documents media newspaper outlet statement assessment estimate estimates
""".split())
SOURCE_ENTS = frozenset({"ORG", "PERSON", "NORP", "GPE"})
CITING = frozenset({"cite", "quote"})  # "citing X", "quoting X": a relay, or evidence
TOPIC_PREPOSITIONS = frozenset({"about", "regarding", "concerning"})  # what a source phrase is about
MIN_SCORE = cues.MIN_PRECISION
# The lexicon precision below which a word is not even a candidate: keeps the candidate set
# (and the model's work) bounded while letting the long tail of weak cues through.
CANDIDATE_FLOOR = 0.05


@dataclass
class Found:
    """A candidate attribution in token terms."""

    cue: list  # tokens of the cue ("said", "according to")
    content: set[int]  # token indices
    source: object | None = None  # the head token of the source phrase
    source_ids: set[int] = field(default_factory=set)
    pattern: str = "verb"
    cites: "Found | None" = None  # the record this one relays (chains)
    path: str = ""  # how the content was reached (ccomp, inverted, parenthetical, ...): a model feature
    variant: str = "rule"  # the patterns' own content, or an alternative boundary (boundaries.py)

    @property
    def anchor(self):
        return self.cue[0]


def subject_of(tok, depth: int = 0):
    """The holder of a cue verb: its subject, the agent of a passive ("was accused by X"),
    or the subject of the verb it hangs from ("..., saying C", "by announcing C")."""
    if depth == 0 and tok.lemma_.lower() in IMPERSONAL:
        return None  # "it seems", "the campaign appeared to": the appearance has no holder
    for c in tok.children:
        if c.dep_ in ("nsubj", "csubj") and not c.is_punct and not _inside_quotation_before(c, tok):
            return c  # (a dash the parser made a subject is no one)
        if c.dep_ == "nsubjpass":
            if depth > 0:  # "After saying C, she was taken to ...": the main clause's subject speaks
                return c
            # the subject of a passive cue is what is talked about
            by = next((a for a in tok.children if a.dep_ == "agent"), None)
            return next((o for o in by.children if o.dep_ == "pobj"), None) if by is not None else None
    if depth == 0 and tok.tag_ == "VBN":  # "Asked about X, ...": the asker is not the subject
        return None
    for c in tok.lefts:  # "Baerbock said ...": an unfamiliar name the parser took for a modifier
        if c.pos_ == "PROPN" and c.dep_ in ("advmod", "npadvmod", "dep", "nmod") and c.i + 1 == tok.i:
            return c
        if tok.pos_ == "NOUN" and c.dep_ == "compound" and c.i + 1 == tok.i:  # "Sinclair states": tagged a noun
            return c
    if depth == 0 and cues.is_speech_verb(tok) and any(c.dep_ == "ccomp" and c.i < tok.i for c in tok.children):
        # "“...,” quipped Green": after its quotation, a rarer verb's speaker parsed as its object
        named = next((c for c in tok.rights if c.dep_ == "dobj" and c.left_edge.i == tok.i + 1
                      and (c.pos_ == "PROPN" or c.ent_type_ in SOURCE_ENTS)), None)
        if named is not None:
            return named
    if depth == 0 and tok.tag_ == "VBG" and tok.i > 0 and tok.nbor(-1).text == ",":
        # "X denied the reports that Y backed up, saying C": a participle after a comma
        # speaks for the main clause, however deep the parser hung it.
        head = tok.head
        while head.dep_ in ("acl", "relcl", "dobj", "pobj", "prep", "attr") and head.head is not head:
            head = head.head
        if head is not tok.head:
            return subject_of(head, depth + 1)
    if depth < 3 and tok.dep_ in ("pcomp", "pobj", "prep") and tok.head is not tok:
        return subject_of(tok.head, depth + 1)
    if depth < 3 and tok.dep_ in INHERITS_SUBJECT and tok.head is not tok:
        if tok.dep_ == "acl" and tok.head.pos_ not in ("VERB", "AUX"):  # "officials saying C": the noun speaks
            noun = tok.head
            named = noun.ent_type_ in SOURCE_ENTS or noun.lemma_.lower() in SOURCE_NOUNS
            if named or noun.pos_ == "PRON":
                return noun
            if tok.tag_ == "VB" and noun.dep_ == "dobj":  # "X missed no chance to remind C": X's chance
                return subject_of(noun.head, depth + 1)
            return None
        return subject_of(tok.head, depth + 1)
    return None


def _inside_quotation_before(subj, verb) -> bool:
    """"“... Full stop,” said Jane Doe": the parser made the quotation's last words a subject of
    the verb that follows it; a quotation mark between them says they are the quotation's."""
    return subj.i < verb.i and any(t.text in CLOSING_MARKS for t in subj.doc[subj.right_edge.i + 1:verb.i])


def source_ids(head) -> set[int]:
    """The source phrase: the subject's subtree without trailing relative clauses, nor what it is
    about ("intelligence about North Korea's participation": the source is the intelligence)."""
    if head is None:
        return set()
    return subtree_ids(head, exclude=[c for c in head.children if c.dep_ == "relcl" or c.dep_ == "prep"
                                      and c.i > head.i and c.lemma_.lower() in TOPIC_PREPOSITIONS])


def cue_tokens(verb) -> list:
    """The cue: the verb with its particle ("pointed out")."""
    return [verb] + [c for c in verb.children if c.dep_ == "prt"]


def _subtrees(verb, deps: tuple[str, ...]) -> set[int]:
    """Token indices of the subtrees of the verb's children with these dependencies."""
    return set().union(*(subtree_ids(c) for c in verb.children if c.dep_ in deps))


def verb_content_path(verb) -> tuple[set[int], str]:
    """What the verb attributes (its clause, object or prepositional complement), and the path that
    reached it ("ccomp", "inverted", ...; "" for none)."""
    clauses = _subtrees(verb, ("ccomp",))
    if clauses:
        return clauses, "ccomp"
    # "C, X said" is sometimes parsed with C as the head and the cue hanging off it.
    if _inverted(verb):
        return subtree_ids(verb.head, exclude=[verb]) - {t.i for t in verb.head.children if t.dep_ == "punct"}, \
            "inverted"
    frame = cues.frame_of(verb)
    # "O reported, citing S, that C": the parser often hangs the that-clause off "citing".
    for c in verb.children:
        if c.lemma_.lower() in CITING and c.dep_ in ("advcl", "conj"):
            clause = next((cc for cc in c.children if cc.dep_ == "ccomp"), None)
            if clause is not None:
                return subtree_ids(clause), "citing_clause"
    # "wrote on X, formerly Twitter, that C": the that-clause parsed as hanging off the platform.
    stray = _stray_that_clause(verb)
    if stray is not None:
        return subtree_ids(stray), "stray_that"
    if frame == "xcomp":
        return _subtrees(verb, ("xcomp", "dobj")), "xcomp"
    if frame == "dobj":  # "called Mr. Obama's remarks a wake-up call": the object and what it is called
        return _subtrees(verb, ("dobj", "oprd")), "dobj"
    if frame == "prep" and not cues.posts_on_a_platform(verb):  # "took to Twitter": the channel
        for c in verb.children:
            if c.dep_ == "prep" and c.lemma_ not in ("on", "in", "at", "during", "after", "before", "with"):
                return subtree_ids(c), "prep"
    return set(), ""


def _stray_that_clause(verb):
    """A clause opened by the conjunction "that" inside the verb's modifiers ("on X, that C")."""
    for mod in verb.children:
        if mod.dep_ not in ("prep", "npadvmod", "appos") or mod.i < verb.i:
            continue
        for tok in mod.subtree:
            if tok.dep_ in ("relcl", "acl", "ccomp") and any(
                    m.dep_ == "mark" and m.lower_ == "that" and m.i < tok.i for m in tok.children):
                return tok
    return None


def _inverted(verb) -> bool:
    """"C, X said" or "A, X said, B": the cue hangs off its clause, set off by a comma or quote."""
    if verb.dep_ not in ("parataxis", "ccomp", "advcl") or verb.head is verb:
        return False
    subj = subject_of(verb)
    first = subj.left_edge if subj is not None and subj.i < verb.i else verb
    if first.i == 0 or first.nbor(-1).text not in {",", "\u201d", '"', "''", "\u2019"}:
        return False
    if verb.i > verb.head.i:
        return verb.dep_ != "advcl"
    last = _cue_end(verb)  # parenthetical: the clause goes on after ", X said,"
    return last + 1 < len(verb.doc) and verb.doc[last + 1].text == ","


def _cue_end(verb) -> int:
    """The last token of "X said (in a statement)", its own trailing punctuation left out."""
    return max([verb.i] + [c.right_edge.i for c in verb.children
                           if c.i > verb.i and c.dep_ in ("prep", "npadvmod", "advmod", "prt")])


def is_verb_cue(tok, quoted: bool = False) -> bool:
    if not cues.is_verb(tok) or tok.lower_ == "according":  # "according to" has its own rule
        return False
    score = cues.cue_score(tok, quoted)
    speech = cues.is_speech_verb(tok) and cues.frame_of(tok) in ("ccomp", "parataxis")
    if score is None:  # the corpus says too little: speech verbs from the hand list, governing a clause
        return not quoted and speech
    if score < MIN_SCORE and speech and not quoted and cues.is_embedded(tok):
        # PolNeAR seldom marks a cue inside another's reported clause ("he said he hoped"), but a
        # chain needs it when a different, named source holds the inner claim ("A wrote that his
        # country's intelligence believed that C").
        return names_a_source(subject_of(tok))
    return score >= MIN_SCORE


def names_a_source(subj) -> bool:
    if subj is None or subj.pos_ == "PRON":
        return False
    words = {t.lemma_.lower() for t in subj.subtree}
    return subj.ent_type_ in SOURCE_ENTS or bool(words & SOURCE_NOUNS)


def is_verb_candidate(tok, quoted: bool = False) -> bool:
    """The generous gate in front of the learned model: any verb the lexicon saw head a cue at
    least CANDIDATE_FLOOR of the time, and every speech verb; the model decides which are cues."""
    if not cues.is_verb(tok) or tok.lower_ == "according":
        return False
    score = cues.cue_score(tok, quoted)
    return cues.is_speech_verb(tok) or score is not None and score >= CANDIDATE_FLOOR


def verb_cues(sent, quotes, gate=is_verb_cue) -> list[Found]:
    """Verb-anchored candidates: every verb the gate lets through that the patterns give a content."""
    found = []
    for tok in sent:
        if not gate(tok, is_quoted(quotes, tok.idx)) or tok.lemma_.lower() in CITING and _citing_chain(tok):
            continue
        subj = subject_of(tok)
        if subj is not None and is_quoted(quotes, subj.idx) and not is_quoted(quotes, tok.idx):
            subj = None  # "“... We will rebuild,” Doe said": inherited from inside the quotation
        source = source_ids(subj)
        if subj is None:
            subj, source = _name_after_quote(tok, quotes)
        content, path = verb_content_path(tok)
        if not content:
            content, path = _parenthetical(tok, subj), "parenthetical"
        if not content:
            content, path = _adjacent_quote(tok, source, quotes), "adjacent_quote"
        if not content or _a_title(tok.doc, content, quotes):
            continue
        content -= source | cue_participles(content, tok)
        found.append(Found(cue_tokens(tok), content, subj, source, path=path))
    return found


def _a_title(doc, content: set[int], quotes) -> bool:
    """"appeared on Jones' “Morning Roundup.”": a content that is one quoted name or title after a
    preposition or a possessive, not anyone's words."""
    words = [doc[i] for i in sorted(content) if not doc[i].is_punct]
    if not words or not all(is_quoted(quotes, t.idx) for t in words) or not reads_as_title([t.text for t in words]):
        return False
    j = words[0].i - 1
    while j >= 0 and doc[j].text in OPENING_MARKS:
        j -= 1
    if j < 0:
        return False
    before = doc[j]  # "on “The Evening Hour”", "Jones' “Morning Roundup”"
    return before.pos_ == "ADP" or before.tag_ == "POS" or before.text in ("'", "’") and j > 0 and doc[j - 1].pos_ == "PROPN"


NAME_POS = frozenset({"PROPN", "NOUN", "DET", "ADJ", "NUM", "PART"})


def _name_after_quote(verb, quotes):
    """"“C,” Springfield fire Chief Jane Doe said Monday": a noun phrase between a quotation's end and
    its speech verb that the parser did not make the verb's subject. (head token, ids) or (None, set())."""
    if not cues.is_speech_verb(verb):
        return None, set()
    doc = verb.doc

    def closes_a_quote(tok) -> bool:
        return quote_closing_at(quotes, tok.idx + len(tok)) is not None

    i = verb.i - 1
    while i >= verb.sent.start and (doc[i].pos_ in NAME_POS or doc[i].is_title or doc[i].text in ".-") \
            and not closes_a_quote(doc[i]):
        i -= 1
    if i < 0 or not closes_a_quote(doc[i]) or i == verb.i - 1:
        return None, set()
    ids = set(range(i + 1, verb.i))
    head = max((doc[j] for j in ids if doc[j].pos_ in ("PROPN", "NOUN")), key=lambda t: t.i, default=None)
    return (head, ids) if head is not None else (None, set())


def _parenthetical(verb, subj) -> set[int]:
    """"The museum, Mr. Bush said, celebrated ...": the sentence around a cue set off by commas."""
    if subj is None or subj.i > verb.i or cues.frame_of(verb) != "none" and verb.dep_ != "ROOT":
        return set()
    doc, sent = verb.doc, verb.sent
    first, last = subj.left_edge.i, _cue_end(verb)
    if first <= sent.start or last + 1 >= sent.end or doc[first - 1].text != ",":
        return set()
    if doc[last + 1].text == ",":  # "A, X said, B"
        return {t.i for t in sent if not first - 1 <= t.i <= last + 1}
    if doc[last + 1].is_sent_end or doc[last + 1].i == sent.end - 1:  # "A, X said."
        return {t.i for t in sent if t.i < first - 1}
    return set()


def cue_participles(content: set[int], verb) -> set[int]:
    """", citing X" / ", saying X" at the edge of a content: another attribution, not this one's words."""
    out = set()
    for i in content:
        tok = verb.doc[i]
        if tok.dep_ == "advcl" and tok.tag_ == "VBG" and tok.i > 0 and tok.nbor(-1).text == "," \
                and tok.lemma_.lower() in cues.SPEECH_VERBS | CITING:
            out |= {t.i for t in tok.subtree} | {tok.i - 1}
    return out


def _adjacent_quote(verb, source: set[int], quotes) -> set[int]:
    """A quotation right before or after "he said" that the parse did not attach to the verb."""
    if not cues.is_speech_verb(verb) and (cues.cue_score(verb) or 0) < 0.5:
        return set()
    doc, text = verb.doc, doc_text(verb.doc)
    cluster = [verb, doc[_cue_end(verb)]] + [doc[i] for i in source]  # "said in a statement: “...”"
    start = min(t.idx for t in cluster)
    end = max(t.idx + len(t) for t in cluster)
    q = quote_ending_at(text, quotes, start) or quote_starting_at(text, quotes, end)
    span = doc.char_span(*q, alignment_mode="expand") if q else None
    return {t.i for t in span} if span is not None else set()


def _relayed_by(tok):
    """The cue verb that "citing X" relays for: its head, or the cue whose clause the parser hung it in
    ("O reported, citing S, that C" parsed with "citing" under C)."""
    for verb in (tok.head, tok.head.head if tok.head.dep_ == "ccomp" else None):
        if verb is not None and verb is not tok and (is_verb_cue(verb) or cues.is_speech_verb(verb)):
            return verb
    return None


def _citing_chain(tok):
    """The object of "citing X" when X names a source and a cue relays it, or when the citer is
    the source of "according to" ("according to the Times' source, who cited X")."""
    relays = tok.dep_ in ("advcl", "conj", "acl") and _relayed_by(tok) is not None or tok.dep_ == "relcl" \
        and tok.head.dep_ == "pobj" and tok.head.head.head.lower_ == "according"
    if not relays:
        return None
    for c in tok.children:
        if c.dep_ == "dobj" and (c.lemma_.lower() in SOURCE_NOUNS or c.ent_type_ in SOURCE_ENTS):
            return c
    return None


def citing_chains(sent, found: list[Found]) -> list[Found]:
    """"O reported, citing S, that C": a record for S's claim, which O's record relays."""
    by_cue = {f.anchor.i: f for f in found}
    chains = []
    for tok in sent:
        if tok.lemma_.lower() not in CITING:
            continue
        cited = _citing_chain(tok)
        relay = _relayed_by(tok)
        outer = by_cue.get(relay.i) if relay is not None else None
        if cited is None or outer is None:
            continue
        content = outer.content - subtree_ids(tok, exclude=[c for c in tok.children if c.dep_ == "ccomp"])
        inner = Found([tok], content, cited, source_ids(cited), pattern="citing")
        outer.content = content
        outer.cites = inner
        chains.append(inner)
    return chains


def according_to(sent) -> list[Found]:
    """"According to X, C" / "C, according to X"."""
    found = []
    for tok in sent:
        if tok.lower_ != "according":
            continue
        to = next((c for c in tok.children if c.lower_ == "to"), None)
        src = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
        if src is None:
            continue
        head = tok.head
        content = subtree_ids(head, exclude=[tok]) if head is not tok else set()
        content -= {c.i for c in head.children if c.dep_ == "punct" and c.text in ",;"}
        if content:
            found.append(Found([tok, to], content, src, source_ids(src), pattern="according_to"))
        # "according to the Times' source, who cited intelligence": the source relays another
        for rel in src.children:
            if rel.lemma_.lower() in CITING:
                cited = _citing_chain(rel)
                if cited is not None and found:
                    inner = Found([rel], set(content), cited, source_ids(cited), pattern="citing")
                    found[-1].cites = inner
                    found.append(inner)
    return found


def noun_cues(sent, quotes, floor: float = MIN_SCORE) -> list[Found]:
    """"X's claim that C", "a Times report that C", "reports that C"."""
    found = []
    for tok in sent:
        if tok.pos_ != "NOUN" or (cues.cue_score(tok, is_quoted(quotes, tok.idx)) or 0) < floor:
            continue
        clause = next((c for c in tok.children if c.dep_ in ("acl", "ccomp", "relcl")
                       and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)), None)
        if clause is None:
            continue
        src = next((c for c in tok.children if c.dep_ == "poss"), None)
        if src is None:
            src = next((c for c in tok.children if c.dep_ == "compound" and c.pos_ == "PROPN"), None)
        if src is None:
            by = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("by", "from")), None)
            src = next((c for c in by.children if c.dep_ == "pobj"), None) if by is not None else None
        found.append(Found([tok], subtree_ids(clause), src, source_ids(src), pattern="noun"))
    return found
