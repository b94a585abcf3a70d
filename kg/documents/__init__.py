"""Documents: files, JSONL corpora and HTML pages in, `Article` objects out.

First stage of the pipeline. Nothing here knows about NLP or RDF.

    for doc in iter_documents(["corpus.jsonl", "pages/"]):
        if isinstance(doc, InputError):
            print(doc)      # "pages/x.txt: empty file"; the batch goes on
        else:
            ...             # an Article

Offsets downstream point into `Article.text`: the file as decoded (newlines
normalised to "\\n"), or for HTML the text trafilatura extracted.
"""
from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Iterable, Iterator

import charset_normalizer
import trafilatura
from dateutil import parser as dateparser

from kg.documents.records import Article, DocumentError, InputError

MAX_BYTES = 10_000_000  # per document: a .txt or .html file, or one JSONL text
SUFFIXES = (".txt", ".jsonl", ".html", ".htm")
MAX_MESS = 0.1  # charset-normalizer "chaos" above which a guessed decoding is not trusted
ARTICLE_FIELDS = ("path", "publisher", "title", "url", "published", "author")


class _Refused(Exception):
    """A document is refused; the message is one user-facing line."""


# --- entry points -----------------------------------------------------------


def iter_documents(paths: Iterable[str | os.PathLike] | str | os.PathLike) -> Iterator[Article | InputError]:
    """Articles from .txt/.jsonl/.html files and directories, streamed; bad input yields an `InputError`."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]  # one path, not an iterable of its characters
    for path in map(os.fspath, paths):
        if os.path.isdir(path):
            for found in _files_under(path):
                if isinstance(found, InputError):
                    yield found
                else:
                    yield from _read_path(found)
        else:
            yield from _read_path(path)


def read_article(path: str | os.PathLike) -> Article:
    """The article in one .txt or .html file; raises `DocumentError` if it cannot be read."""
    path = os.fspath(path)
    if os.path.isdir(path) or _suffix(path) == ".jsonl":
        message = "read_article reads one .txt or .html file; use iter_documents for corpora"
        raise DocumentError(InputError(path, message))
    result = next(_read_path(path))
    if isinstance(result, InputError):
        raise DocumentError(result)
    return result


def article_from_text(text: str, id: str | None = None, **meta) -> Article:
    """An `Article` from a string; `publisher`, `title`, `url`, `published`, `author`, `path`
    become fields, any other keyword goes to `Article.meta`. The default id hashes the text."""
    fields = {name: meta.pop(name) for name in ARTICLE_FIELDS if name in meta}
    return _make_article(text, id=id or "sha1-" + hashlib.sha1(text.encode()).hexdigest()[:12], meta=meta, **fields)


# --- files and directories --------------------------------------------------


def _files_under(directory: str) -> Iterator[str | InputError]:
    """Supported files below `directory`, depth first in name order; hidden entries skipped."""
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as error:
        yield InputError(directory, os_error_message(error))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):  # not following links rules out cycles
            yield from _files_under(entry.path)
        elif _suffix(entry.name) in SUFFIXES:
            yield entry.path


def _read_path(path: str) -> Iterator[Article | InputError]:
    try:
        suffix = _suffix(path)
        if suffix == ".jsonl":
            yield from _read_jsonl(path)
        elif suffix == ".txt":
            yield _make_article(_decode(_read_bytes(path)), id=_stem(path), path=path)
        elif suffix in (".html", ".htm"):
            yield _read_html(path)
        else:
            os.stat(path)  # a missing file is reported as missing, not as unsupported
            raise _Refused(f"unsupported file type '{suffix}' (expected .txt, .jsonl, .html or .htm)")
    except _Refused as refused:
        yield InputError(path, str(refused))
    except OSError as error:
        yield InputError(path, os_error_message(error))


def _read_bytes(path: str) -> bytes:
    """The whole file, refused before reading if larger than MAX_BYTES or empty."""
    size = os.stat(path).st_size
    if size > MAX_BYTES:
        raise _Refused(_too_large(size))
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)  # the file may have grown since stat()
    if len(data) > MAX_BYTES:
        raise _Refused(_too_large(len(data)))
    if not data.strip():
        raise _Refused("empty file")
    return data


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _require_text(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise _Refused("invalid UTF-16 text") from None
    if b"\x00" in data:
        raise _Refused("binary file, not text")
    try:
        return _require_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return _require_text(_decode_legacy(data))


def _decode_legacy(data: bytes) -> str:
    # cp1252 is tried first: it is the usual non-UTF-8 news encoding, and
    # charset-normalizer's own pick is often a sibling code page (cp852, cp1250)
    # that turns its curly quotes into letters.
    cp1252 = charset_normalizer.from_bytes(data, cp_isolation=["cp1252"]).best()
    if cp1252 is not None and cp1252.chaos <= MAX_MESS:
        return str(cp1252)
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise _Refused("binary file, not text")
    if best.chaos > MAX_MESS or not best.coherence:
        raise _Refused("not UTF-8 text and the encoding could not be detected")
    return str(best)


def _require_text(text: str) -> str:
    if not text.strip():
        raise _Refused("empty file")
    return text


def _read_html(path: str) -> Article:
    page = trafilatura.bare_extraction(
        _read_bytes(path), include_comments=False, include_tables=False, with_metadata=True
    )
    if page is None:
        raise _Refused("no article text found in HTML")
    article = _make_article(
        page.text or "", id=_stem(path), path=path, publisher=page.sitename, title=page.title,
        url=page.url, published=page.date, author=page.author,
    )
    if not article.body.strip():  # what trafilatura kept is only a menu ("Home")
        raise _Refused("no article text found in HTML")
    return article


def _read_jsonl(path: str) -> Iterator[Article | InputError]:
    """One article per line; a bad line yields an `InputError` with its line number."""
    found_any = False
    with open(path, "rb") as f:
        for lineno, line in _numbered_lines(f):
            if line is not None and not line.strip():
                continue
            found_any = True
            if line is None:
                yield InputError(path, f"line too large (more than {_mb(_max_line_bytes())} MB)", lineno)
                continue
            if b"\x00" in line:
                yield InputError(path, "binary file, not text", lineno)
                return
            try:
                yield _jsonl_article(line, path, lineno)
            except _Refused as refused:
                yield InputError(path, str(refused), lineno)
    if not found_any:
        yield InputError(path, "empty file")


def _max_line_bytes() -> int:
    # JSON escapes can make a text up to 6x longer (\uXXXX); beyond that, a
    # line is more likely a whole corpus on one line than one article.
    return 6 * MAX_BYTES


def _numbered_lines(f: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) pairs; None stands for a line too long to read, which is skipped."""
    limit = _max_line_bytes()
    lineno = 0
    while line := f.readline(limit + 1):
        lineno += 1
        if len(line) <= limit:
            yield lineno, line
            continue
        while line and not line.endswith(b"\n"):
            line = f.readline(1 << 20)
        yield lineno, None


def _jsonl_article(line: bytes, path: str, lineno: int) -> Article:
    try:
        record = json.loads(line.decode("utf-8").lstrip("\ufeff"))
    except UnicodeDecodeError:
        raise _Refused("not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise _Refused(f"invalid JSON: {error.msg} at column {error.colno}") from None
    except RecursionError:
        raise _Refused("invalid JSON: nested too deeply") from None
    if not isinstance(record, dict):
        raise _Refused(f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if text is None:
        raise _Refused('missing "text" field')
    if not isinstance(text, str):
        raise _Refused(f'"text" must be a string, not {type(text).__name__}')
    if not text.strip():
        raise _Refused("empty text")
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise _Refused(_too_large(size, what="text"))
    record_id = record.get("id", record.get("doc_id"))
    used = {"id", "doc_id", "text", "publisher", "title", "url", "published", "publication_date", "date", "author"}
    return _make_article(
        text,
        id=f"{_stem(path)}:{lineno}" if record_id in (None, "") else str(record_id),
        path=path,
        publisher=_string(record, "publisher"),
        title=_string(record, "title"),
        url=_string(record, "url"),
        published=_string(record, "published", "publication_date", "date"),
        author=_string(record, "author"),
        meta={key: value for key, value in record.items() if key not in used},
    )


def _string(record: dict, *keys: str) -> str | None:
    """The first non-blank string among `keys`."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _suffix(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def _mb(size: int) -> str:
    return f"{size / 1e6:g}"


def _too_large(size: int, what: str = "file") -> str:
    return f"{what} too large ({size / 1e6:.1f} MB > {_mb(MAX_BYTES)} MB limit)"


def os_error_message(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file or directory"
    if isinstance(error, PermissionError):
        return "cannot read: permission denied"
    return f"cannot read: {(error.strerror or str(error)).lower()}"


# --- building an Article ----------------------------------------------------


def _make_article(
    text: str, *, id: str, path: str | None = None, publisher: str | None = None, title: str | None = None,
    url: str | None = None, published: str | None = None, author: str | None = None, meta: dict | None = None,
) -> Article:
    """Metadata given wins; what is missing is inferred from the text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Article(
        id=id, text=text, body=blank_boilerplate(text), path=path,
        publisher=publisher or infer_publisher(text),
        title=title or infer_title(text),
        url=url,
        published=normalise_date(published) if published else None,
        author=author or infer_author(text),
        meta=meta or {},
    )


def normalise_date(raw: str) -> str:
    """YYYY-MM-DD when `raw` names a full date, else `raw` unchanged (stripped)."""
    raw = raw.strip()
    try:
        return datetime.fromisoformat(raw).date().isoformat()
    except ValueError:
        pass
    try:
        # Parsing against two different defaults shows whether year, month and
        # day all came from the string ("October 2024" must not become a day).
        first = dateparser.parse(raw, default=datetime(2000, 1, 1))
        second = dateparser.parse(raw, default=datetime(2001, 2, 2))
    except (ValueError, OverflowError):
        return raw
    return first.date().isoformat() if first.date() == second.date() else raw


# --- paragraphs ---------------------------------------------------------------


@dataclass(frozen=True)
class _Paragraph:
    start: int
    end: int
    text: str  # stripped

    @property
    def words(self) -> int:
        return len(self.text.split())


def _paragraphs(text: str) -> list[_Paragraph]:
    """Non-blank lines: scraped articles put one paragraph (or caption, or label) per line."""
    return [
        _Paragraph(m.start(), m.end(), m.group().strip())
        for m in re.finditer(r"[^\n]+", text)
        if m.group().strip()
    ]


_CLOSERS = "\"'”’)]»"


def _ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSERS).endswith(tuple(".!?:;,…"))


def _is_content(p: _Paragraph) -> bool:
    """A real news paragraph: a full sentence of some length."""
    return _ends_sentence(p.text) and p.words > 12


def _is_name(words: list[str]) -> bool:
    """2-4 capitalised words, as in "Ihor Petrenko" or "Jane M. Doe"."""
    return 2 <= len(words) <= 4 and all(
        word[0].isupper() and all(c.isalpha() or c in "'’.-" for c in word) for word in words
    )


# --- boilerplate --------------------------------------------------------------

_TAIL_HEADING = re.compile(
    r"""(?ix)^(?:
        (?:recent|related|latest|popular|trending|recommended|top|most\ (?:read|popular|viewed|shared))
            (?:\ (?:posts|articles|stories|news|reads|videos))?
      | more\ (?:from|on|about|stories|news|articles)\b.{0,60}
      | read\ (?:more|next|also) | also\ read | see\ also | further\ reading
      | you\ (?:may|might)\ also\ (?:like|enjoy|be\ interested\ in)
    )\s*:?$"""
)
_FIRST_PERSON = re.compile(r"^I(?:['’]m|['’]ve| am| have| was| write| cover| report| work)\b")
_CAPTION_START = re.compile(
    r"(?i)^(?:this (?:illustrative |handout |file |undated )?(?:image|photo|photograph|picture)\b"
    r"|in this (?:image|photo|photograph|picture)\b|photo:|image:|caption:|pictured\b|file photo\b)"
)
_CREDIT_END = re.compile(
    r"(?:(?i:\b(?:photo|photograph|image|picture)s?\s*(?:by|credit|:)\s*:?)[^.!?]{1,80}"
    r"|/\s*(?:Getty Images|AFP|AP|Reuters|EPA|Shutterstock|Bloomberg)\b[^.!?]{0,30}"
    r"|\bGetty Images|\bShutterstock(?:\.com)?|\bAlamy(?: Stock Photo)?)\)?\s*$"
)
_TRAILER = re.compile(
    r"(?i)^(?:comments are closed|read the (?:rest|full (?:story|article))|share this (?:article|story|post|page)"
    r"|sign up (?:for|to)\b|follow us on\b|click here\b|subscribe\b|copyright (?:© ?)?\d{4}|©)"
    r"|all rights reserved"
)


def blank_boilerplate(text: str) -> str:
    """`text` with boilerplate paragraphs replaced by spaces: same length, newlines kept."""
    paragraphs = _paragraphs(text)
    pieces, done = [], 0
    for index in sorted(_boilerplate(paragraphs)):
        p = paragraphs[index]
        pieces += [text[done:p.start], re.sub(r"[^\r\n]", " ", text[p.start:p.end])]
        done = p.end
    return "".join(pieces) + text[done:]


def _boilerplate(paragraphs: list[_Paragraph]) -> set[int]:
    """Indices of the paragraphs to blank."""
    tail = _tail_start(paragraphs)
    article = paragraphs[:tail]
    blank = set(range(tail, len(paragraphs)))
    blank.update(_bio(article) or ())
    blank.update(_duplicates(article))
    title = _title_index(article)  # a headline is a short line that stays
    for index, p in enumerate(article):
        if (_is_label(p) and index != title) or _is_caption(p) or _TRAILER.search(p.text):
            blank.add(index)
    return blank


def _tail_start(paragraphs: list[_Paragraph]) -> int:
    """Index of a "Recent Posts"-style heading: from there on, teasers and links to other articles."""
    for index, p in enumerate(paragraphs[1:], start=1):
        if _TAIL_HEADING.match(p.text) and not _ends_sentence(p.text.removesuffix(":")):
            return index
    return len(paragraphs)


def _bio(paragraphs: list[_Paragraph]) -> tuple[int, int] | None:
    """(name line, bio paragraph) of an author bio in the second half of the article."""
    for index in range(len(paragraphs) // 2, len(paragraphs) - 1):
        name, bio = paragraphs[index].text, paragraphs[index + 1].text
        if _ends_sentence(name) or not _is_name(name.split()):
            continue
        if _FIRST_PERSON.match(bio) or re.match(re.escape(name) + r" (?:is|was|has been) (?:a|an|the)\b", bio):
            return index, index + 1
    return None


def _duplicates(paragraphs: list[_Paragraph]) -> set[int]:
    """Repeated paragraphs (a caption printed twice): every copy, but the first of a repeated news paragraph."""
    counts = Counter(p.text for p in paragraphs)
    seen: set[str] = set()
    blank = set()
    for index, p in enumerate(paragraphs):
        if counts[p.text] > 1 and (p.text in seen or not _is_content(p)):
            blank.add(index)
        seen.add(p.text)
    return blank


def _is_label(p: _Paragraph) -> bool:
    """A short line that is no sentence: photo label, image credit, "4 days ago", section name."""
    return p.words <= 8 and not _ends_sentence(p.text)


def _is_caption(p: _Paragraph) -> bool:
    return bool(_CAPTION_START.match(p.text) or _CREDIT_END.search(p.text))


# --- metadata from the text -----------------------------------------------------


def infer_title(text: str) -> str | None:
    """A headline among the short lines that open the text ("USA" / "The US concerned about ..."), if any."""
    paragraphs = _paragraphs(text)
    index = _title_index(paragraphs)
    return None if index is None else paragraphs[index].text


def _title_index(paragraphs: list[_Paragraph]) -> int | None:
    for index, p in enumerate(paragraphs[:3]):
        if _byline(p.text):
            continue
        if _is_headline(p):
            return index if index + 1 < len(paragraphs) else None
        if not _is_label(p):
            return None  # the article has begun without a headline
    return None


def _is_headline(p: _Paragraph) -> bool:
    """Words enough, mostly words (not "Published October 25, 2024"), no full stop; "?" is fine."""
    return (
        4 <= p.words <= 25
        and sum(word.isalpha() for word in p.text.split()) >= 3
        and not p.text.rstrip(_CLOSERS).endswith(tuple(".,;:"))
    )


def infer_author(text: str) -> str | None:
    """The name in a "By Jane Doe" byline near the top, or above an author bio near the end."""
    paragraphs = _paragraphs(text)
    for p in paragraphs[:5]:
        if name := _byline(p.text):
            return name
    bio = _bio(paragraphs[:_tail_start(paragraphs)])
    return None if bio is None else paragraphs[bio[0]].text


def _byline(line: str) -> str | None:
    if not line.startswith("By ") or _ends_sentence(line) or len(line.split()) > 12:
        return None
    first_author = re.split(r"\s*(?:,|\||—|–| and | & )\s*", line[3:])[0]
    return first_author if _is_name(first_author.split()) else None


# An outlet name: 1-5 capitalised words, optionally after "The".
_OUTLET = r"((?:The\s+)?[A-Z][A-Za-z0-9&.-]*(?:\s+[A-Z][A-Za-z0-9&.-]*){0,4})"
_SENTENCE_START = r"(?:^|(?<=[.!?,;:\"”’)]\s))"
# Phrases only the publishing outlet writes about itself.
_SELF_REFERENCES = [
    re.compile(
        _SENTENCE_START + _OUTLET
        + r"\s+(?:has\s+|had\s+|have\s+)?(?:contacted|reached\s+out\s+to|asked|emailed|approached)\b"
        r"[^.\n]{0,200}?\b(?:for\s+(?:further\s+)?comment|via\s+email|by\s+email)",
        re.M,
    ),
    # "independently": "The Kremlin could not confirm" is a source, "... could not independently verify" a newsroom
    re.compile(
        _SENTENCE_START + _OUTLET
        + r"\s+(?:(?:was|is|has\s+been)\s+(?:unable|not\s+able)\s+to|could\s*not|cannot|can\s+not)"
        r"\s+(?:independently\s+(?:verify|confirm)|reach|contact)\b",
        re.M,
    ),
    re.compile(r"\bcontacted\s+by\s+" + _OUTLET),
    re.compile(
        r"\b(?:respond|reply|responded|replied)\s+to\s+(?:an?\s+)?" + _OUTLET
        + r"(?:['’]s)?\s+(?:request|inquiry|email|questions?)\b"
    ),
    # a wire dateline: "(AP) —", "KYIV, Ukraine (AP) —", "LONDON, Oct 25 (Reuters) -"
    re.compile(r"^(?:[A-Z][A-Z .'’-]*[A-Z](?:,[A-Za-z0-9 .]{1,30})?\s+)?\(" + _OUTLET + r"\)\s*[—–-]", re.M),
]
# Phrases that also point at other outlets ("officials told The Wall Street Journal"):
# they add weight to a name but cannot make it the publisher on their own.
_MENTIONS = [
    re.compile(r"\btold\s+" + _OUTLET),
    re.compile(r"\b(?:in|during)\s+an?\s+(?:interview|statement|email)\s+(?:to|with)\s+" + _OUTLET),
]
_NOT_OUTLETS = {"He", "She", "It", "They", "We", "I", "You", "This", "That"}
_OPENER = re.compile(r"^(?:When|After|But|And|As|If|While|Since)\s+")  # "When Newsweek reached out ..."


def infer_publisher(text: str) -> str | None:
    """The outlet the article refers to as itself ("Newsweek has contacted ...", "(AP) —"), or None.

    "Reuters reported" is no self-reference: it is how an article cites another outlet.
    """
    strong = _outlet_names(text, _SELF_REFERENCES)
    counts = Counter(map(_outlet_key, strong + _outlet_names(text, _MENTIONS)))
    candidates: dict[str, str] = {}  # key -> the spelling seen first
    for name in strong:
        candidates.setdefault(_outlet_key(name), name)
    best = max(candidates, key=counts.__getitem__, default=None)
    return candidates.get(best)


def _outlet_names(text: str, patterns: list[re.Pattern]) -> list[str]:
    names = (_OPENER.sub("", m.group(1)).rstrip(".") for pattern in patterns for m in pattern.finditer(text))
    return [name for name in names if name not in _NOT_OUTLETS]


def _outlet_key(name: str) -> str:
    return name.removeprefix("The ").lower()
