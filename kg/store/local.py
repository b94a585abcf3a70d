"""LocalStore: an Oxigraph (RocksDB) store in a directory marked by kg-store.json (location.py), so
that `oxigraph serve-read-only --location DIR` serves it as it is. One process writes at a time (an
exclusive lock, besides RocksDB's own); read-only openings share the store with each other, so
concurrent `kg query` runs do not block one another. A write is one SPARQL update, made of the
lines that differ from what is stored (a graph with blank nodes is replaced whole); the memory
tables are flushed every FLUSH_TRIPLES triples and on close."""
from __future__ import annotations

import io
import os
import threading
from typing import Callable

import pyoxigraph as ox
from pyoxigraph import BlankNode, NamedNode, Quad, QueryResultsFormat, RdfFormat

from kg.queries import named
from kg.store.base import Store, data_block, graph_node, ntriples, relabel_subjects
from kg.store.errors import QueryTimeout, StoreError, StoreInUse, one_line
from kg.store.location import MARKER, check_or_create
from kg.store.result import Result, result_from_bytes
from kg.store.sparql import query_syntax_error, syntax_message
from kg.vocab import RDFS_LABEL

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: RocksDB's own lock still keeps two writers apart
    fcntl = None

IN_USE = "store {} is in use by another process"


# Directories opened for writing by this process: a second opening would fail on the locks with a
# message about "another process".
_WRITERS: set[str] = set()
_WRITERS_LOCK = threading.Lock()


# RocksDB keeps what is written in memory tables, which grow until they are flushed to table files:
# a flush every FLUSH_TRIPLES triples written bounds the memory of a long ingest (the figures behind
# this number: bench/README.md, bench_memory_ingest.py and bench_ingest.py).
FLUSH_TRIPLES = 20_000


class LocalStore(Store):
    """An Oxigraph (RocksDB) store in a directory marked by kg-store.json."""

    lateral = True

    def __init__(self, location: str, *, create: bool = True, read_only: bool = False):
        path = os.path.abspath(os.path.expanduser(location))
        self.location, self.read_only = path, read_only
        self._store = None
        self._lock_fd = None
        self._write_lock = threading.Lock()
        self._unflushed = 0  # triples written since the memtables were last flushed to table files
        self._key = os.path.realpath(path)
        check_or_create(path, create=create and not read_only)
        if _has_data(path):  # before RocksDB: opened for writing, it would start an empty store beside the data
            raise StoreError(damaged(path, "its CURRENT file is missing"))
        with _WRITERS_LOCK:
            if self._key in _WRITERS:
                raise StoreError(f"store {path} is already open for writing in this process")
            self._lock(path)
            try:
                self._store = ox.Store.read_only(path) if read_only else ox.Store(path)
            except (OSError, RuntimeError) as e:  # RuntimeError: RocksDB's "Corruption: ..."
                self._unlock()
                if isinstance(e, RuntimeError):  # before the lock test: "block checksum mismatch"
                    raise StoreError(damaged(path, e)) from None
                if "lock" in str(e).lower():
                    raise StoreInUse(IN_USE.format(path)) from None
                if read_only and isinstance(e, FileNotFoundError):
                    raise StoreError(f"no kg store at {path} (run kg ingest first)") from None
                raise StoreError(f"cannot open store {path}: {one_line(e)}") from None
            if not read_only:
                _WRITERS.add(self._key)

    def _lock(self, path: str) -> None:
        if fcntl is None:
            return
        try:
            fd = os.open(os.path.join(path, MARKER), os.O_RDONLY)
        except OSError as e:
            raise StoreError(f"cannot open store {path}: {e.strerror or one_line(e)}") from None
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if self.read_only else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StoreInUse(IN_USE.format(path)) from None
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def close(self) -> None:
        if self._store is not None:
            if not self.read_only:
                # else each later read-only open replays the whole write-ahead log in memory (slow
                # after a large ingest: bench/README.md, bench_ingest.py)
                self._flush()
            self._store = None  # RocksDB closes when the last reference goes
            with _WRITERS_LOCK:
                _WRITERS.discard(self._key)
        self._unlock()

    def __del__(self):
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def _handle(self, write: bool = False):
        if self._store is None:
            raise StoreError(f"store {self.location} is closed")
        if write and self.read_only:
            raise StoreError(f"store {self.location} is open read-only")
        return self._store

    def count(self) -> int:
        try:
            return len(self._handle())
        except (OSError, RuntimeError) as e:
            raise StoreError(damaged(self.location, e) if _corrupt(e) else
                             f"cannot read store {self.location}: {one_line(e)}") from None

    def graphs(self) -> list[str]:
        try:
            return sorted(g.value for g in self._handle().named_graphs() if isinstance(g, NamedNode))
        except (OSError, RuntimeError) as e:
            raise StoreError(damaged(self.location, e) if _corrupt(e) else
                             f"cannot read store {self.location}: {one_line(e)}") from None

    def _has_graph(self, node: NamedNode) -> bool:
        try:
            return self._handle().contains_named_graph(node)
        except (OSError, RuntimeError) as e:
            raise StoreError(damaged(self.location, e) if _corrupt(e) else
                             f"cannot read store {self.location}: {one_line(e)}") from None

    def _query(self, text, parsed, timeout, fix) -> Result:
        store = self._handle()
        union = not parsed.has_from  # FROM / FROM NAMED choose their own dataset

        def run(materialize: bool):
            result = store.query(text, use_default_graph_as_union=union)
            if not materialize:
                return result
            if isinstance(result, ox.QuerySolutions):  # evaluated here, within the deadline
                return "application/sparql-results+json", result.serialize(format=QueryResultsFormat.JSON)
            if isinstance(result, ox.QueryTriples):
                return "application/n-triples", result.serialize(format=RdfFormat.N_TRIPLES)
            return result

        error = None
        try:
            if timeout is None:
                return Result.from_pyoxigraph(run(False))
            answer = _with_deadline(lambda: run(True), timeout)
        except SyntaxError as e:
            error = query_syntax_error(e, text, parsed, fix)
        except (OSError, RuntimeError, ValueError) as e:
            error = StoreError(damaged(self.location, e) if _corrupt(e) else f"query failed: {one_line(e)}")
        if error is not None:
            del store  # a traceback must not keep RocksDB (and its lock) open: see _raise
            _raise(error)
        if isinstance(answer, ox.QueryBoolean):
            return Result("ask", boolean=bool(answer))
        return result_from_bytes(answer[1], answer[0])

    def _update(self, text, fix) -> None:
        error = None
        with self._write_lock:
            try:
                self._handle(write=True).update(text)
            except SyntaxError as e:
                error = StoreError(syntax_message(str(e), fix))
            except (OSError, RuntimeError, ValueError) as e:
                error = StoreError(f"update failed (nothing was changed): {one_line(e)}")
        if error is not None:
            _raise(error)

    def replace_graphs(self, graphs: dict, merge: dict | None = None, relabel: dict | None = None,
                       delete: dict | None = None) -> None:
        replace = {}
        for g, triples in graphs.items():
            node = graph_node(g)
            replace[node] = ntriples(node, triples)
        add = {}
        for g, triples in (merge or {}).items():
            node = graph_node(g)
            triples = list(triples)
            ntriples(node, triples)  # the same checks
            add[node] = triples
        labels = relabel_subjects(relabel)
        removed = {graph_node(g): ntriples(graph_node(g), triples)[0] for g, triples in (delete or {}).items()}
        error = None
        with self._write_lock:
            store = self._handle(write=True)
            try:
                text = self._replace_text(store, replace, add, labels, removed, diff=True)
                if text:
                    try:
                        store.update(text)
                    except SyntaxError:  # a dumped line SPARQL does not take: replace whole graphs
                        store.update(self._replace_text(store, replace, add, labels, removed, diff=False))
                self._unflushed += sum(len(lines) for lines, _ in replace.values()) + sum(map(len, add.values()))
            except (OSError, RuntimeError, ValueError, SyntaxError) as e:
                error = StoreError(damaged(self.location, e) + " (nothing was changed)" if _corrupt(e) else
                                   f"cannot write to store {self.location} (nothing was changed): {one_line(e)}")
            del store
            if error is None and self._unflushed >= FLUSH_TRIPLES:
                self._flush()
        if error is not None:
            _raise(error)

    def add_quads(self, quads) -> int:
        counted = _Counted(quads)
        with self._write_lock:
            try:
                self._handle(write=True).bulk_extend(counted)
            except (OSError, RuntimeError, ValueError) as e:
                _raise(StoreError(damaged(self.location, e) if _corrupt(e) else
                                  f"cannot write to store {self.location}: {one_line(e)}"))
        return counted.count

    def add_nquads(self, paths: list[str]) -> int:
        files = _Files(paths)
        error = None
        with self._write_lock, io.BufferedReader(files, 1 << 20) as stream:
            try:  # one load: each call of the bulk loader costs (its threads, its table files)
                self._handle(write=True).bulk_load(stream, format=RdfFormat.N_QUADS)
            except SyntaxError as e:
                error = StoreError(f"cannot load {files.where(e.lineno)}: {one_line(e)}")
            except (OSError, RuntimeError, ValueError) as e:
                error = StoreError(damaged(self.location, e) if _corrupt(e) else
                                   f"cannot load {files.path or 'N-Quads'} into store {self.location}: {one_line(e)}")
        if error is not None:
            _raise(error)
        return files.lines

    def _flush(self) -> None:
        """Memory tables to table files. What was committed is in the write-ahead log already, so a
        flush that fails loses nothing: the next writer replays the log."""
        try:
            self._store.flush()
        except (OSError, RuntimeError):  # RuntimeError: a damaged table file, which the write reported
            pass
        self._unflushed = 0

    @staticmethod
    def _replace_text(store, replace: dict, add: dict, labels: dict, removed: dict, diff: bool) -> str:
        """One SPARQL update doing the whole write. With `diff`, graphs without blank nodes change
        by DELETE DATA / INSERT DATA of the lines that differ from what is stored (re-ingesting the
        same article writes nothing; a single INSERT DATA takes Oxigraph's fast write-only path);
        other graphs are dropped and inserted whole."""
        drops, deletes, inserts = [], [], []
        for node, (lines, bnode) in replace.items():
            new = dict.fromkeys(lines)
            if node in add:
                extra, extra_bnode = ntriples(node, add[node])
                new.update(dict.fromkeys(extra))
                bnode = bnode or extra_bnode
            old = store.dump(format=RdfFormat.N_TRIPLES, from_graph=node).decode("utf-8").split("\n")[:-1] \
                if diff and not bnode else None  # not splitlines(): literals may hold U+2028 and kin
            if old is None or any(line.startswith("_:") or "> _:" in line for line in old):
                drops.append(node)
                if new:
                    inserts.append((node, new))
                continue
            if not new:
                drops.append(node)
                continue
            stored = set(old)
            gone = [line for line in old if line not in new]
            if gone:
                deletes.append((node, gone))
            added = [line for line in new if line not in stored]
            if added:
                inserts.append((node, added))
        for node, subjects in labels.items():
            if node in replace:
                continue
            keep = {f"{s} {p} {o} ." for s, p, o in add.get(node, ())}
            gone = [line for subject in subjects for q in store.quads_for_pattern(subject, RDFS_LABEL, None, node)
                    if (line := f"{q.subject} {q.predicate} {q.object} .") not in keep]
            if gone:
                deletes.append((node, gone))
        deletes += [(node, lines) for node, lines in removed.items() if lines and node not in replace]
        for node, triples in add.items():
            if node in replace:
                continue
            lines = [f"{s} {p} {o} ." for s, p, o in triples
                     if type(s) is BlankNode or type(o) is BlankNode or Quad(s, p, o, node) not in store]
            if lines:
                inserts.append((node, dict.fromkeys(lines)))
        parts = [f"DROP SILENT GRAPH {node}" for node in drops]
        if deletes:
            parts.append(data_block("DELETE DATA", deletes))
        if inserts:
            parts.append(data_block("INSERT DATA", inserts))
        return " ;\n".join(parts)

    def _export(self, fmt, out, graph) -> None:
        error = None
        try:
            if fmt.supports_datasets and graph is not None:
                ox.serialize(self._handle().quads_for_pattern(None, None, None, graph), out, fmt)
            elif fmt.supports_datasets or graph is not None:
                self._handle().dump(out, fmt, from_graph=graph)
            else:
                self._handle().query(named("store_export_triples")).serialize(out, fmt)
        except (OSError, RuntimeError, ValueError) as e:
            error = StoreError(damaged(self.location, e) if _corrupt(e) else
                               f"cannot export store {self.location}: {one_line(e)}")
        if error is not None:
            _raise(error)


class _Counted:
    """An iterable that counts what passes through it (the bulk loader takes an iterable)."""

    def __init__(self, items):
        self.items, self.count = items, 0

    def __iter__(self):
        for item in self.items:
            self.count += 1
            yield item


class _Files(io.RawIOBase):
    """Files read one after the other as one stream, counting their lines (N-Quads: one quad a line)
    and where each begins, so that a line of the stream names its file."""

    def __init__(self, paths: list[str]):
        self.paths, self.path, self.file = iter(paths), None, None
        self.lines, self.starts = 0, []  # (first line of the stream, path)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while True:
            if self.file is None:
                self.path = next(self.paths, None)
                if self.path is None:
                    return 0
                self.file = open(self.path, "rb")  # noqa: SIM115 (open across reads); an OSError names self.path
                self.starts.append((self.lines + 1, self.path))
            n = self.file.readinto(buffer)
            if n:
                self.lines += bytes(buffer[:n]).count(b"\n")
                return n
            self.file.close()
            self.file = None

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        super().close()

    def where(self, line: int | None) -> str:
        """'PATH:LINE' for a line of the stream."""
        first, path = next(((f, p) for f, p in reversed(self.starts) if line and f <= line), (1, self.path))
        return f"{path}:{line - first + 1}" if line else str(path)


def damaged(path: str, error: Exception) -> str:
    """The message for a store RocksDB cannot open: what it found, and what the user can do."""
    return (f"store {path} is damaged: {one_line(error, 240)} (restore the directory from a backup, "
            f"or ingest the articles again into a new store)")


def _corrupt(error: Exception) -> bool:
    return isinstance(error, RuntimeError) and str(error).startswith("Corruption")


def _has_data(path: str) -> bool:
    """Whether RocksDB's files are there though it did not open them: its CURRENT file is gone (an
    empty kg store directory has none of them)."""
    try:
        names = os.listdir(path)
    except OSError:
        return False
    return not os.path.exists(os.path.join(path, "CURRENT")) and \
        any(n.endswith((".sst", ".log")) and n != "LOG" or n.startswith("MANIFEST-") for n in names)


def _raise(error: StoreError) -> None:
    """Raise outside any `except` block and with no pyoxigraph Store in the raising frames:
    pyoxigraph has no close(), RocksDB closes (and unlocks) when its last reference goes, and an
    exception kept for display (a notebook's last traceback, a test runner's result) would otherwise
    hold the store locked after close()."""
    raise error


def _with_deadline(work: Callable, timeout: float):
    """work() in a thread, waited for at most `timeout` seconds. pyoxigraph releases the GIL while
    it evaluates but cannot cancel: a late evaluation finishes in the background, unused."""
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = work()
        except BaseException as e:  # handed to the caller
            outcome["error"] = e

    thread = threading.Thread(target=target, name="kg-query", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise QueryTimeout(f"query timed out after {timeout:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
