"""What kg serve reads: a snapshot of the store, so that `kg ingest` can write while the pages answer.

pyoxigraph opens a store read-only only while no other process writes it ("undefined behaviour"
otherwise), and kg's LocalStore enforces that with a lock: a reader holding the store would make
every `kg ingest` fail with "in use". So the server holds the store only for the moment of a RocksDB
backup (hard links of the immutable table files when on the same file system, milliseconds), then
reads the backup, which nothing else writes. Before a request it looks (at most every
`check_every` seconds) whether the store's files changed; when they did and no writer holds the
store, it takes a new snapshot and swaps it in, the old one closed once its last request is done.
While a writer holds the store, the last snapshot keeps answering (`writing` says so).

A SPARQL endpoint (an http(s) URL) is queried directly: its server has its own concurrency.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import pyoxigraph as ox

from kg.graph import Graph
from kg.store import MARKER, StoreError, StoreInUse, is_remote, location_from


def signature(path: str) -> tuple:
    """The store directory's files with their sizes and modification times: any write changes it.
    RocksDB's info LOG files are left out (a read-only open may touch them)."""
    try:
        with os.scandir(path) as entries:
            return tuple(sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in entries
                                if not e.name.startswith("LOG")))
    except OSError:
        return ()


WAIT_FOR_WRITER = 10.0  # seconds kg serve waits at start for a writer that holds the store


class Snapshot:
    def __init__(self, graph: Graph, folder: str | None, signature: tuple):
        self.graph, self.folder, self.signature = graph, folder, signature
        self.taken = time.time()
        self.users = 0
        self.retired = False

    def close(self) -> None:
        self.graph.close()
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


class Snapshots:
    """The graph each request reads (use()), refreshed when the store changes."""

    def __init__(self, location: str | None = None, *, check_every: float = 1.0, wait: float | None = None):
        self.location = location_from(location)
        self.remote = is_remote(self.location)
        self.check_every = check_every
        self.writing = False  # a writer held the store at the last look: the snapshot may be behind
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()
        self._checked = time.monotonic()
        if self.remote:
            self._current = Snapshot(Graph(self.location, read_only=True), None, ())
            return
        self.location = os.path.abspath(os.path.expanduser(self.location))
        wait = WAIT_FOR_WRITER if wait is None else wait
        deadline = time.monotonic() + wait
        while True:  # a writer at start: wait for it a little, then say so
            try:
                self._current = self._take()
                return
            except StoreInUse as error:
                if time.monotonic() > deadline:
                    raise StoreInUse(f"{error} (a writer such as kg ingest; waited {wait:g} s): run kg serve "
                                     f"again once it is done") from None
                time.sleep(0.2)

    @property
    def taken(self) -> float:
        return self._current.taken

    def _take(self) -> Snapshot:
        before = signature(self.location)
        # The read-only Graph takes kg's shared lock (no writer meanwhile) and checks the marker.
        probe = Graph(self.location, create=False, read_only=True)
        folder = None
        try:
            parent = os.path.dirname(self.location)
            try:  # next to the store: the backup is then hard links, not a copy
                folder = tempfile.mkdtemp(prefix=".kg-serve-", dir=parent)
            except OSError:
                folder = tempfile.mkdtemp(prefix="kg-serve-")
            target = os.path.join(folder, "store")
            try:
                ox.Store.read_only(self.location).backup(target)
            except OSError as error:
                raise StoreError(f"cannot read store {self.location}: {error}") from None
        except BaseException:
            if folder:
                shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            probe.close()
        shutil.copyfile(os.path.join(self.location, MARKER), os.path.join(target, MARKER))
        return Snapshot(Graph(target, create=False, read_only=True), folder, before)

    def refresh(self, force: bool = False) -> None:
        """A new snapshot if the store changed and no writer holds it (else the old one stays)."""
        if self.remote:
            return
        now = time.monotonic()
        if not force and now - self._checked < self.check_every:
            return
        if not self._refreshing.acquire(blocking=force):
            return  # another request is refreshing: this one reads the current snapshot
        try:
            self._checked = now
            if signature(self.location) == self._current.signature:
                self.writing = False
                return
            try:
                fresh = self._take()
            except StoreInUse:  # kg ingest is writing: answer from the last snapshot
                self.writing = True
                return
            self.writing = False
            with self._lock:
                old, self._current = self._current, fresh
                old.retired = True
                done = old.users == 0
            if done:
                old.close()
        finally:
            self._refreshing.release()

    @contextmanager
    def use(self) -> Iterator[Graph]:
        """The current snapshot's kg.Graph for one request."""
        self.refresh()
        with self._lock:
            snap = self._current
            snap.users += 1
        try:
            yield snap.graph
        finally:
            with self._lock:
                snap.users -= 1
                done = snap.retired and snap.users == 0
            if done:
                snap.close()

    def close(self) -> None:
        with self._lock:
            snap = self._current
            snap.retired = True
            done = snap.users == 0
        if done:
            snap.close()
