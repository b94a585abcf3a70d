"""Documents: files, JSONL corpora and HTML pages in, `Article` objects out.

First stage of the pipeline. Nothing here knows about NLP or RDF.

    for doc in iter_documents(["corpus.jsonl", "pages/"]):
        if isinstance(doc, InputError):
            print(doc)      # "pages/x.txt: empty file"; the batch goes on
        else:
            ...             # an Article

What a reader guarantees:

* Offsets downstream point into `Article.text`: the file as decoded (newlines
  normalised to "\\n"), or for HTML the text trafilatura extracted.
* `Article.body` is `text` with boilerplate (teasers, bios, captions) blanked to
  spaces: the same length, so the same offsets.
* A document that cannot be read becomes an `InputError` whose str() is one line
  ("path[:line]: message"), yielded in its place: the batch goes on.
  `read_article` raises it instead, as a `DocumentError`.

The modules, each importing only those before it: records (`Article`,
`InputError`, `DocumentError`); layout (paragraphs, headline, byline, bio);
boilerplate and metadata (what to blank; title, author, publisher, date);
readers (files and directories to `Article`s); this file (the entry points).
"""
from __future__ import annotations

import hashlib
import os
from typing import Iterable, Iterator

from kg.documents.boilerplate import blank_boilerplate
from kg.documents.metadata import infer_author, infer_publisher, infer_title, normalise_date
from kg.documents.readers import (NotRegularFile, file_suffix, files_under, make_article, open_regular,
                                  os_error_message, read_path)
from kg.documents.parts import Part, plan
from kg.documents.records import Article, DocumentError, InputError
from kg.text import fold

__all__ = [
    "Article", "InputError", "DocumentError", "iter_documents", "iter_parts", "Part", "plan", "read_article",
    "article_from_text", "os_error_message", "open_regular", "NotRegularFile", "normalise_date", "blank_boilerplate", "infer_title",
    "infer_author", "infer_publisher",
]

ARTICLE_FIELDS = ("path", "publisher", "title", "url", "published", "author")


def iter_documents(paths: Iterable[str | os.PathLike] | str | os.PathLike) -> Iterator[Article | InputError]:
    """Articles from .txt/.jsonl/.html files and directories, streamed; bad input yields an `InputError`.

    Ids are unique in what one call yields: a file in a directory is named by its path below it
    ("2023/report"), and an id read again (a JSONL line repeating one, two files named alike on
    the command line) is an `InputError` for the later input: the first is kept, never replaced."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]  # one path, not an iterable of its characters
    return _unique(_read_all(map(os.fspath, paths)))


def iter_parts(parts: Iterable[Part]) -> Iterator[tuple[Article | InputError, int | None]]:
    """The articles of parts of the corpus (kg.documents.parts.plan) as iter_documents reads them, ids
    unique within what one call yields, each with the line of its .jsonl file (None: a whole file)."""
    return _unique((pair for part in parts for pair in read_path(part.path, part.root, part.span)), lines=True)


def _unique(pairs: Iterable[tuple[Article | InputError, int | None]], lines: bool = False) -> Iterator:
    first: dict[str, str] = {}  # id -> where it was read
    for doc, line in pairs:
        if isinstance(doc, Article):
            if doc.id in first:
                doc = InputError(str(doc.path), f"duplicate id {fold(doc.id, 80)!r} (also {first[doc.id]})", line)
            else:
                first[doc.id] = f"{doc.path}:{line}" if line else str(doc.path)
        yield (doc, line) if lines else doc


def _read_all(paths: Iterable[str]) -> Iterator[tuple[Article | InputError, int | None]]:
    for path in paths:
        if os.path.isdir(path):
            for found in files_under(path):
                if isinstance(found, InputError):
                    yield found, None
                else:
                    yield from read_path(found, root=path)
        else:
            yield from read_path(path)


def read_article(path: str | os.PathLike) -> Article:
    """The article in one .txt or .html file; raises `DocumentError` if it cannot be read."""
    path = os.fspath(path)
    if os.path.isdir(path) or file_suffix(path) == ".jsonl":
        message = "read_article reads one .txt or .html file; use iter_documents for corpora"
        raise DocumentError(InputError(path, message))
    result, _ = next(read_path(path))
    if isinstance(result, InputError):
        raise DocumentError(result)
    return result


def article_from_text(text: str, id: str | None = None, **meta) -> Article:
    """An `Article` from a string; `publisher`, `title`, `url`, `published`, `author`, `path`
    become fields, any other keyword goes to `Article.meta`. The default id hashes the text."""
    fields = {name: meta.pop(name) for name in ARTICLE_FIELDS if name in meta}
    return make_article(text, id=id or "sha1-" + hashlib.sha1(text.encode()).hexdigest()[:12], meta=meta, **fields)
