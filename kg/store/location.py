"""Where a store is: a path (a local store; DEFAULT_LOCATION unless --store or $KG_STORE name
another) or an http(s):// URL (a SPARQL service), and the kg-store.json marker that makes a
directory a kg store: a missing path or an empty directory becomes one, any other directory without
the marker is refused and never written to."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from kg.store.errors import StoreError, one_line

MARKER = "kg-store.json"
STORE_FORMAT = {"format": "kg-store", "version": 1}


def _default_location() -> str:
    base = os.environ.get("XDG_DATA_HOME", "")
    if not os.path.isabs(base):  # unset, empty or relative: the XDG spec says to ignore it
        base = os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "kg", "store")


DEFAULT_LOCATION = _default_location()


def location_from(option: str | None) -> str:
    """The store to use: the --store value, else $KG_STORE, else DEFAULT_LOCATION."""
    return option or os.environ.get("KG_STORE") or _default_location()


def is_remote(location: str) -> bool:
    """Whether `location` is the http(s) URL of a SPARQL service (a RemoteStore), not a path; its
    scheme may name an endpoint profile first (`virtuoso+http://`, kg.store.profiles)."""
    return re.match(r"(?i)(?:[a-z][a-z0-9-]*\+)?https?://", location) is not None


def check_or_create(path: str, *, create: bool) -> None:
    """Check that `path` is a kg store, or make it one (a missing path or an empty directory)."""
    p = Path(path)
    try:
        if p.exists() and not p.is_dir():
            raise StoreError(f"{path} is a file, not a kg store directory")
        if p.is_dir():
            marker = p / MARKER
            if marker.is_file():
                _check_marker(path, marker)
                return
            if marker.exists() or any(p.iterdir()):
                raise StoreError(f"{path} is not a kg store (no {MARKER}); refusing to use it")
        if not create:
            raise StoreError(f"no kg store at {path} (run kg ingest first)")
        p.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(p / MARKER, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:  # another process created it just now
            _check_marker(path, p / MARKER)
            return
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(STORE_FORMAT) + "\n")
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        raise StoreError(f"cannot use {path} as a kg store: {e.strerror or one_line(e)}") from None


def _check_marker(path: str, marker: Path) -> None:
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise StoreError(f"{marker} is unreadable or damaged (expected {json.dumps(STORE_FORMAT)})") from None
    if not isinstance(data, dict) or data.get("format") != STORE_FORMAT["format"]:
        raise StoreError(f"{path} is not a kg store ({MARKER} is not a kg store marker); refusing to use it")
    version = data.get("version")
    if not isinstance(version, int) or version > STORE_FORMAT["version"]:
        raise StoreError(f"{path} is a kg store of version {version}; "
                         f"this kg reads version {STORE_FORMAT['version']}")
