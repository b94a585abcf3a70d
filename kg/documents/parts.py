"""The corpus cut into parts that each read alone (kg.pipeline's shards): a file, or a run of lines of
a .jsonl file found by its byte offset, so that a worker reads its own part only and every article
keeps the id and line number that iter_documents gives it. Planning reads no text: a directory is
walked, a .jsonl file's newlines counted."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Iterator

from kg.documents.readers import file_suffix, files_under, open_regular
from kg.documents.records import InputError

BLOCK = 1 << 20


@dataclass(frozen=True)
class Part:
    path: str
    root: str | None = None      # the directory it was found in: its id is its path below it
    # A part of a .jsonl file: its first line (None: the whole file), that line's byte offset, and
    # how many lines (None: to the end of the file).
    line: int | None = None
    offset: int = 0
    lines: int | None = None
    size: int = 1                # articles at most (its lines): shards of about equal size

    @property
    def span(self) -> tuple[int, int, int | None] | None:
        return None if self.line is None else (self.line, self.offset, self.lines)


def plan(paths: Iterable[str | os.PathLike], lines_per_part: int) -> Iterator[Part | InputError]:
    """The parts of `paths` in the order iter_documents reads them; a directory that cannot be
    walked is an InputError (a file that cannot be read is one when its part is read)."""
    for path in map(os.fspath, paths):
        if os.path.isdir(path):
            for found in files_under(path):
                if isinstance(found, InputError):
                    yield found
                else:
                    yield from _split(found, path, lines_per_part)
        else:
            yield from _split(path, None, lines_per_part)


def _split(path: str, root: str | None, size: int) -> Iterator[Part]:
    if file_suffix(path) != ".jsonl":
        yield Part(path, root)
        return
    try:
        starts, end = _line_starts(path, size)
    except OSError:  # read_path says what is wrong with it
        yield Part(path, root)
        return
    for (line, offset), after in zip(starts, [line for line, _ in starts[1:]] + [None], strict=True):
        yield Part(path, root, line, offset, None if after is None else after - line, (after or end) - line)


def _line_starts(path: str, size: int) -> tuple[list[tuple[int, int]], int]:
    """(line number, byte offset) of line 1 and of every `size`-th line after it; and the number the
    line after the last would have."""
    starts, line, position, last = [(1, 0)], 1, 0, b"\n"
    with open_regular(path) as f:
        total = os.fstat(f.fileno()).st_size
        while block := f.read(BLOCK):
            at = block.find(b"\n")
            while at >= 0:
                line += 1
                if (line - 1) % size == 0 and position + at + 1 < total:
                    starts.append((line, position + at + 1))
                at = block.find(b"\n", at + 1)
            position, last = position + len(block), block[-1:]
    return starts, line if last == b"\n" else line + 1
