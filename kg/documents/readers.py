"""Reading files: the directory walk, .txt (decoded: UTF-8, UTF-16 with a BOM or told by its NUL
bytes, else a detected legacy encoding), .jsonl (one article a line) and .html (the article text
trafilatura extracts), size limits, and `make_article`, which turns the text read into an `Article`.

A document that cannot be read is refused with one user-facing line; `read_path` yields it as an
`InputError` and goes on. An article's id is the one its JSONL line gives, else made from the path
(`id_below`)."""
from __future__ import annotations

import codecs
import errno
import itertools
import json
import os
import re
import stat
from typing import IO, BinaryIO, Iterator

from kg.documents.boilerplate import blank_boilerplate
from kg.documents.metadata import infer_author, infer_publisher, infer_title, normalise_date
from kg.documents.records import Article, InputError

MAX_BYTES = 10_000_000  # per document: a .txt or .html file, or one JSONL text
# An id is in every triple of its article (as its IRI): a 1 MB id made a 100-byte article a 224 MB
# store that kg validate never finished.
MAX_ID_CHARS = 1_000
SUFFIXES = (".txt", ".jsonl", ".html", ".htm")
MAX_MESS = 0.1  # charset-normalizer "chaos" above which a guessed decoding is not trusted
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # C0 and C1 controls but whitespace: not in text


class _Refused(Exception):
    """A document is refused; the message is one user-facing line."""


class NotRegularFile(OSError):
    """A path to read that is a FIFO, a socket or a device: opening a FIFO waits for a writer
    forever, and a device (/dev/zero, a terminal) need never end. str() and strerror say which."""


# --- files and directories --------------------------------------------------


def files_under(directory: str) -> Iterator[str | InputError]:
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
            yield from files_under(entry.path)
        elif file_suffix(entry.name) in SUFFIXES:
            yield entry.path


def read_path(path: str, root: str | None = None, lines: tuple[int, int, int | None] | None = None
              ) -> Iterator[tuple[Article | InputError, int | None]]:
    """The article in one file, or each of a .jsonl's, with the line it was read from (None for a
    whole file); what cannot be read is an `InputError`. A file found in the directory `root` takes
    its id from its path below it (`id_below`). `lines`: of a .jsonl file, only the lines from
    (first line number, its byte offset, how many; None: to the end) (kg.documents.parts)."""
    base = id_below(path, root)
    try:
        suffix = file_suffix(path)
        if suffix == ".jsonl":
            yield from _read_jsonl(path, base, *(lines or (1, 0, None)))
        elif suffix == ".txt":
            yield make_article(_decode(_read_bytes(path)), id=_checked_id(base), path=path), None
        elif suffix in (".html", ".htm"):
            yield _read_html(path, _checked_id(base)), None
        else:
            os.stat(path)  # a missing file is reported as missing, not as unsupported
            raise _Refused(f"unsupported file type '{suffix}' (expected .txt, .jsonl, .html or .htm)")
    except _Refused as refused:
        yield InputError(path, str(refused)), None
    except OSError as error:
        yield InputError(path, os_error_message(error)), None


def id_below(path: str, root: str | None) -> str:
    """The id of the file `path`: its path below the directory `root` without the suffix, "/"
    between folders ("2023/report" for root/2023/report.txt), so that files of the same name in
    different folders stay apart; a file named by itself (no root): its name without the suffix."""
    if root is None:
        return _stem(path)
    return os.path.splitext(os.path.relpath(path, root))[0].replace(os.sep, "/")


def open_regular(path: str | os.PathLike, mode: str = "rb", encoding: str | None = None) -> IO:
    """The file `path` opened for reading, only if it is a regular file; else NotRegularFile. Every
    file a command reads is opened here: inputs, registers, gold files, queries."""
    _require_regular(os.stat(path).st_mode)
    # O_NONBLOCK: should a FIFO take the file's place after stat(), opening it does not wait
    # (reading a regular file ignores the flag).
    f = open(path, mode, encoding=encoding,
             opener=lambda name, flags: os.open(name, flags | getattr(os, "O_NONBLOCK", 0)))
    try:
        _require_regular(os.fstat(f.fileno()).st_mode)
    except NotRegularFile:
        f.close()
        raise
    return f


def _require_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else
                "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file")
        raise NotRegularFile(errno.EINVAL, f"not a regular file ({kind})")


def _read_bytes(path: str) -> bytes:
    """The whole file, refused before reading if larger than MAX_BYTES or empty."""
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size > MAX_BYTES:
            raise _Refused(_too_large(size))
        data = f.read(MAX_BYTES + 1)  # the file may have grown since fstat()
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
        text = _utf16_without_bom(data)
        if text is None:
            raise _Refused("binary file, not text")
        return _require_text(text)
    try:
        return _require_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return _require_text(_decode_legacy(data))


def _utf16_without_bom(data: bytes) -> str | None:
    """The text of UTF-16 without a byte-order mark, or None if `data` does not look like it.

    Told by where its NUL bytes are: in text of a Latin script nearly every code unit is below
    U+0100, so its high byte is NUL (the odd bytes in little-endian, the even ones in big-endian),
    while a NUL low byte needs a rare character like U+0100 or U+2000. So: NUL in at least half of
    the bytes on one side and in at most 1% on the other, a strict decoding (no lone surrogates),
    and no control characters but whitespace. Binary files fail one of these; UTF-16 in a
    non-Latin script (Cyrillic, CJK) is not told apart from binary and stays refused."""
    if len(data) % 2 or len(data) < 4:
        return None
    units = len(data) // 2
    nul_even, nul_odd = data[0::2].count(0), data[1::2].count(0)
    if nul_odd >= units / 2 and nul_even <= units / 100:
        encoding = "utf-16-le"
    elif nul_even >= units / 2 and nul_odd <= units / 100:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if CONTROL.search(text):
        return None
    return text


def _decode_legacy(data: bytes) -> str:
    import charset_normalizer  # here, not above: slow to import, and only text that is not UTF-8 needs it

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


def _read_html(path: str, id: str) -> Article:
    # Imported here, not above: trafilatura (with lxml, courlan, htmldate) takes longer to import
    # than the rest of kg.documents together, and only HTML pages need it.
    import trafilatura

    page = trafilatura.bare_extraction(
        _read_bytes(path), include_comments=False, include_tables=False, with_metadata=True
    )
    if page is None:
        raise _Refused("no article text found in HTML")
    article = make_article(
        page.text or "", id=id, path=path, publisher=page.sitename, title=page.title,
        url=page.url, published=page.date, author=page.author,
    )
    if not article.body.strip():  # what trafilatura kept is only a menu ("Home")
        raise _Refused("no article text found in HTML")
    return article


def _read_jsonl(path: str, base: str, first: int = 1, offset: int = 0, count: int | None = None
                ) -> Iterator[tuple[Article | InputError, int | None]]:
    """One article per line, with its line number (a line without an id: "BASE:LINE"); a bad
    line yields an `InputError` with its line number. Only `count` lines from line `first`, at
    byte `offset`, when given: a part of the file says it is binary or empty once, in its first part."""
    found_any = False
    with open_regular(path) as f:
        if _binary(f.read(8192)):  # not a JSONL file at all: one error, not one per line
            if first == 1:
                yield InputError(path, "binary file, not text"), None
            return
        f.seek(offset)
        for lineno, line in itertools.islice(_numbered_lines(f, first), count):
            if line is not None and not line.strip():
                continue
            found_any = True
            if line is None:
                too_large = f"line too large (more than {_mb(_max_line_bytes())} MB)"
                yield InputError(path, too_large, lineno), lineno
                continue
            if b"\x00" in line:  # damage to this line only: the lines after it are still read
                yield InputError(path, "binary data (a NUL byte), not text", lineno), lineno
                continue
            try:
                yield _jsonl_article(line, path, lineno, base), lineno
            except _Refused as refused:
                yield InputError(path, str(refused), lineno), lineno
    if not found_any and first == 1 and count is None:
        yield InputError(path, "empty file"), None


def _binary(head: bytes) -> bool:
    """Whether a .jsonl file whose first bytes are `head` is binary (an image, UTF-16): NUL bytes,
    and either no "{" to start a JSON object or a NUL in every fourth byte. A NUL byte or two in a
    file that starts like JSONL are damage to a line, reported as that line's error."""
    if b"\x00" not in head:
        return False
    start = head.lstrip(b" \t\r\n\xef\xbb\xbf")  # a UTF-8 byte-order mark is allowed
    return not start.startswith(b"{") or head.count(0) * 4 > len(head)


def _max_line_bytes() -> int:
    # JSON escapes can make a text up to 6x longer (\uXXXX); beyond that, a
    # line is more likely a whole corpus on one line than one article.
    return 6 * MAX_BYTES


def _numbered_lines(f: BinaryIO, first: int = 1) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) pairs from line `first`; None stands for a line too long to read, which is skipped."""
    limit = _max_line_bytes()
    lineno = first - 1
    while line := f.readline(limit + 1):
        lineno += 1
        if len(line) <= limit:
            yield lineno, line
            continue
        while line and not line.endswith(b"\n"):
            line = f.readline(1 << 20)
        yield lineno, None


def _jsonl_article(line: bytes, path: str, lineno: int, base: str) -> Article:
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
    _refuse_lone_surrogates(record)
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
    return make_article(
        text,
        id=_checked_id(f"{base}:{lineno}" if record_id in (None, "") else str(record_id)),
        path=path,
        publisher=_string(record, "publisher"),
        title=_string(record, "title"),
        url=_string(record, "url"),
        published=_string(record, "published", "publication_date", "date"),
        author=_string(record, "author"),
        meta={key: value for key, value in record.items() if key not in used},
    )


def _checked_id(id: str) -> str:
    if len(id) > MAX_ID_CHARS:
        raise _Refused(f"id too long ({len(id):,} characters > {MAX_ID_CHARS:,} limit)")
    return id


def _refuse_lone_surrogates(record: dict) -> None:
    """JSON allows the escape of half a surrogate pair ("\\ud800"), which no UTF-8 output and no
    store can hold: the line is refused, naming the field, instead of failing the run later."""
    for key, value in record.items():
        stack = [key, value]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                stack += [*item.keys(), *item.values()]
            elif isinstance(item, list):
                stack += item
            elif isinstance(item, str):
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError as error:
                    bad = ord(item[error.start])
                    raise _Refused(f'"{_printable(key)}" is not valid Unicode text (a lone surrogate '
                                   f'\\u{bad:04x})') from None


def _printable(key: str) -> str:
    return key.encode("utf-8", "backslashreplace").decode("utf-8")[:40]


def _string(record: dict, *keys: str) -> str | None:
    """The first non-blank string among `keys`."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def file_suffix(path: str) -> str:
    """The extension, lower-cased: ".txt" for "a/B.TXT"."""
    return os.path.splitext(path)[1].lower()


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def _mb(size: int) -> str:
    return f"{size / 1e6:g}"


def _too_large(size: int, what: str = "file") -> str:
    return f"{what} too large ({size / 1e6:.1f} MB > {_mb(MAX_BYTES)} MB limit)"


def os_error_message(error: OSError) -> str:
    """Why a file could not be read, in one line for "PATH: MESSAGE"."""
    if isinstance(error, NotRegularFile):
        return error.strerror
    if isinstance(error, FileNotFoundError):
        return "no such file or directory"
    if isinstance(error, PermissionError):
        return "cannot read: permission denied"
    return f"cannot read: {(error.strerror or str(error)).lower()}"


# --- building an Article ----------------------------------------------------


def make_article(
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
