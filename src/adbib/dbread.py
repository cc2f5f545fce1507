"""Read-only access: the fast path for every command that only reads (query, show, export,
browsing).  Importing this module costs no more than ``import sqlite3``.

:func:`schema_state` and :func:`connect` take a target (a path, or a PostgreSQL URL) and ask its
backend (:mod:`adbib.backend`); the SQLite implementation (PRAGMAs, URI modes) lives here and in
:mod:`adbib.db`, the PostgreSQL one in :mod:`adbib.backend.postgres`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from adbib.config import HEAD, KNOWN_REVISIONS
from adbib.errors import DatabaseError

if TYPE_CHECKING:
    from adbib.backend import Target

BUSY_TIMEOUT_MS = 30_000


def schema_state(path: Target) -> str:
    """'missing' | 'empty' | 'old' | 'current' (see :func:`sqlite_schema_state`), from the target's backend."""
    from adbib import backend

    return backend.of(path).schema_state()


def connect(path: Target) -> sqlite3.Connection:
    """A read-only connection from the target's backend; rows by index or by name (sqlite3.Row)."""
    from adbib import backend

    return backend.of(path).connect()


def sqlite_schema_state(path: Path) -> str:
    """'missing' | 'empty' (no adbib tables, or tables but no papers) | 'old' | 'current'.

    Raises DatabaseError for a file that is not SQLite or comes from a newer adbib.
    """
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return "missing"
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            rows = con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
            ).fetchall()
            if not rows:
                tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if tables:
                    raise DatabaseError(f"{path}: not an adbib database (it has no adbib schema)")
                return "empty"
            version = con.execute("SELECT version_num FROM alembic_version").fetchone()
            if version is None:
                if con.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type='table' AND name != 'alembic_version'"
                ).fetchone()[0]:
                    raise DatabaseError(
                        f"{path}: has adbib tables but no schema version (its alembic_version table is empty), "
                        "so adbib cannot tell which migrations it needs; restore a backup, or import into a new database"
                    )
                return "empty"
            if version[0] not in KNOWN_REVISIONS:
                raise DatabaseError(
                    f"{path}: made by a newer adbib (schema revision {version[0]}); upgrade adbib to read it"
                )
            if version[0] != HEAD:
                return "old"
            has_papers = con.execute("SELECT EXISTS (SELECT 1 FROM paper)").fetchone()[0]
            return "current" if has_papers else "empty"
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        if "locked" in str(e) or "busy" in str(e):
            raise DatabaseError(f"{path}: database is busy") from None
        raise DatabaseError(f"{path}: not an SQLite database ({e})") from None


def sqlite_connect(path: Path) -> sqlite3.Connection:
    """A read-only connection; rows as sqlite3.Row."""
    try:
        con = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as e:
        raise DatabaseError(f"{path}: cannot open database ({e})") from None
    con.row_factory = sqlite3.Row
    con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return con
