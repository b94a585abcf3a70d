"""Every SPARQL text kg runs, one file each: NAME.rq (a query) or NAME.ru (an update), read with
named(NAME). A text that takes parts (a selector, a VALUES block) has placeholder lines `# {PART}`,
filled by compose(); as comments they leave the file a query that runs as it is.

Data, not code: nothing here imports the rest of kg, so every stage (the store too) may read it."""
from __future__ import annotations

import re
from functools import cache
from importlib import resources


@cache
def named(name: str) -> str:
    """The text of a shipped query, kg/queries/NAME.rq (an update: NAME.ru)."""
    folder = resources.files(__name__)
    for suffix in (".rq", ".ru"):
        if (folder / f"{name}{suffix}").is_file():
            return (folder / f"{name}{suffix}").read_text(encoding="utf-8")
    raise FileNotFoundError(f"no query {name!r} in {folder}")


def compose(text: str, **parts: str) -> str:
    """`text` with each placeholder line `# {NAME}` (a SPARQL comment alone on its line, so the text
    runs as it is) replaced by parts[NAME]; a placeholder the text lacks is an error, not a no-op."""
    for name, part in parts.items():
        placeholder = re.compile(rf"^[ \t]*# \{{{re.escape(name)}\}}[ \t]*\n", re.M)
        text, found = placeholder.subn(lambda _: part, text)
        if not found:
            raise ValueError(f"the query has no placeholder line '# {{{name}}}'")
    return text
