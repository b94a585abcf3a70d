"""Small helpers of every stage's output: one line of text cut to a width, counted nouns, and the
time part of a run's summary line."""
from __future__ import annotations


def fold(text, width: int = 40) -> str:
    """`text` on one line (runs of whitespace folded), cut to `width` characters with "…"."""
    text = " ".join(str(text or "").split())
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def plural(n: int, noun: str) -> str:
    """"1 claim", "2 claims"."""
    return f"{n} {noun}{'s' * (n != 1)}"


class Timed:
    """A run's summary that times its steps: `seconds` maps each step to the seconds it took."""

    seconds: dict[str, float]

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    def timing(self, names: dict[str, str] | None = None) -> str:
        """"1.2 s (read 0.3, group 0.8, write 0.1)": the total, then each step, under its name in
        `names` if it has one there."""
        steps = ", ".join(f"{(names or {}).get(step, step)} {s:.1f}" for step, s in self.seconds.items())
        return f"{self.total_seconds:.1f} s ({steps})"
