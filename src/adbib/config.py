"""Settings that every command needs, importable at no cost (standard library only)."""

from __future__ import annotations

import os
from pathlib import Path

# The alembic revisions this adbib knows, oldest first; the last one is the head.
# tests/test_migrations.py checks this against migrations/versions.
KNOWN_REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005", "0006")
HEAD = KNOWN_REVISIONS[-1]


def default_db_path() -> Path | str:
    """``$ADBIB_DB`` if set (a path, or a ``postgresql://`` URL kept as the string: a target of
    :mod:`adbib.backend`), else ``adbib.db`` in the user's data directory (platformdirs)."""
    env = os.environ.get("ADBIB_DB")
    if env:
        from adbib.backend import target

        return target(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("adbib", appauthor=False)) / "adbib.db"
