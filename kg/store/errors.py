"""StoreError, the one error of kg.store a user can fix, and one_line, which keeps its messages to
one line (`kg: error: <message>`) whatever text they quote: a parser's complaint, a repr, an HTTP body."""
from __future__ import annotations

from kg.errors import KgError


class StoreError(KgError):
    """A problem for the user to fix; str(e) is one line, without traceback."""


class StoreInUse(StoreError):
    """Another process holds the store (a writer, or readers while this one would write)."""


class QueryTimeout(StoreError):
    """A query ran past the timeout it was given."""


class AnswerLost(StoreError):
    """The endpoint closed the connection after the whole request was sent and before it answered:
    an update may or may not have been applied."""


def one_line(text: str, limit: int = 300) -> str:
    """`text` (or str() of an exception) on one line, whitespace runs made one space, cut with '...'
    beyond `limit` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[:limit - 3] + "..."
