"""Small text helpers every stage's output uses: one line of text cut to a width, and counted nouns."""
from __future__ import annotations


def fold(text, width: int = 40) -> str:
    """`text` on one line (runs of whitespace folded), cut to `width` characters with "…"."""
    text = " ".join(str(text or "").split())
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def plural(n: int, noun: str) -> str:
    """"1 claim", "2 claims"."""
    return f"{n} {noun}{'s' * (n != 1)}"
