"""The records of the documents stage: `Article` (what a reader yields), `InputError` (a document
that could not be read, yielded in its place) and `DocumentError` (the same, raised)."""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import KgError


@dataclass
class Article:
    """One news article.

    `text` is the article as read (offsets in every record point into it);
    `body` is the same string, the same length, with boilerplate (teaser lists,
    author bios, captions, comment notices) blanked to spaces, so the extractor
    never sees it but offsets stay valid.
    """

    id: str
    text: str
    body: str = ""
    path: str | None = None
    publisher: str | None = None
    title: str | None = None
    url: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) when known
    author: str | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.body:
            self.body = self.text
        if len(self.body) != len(self.text):
            raise ValueError("Article.body must have the length of Article.text")


@dataclass
class InputError:
    """A document that could not be read: reported, then the batch goes on."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class DocumentError(KgError):
    """Raised by `read_article`; `.error` is the `InputError` that `iter_documents` would yield."""

    def __init__(self, error: InputError):
        super().__init__(str(error))
        self.error = error
