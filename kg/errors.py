"""The one base of every error a user can cause and fix: a bad file, a store in use, a missing
model. Its str() is one line; the CLI prints it as `kg: error: <message>` in one place
(kg.cli.common) and never shows a traceback for it.

Each stage raises its own subclass (StoreError, RegisterError, ModelError, NetworkError,
DocumentError), so the Python API can still catch them one by one."""
from __future__ import annotations


class KgError(Exception):
    """A problem for the user to fix; str(e) is one line, without traceback."""
