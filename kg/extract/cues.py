"""Attribution cues: which words introduce who-said-what.

The lexicon is data (cue_lexicon.tsv), counted from PolNeAR train by
bench/build_cue_lexicon.py: for each lemma, part of speech and syntactic frame,
how often it headed a gold cue and how often it occurred. A token is a cue when
that ratio clears a threshold, or when its lemma is in the small hand list of
speech, belief and accusation verbs below (which the issue names and which a
political corpus may under-sample).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from kg.extract.words import PLATFORMS

LEXICON_PATH = Path(__file__).with_name("cue_lexicon.tsv")

# A frame is precise enough to trust when at least this share of its occurrences
# in the training corpus were gold cues, and it was seen as a cue this often.
MIN_PRECISION = 0.40
MIN_COUNT = 3

# Verbs of saying, believing and accusing that always count when they take a
# clause or a quote, whatever the corpus saw.
SPEECH_VERBS = frozenset("""
    say tell add state claim report write tweet post announce confirm deny warn accuse believe
    think assert insist argue explain note suggest allege acknowledge admit reveal disclose
    discover find conclude estimate predict caution stress emphasize reiterate repeat declare
    maintain contend testify recall remark observe comment reply respond answer ask question
    doubt fear hope expect suspect assess indicate show mention describe complain concede agree
    disagree dispute reject dismiss refute urge demand promise pledge vow threaten boast brag
    speculate guess understand learn hear know realize recognize charge blame
    quip blurt joke exclaim retort muse scoff lament read continue shout yell scream whisper mutter
""".split())

# Lemmas that deny or refuse the content: polarity negative.
DENIAL_VERBS = frozenset("deny refute reject dismiss dispute contradict".split())

# Belief and inference verbs: the source holds the content, not as a certainty.
BELIEF_VERBS = frozenset("believe think suspect assess estimate expect guess speculate fear hope suggest".split())

CLAUSAL = ("ccomp",)


def frame_of(tok) -> str:
    """The syntactic frame of a candidate cue: what it governs, or how it hangs."""
    deps = {c.dep_ for c in tok.children}
    if deps & set(CLAUSAL):
        return "ccomp"
    if tok.dep_ == "parataxis":
        return "parataxis"
    if "xcomp" in deps:
        return "xcomp"
    if "dobj" in deps:
        return "dobj"
    if "acl" in deps or "prep" in deps:
        return "prep"
    return "none"


@dataclass(frozen=True)
class CueStats:
    cue: int
    total: int

    @property
    def precision(self) -> float:
        return self.cue / self.total if self.total else 0.0


@functools.lru_cache(maxsize=None)
def lexicon(path: str | None = None) -> dict[tuple[str, str, str, str], CueStats]:
    """(lemma, pos, frame, "quoted"|"embedded"|"plain") -> counts."""
    table = {}
    with open(path or LEXICON_PATH, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            lemma, pos, frame, where, cue, total = line.rstrip("\n").split("\t")
            table[(lemma, pos, frame, where)] = CueStats(int(cue), int(total))
    return table


def key_of(tok, quoted: bool) -> tuple[str, str, str, str]:
    """The lexicon key: lemma, part of speech, frame, and where the word stands: inside a
    quotation, inside the reported clause of a speech verb ("he said he hoped ..."), or plain."""
    pos = "NOUN" if tok.pos_ == "NOUN" else "VERB"
    where = "quoted" if quoted else "embedded" if is_embedded(tok) else "plain"
    return tok.lemma_.lower(), pos, frame_of(tok), where


def is_embedded(tok) -> bool:
    """Whether a speech verb's clausal complement contains the word."""
    node = tok
    for _ in range(8):
        head = node.head
        if head is node:
            return False
        if node.dep_ == "ccomp" and head.lemma_.lower() in SPEECH_VERBS:
            return True
        node = head
    return False


def cue_score(tok, quoted: bool = False) -> float | None:
    """How often `tok`, in its frame and where it stands, introduced an attribution in the
    training corpus (0..1); None when the corpus says too little."""
    stats = lexicon().get(key_of(tok, quoted))
    if stats is None or stats.total < MIN_COUNT:
        return None
    return stats.precision


def is_verb(tok) -> bool:
    """A verb; or a speech verb the tagger took for a noun heading its sentence and governing a
    clause ("Sinclair states that ...", "The post read: “...”")."""
    if tok.pos_ in ("VERB", "AUX"):
        return True
    return tok.dep_ == "ROOT" and tok.tag_ in ("NN", "NNS") and tok.lemma_.lower() in SPEECH_VERBS \
        and any(c.dep_ == "ccomp" for c in tok.children)


def is_speech_verb(tok) -> bool:
    return (tok.lemma_.lower() in SPEECH_VERBS or posts_on_a_platform(tok)) and is_verb(tok)


def posts_on_a_platform(tok) -> bool:
    """"took to Twitter", "went to Telegram": a post."""
    if tok.lemma_.lower() not in ("take", "go"):
        return False
    to = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "to"), None)
    obj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
    return obj is not None and " ".join(t.lower_ for t in obj.subtree if not t.is_punct) in PLATFORMS
