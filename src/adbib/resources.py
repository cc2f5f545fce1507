"""Where the shipped files live: seed lists, vocabularies, migrations.

In a wheel they are packaged under ``adbib/_data`` and ``adbib/_migrations``; in a source
checkout (editable install, tests) they are the repository's ``data/`` and ``migrations/``.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent
_REPO = _PKG.parent.parent


def _first(*candidates: Path) -> Path:
    for c in candidates:
        if c.exists():
            return c
    raise FileNotFoundError(f"adbib is incomplete: none of {', '.join(map(str, candidates))} exists")


def data_dir() -> Path:
    return _first(_PKG / "_data", _REPO / "data")


def seed_dir() -> Path:
    return data_dir() / "seed"


def vocab_dir() -> Path:
    return data_dir() / "vocab"


def migrations_dir() -> Path:
    return _first(_PKG / "_migrations", _REPO / "migrations")


def repo_relative(path: Path) -> str:
    """The path shown in provenance: 'data/seed/<file>' for shipped seed files, else as given."""
    path = Path(path)
    try:
        return "data/" + path.resolve().relative_to(data_dir().resolve()).as_posix()
    except ValueError:
        return str(path)
