"""Citations of a LaTeX document: the keys its ``.aux`` file records, and the papers they name.

bibtex runs leave ``\\citation{a,b}`` lines (``\\citation{*}`` for ``\\nocite{*}``), biblatex runs
``\\abx@aux@cite{0}{a}`` (older biblatex: ``\\abx@aux@cite{a}``); ``\\@input{chapter.aux}`` pulls
in the .aux of an ``\\include``d file.  Standard library only: ``export --aux`` only reads.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from adbib.errors import UsageError

_CITATION = re.compile(r"\\citation\{([^{}]*)\}")
_BIBLATEX_CITE = re.compile(r"\\abx@aux@cite(?:\{[^{}]*\})?\{([^{}]*)\}")
_INPUT = re.compile(r"\\@input\{([^{}]+)\}")
ALL = "*"


def aux_keys(path: Path, _seen: set[Path] | None = None) -> list[str]:
    """The citation keys of an .aux file (and the .aux files it inputs), in order of first
    citation, each once; ``*`` when the document has ``\\nocite{*}``."""
    seen = _seen if _seen is not None else set()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise UsageError(f"--aux {path}: {e.strerror or e}") from None
    seen.add(path.resolve())
    keys: dict[str, None] = {}
    for m in re.finditer(rf"{_CITATION.pattern}|{_BIBLATEX_CITE.pattern}|{_INPUT.pattern}", text):
        if m[3] is not None:  # \@input{other.aux}
            other = path.parent / m[3]
            if other.resolve() not in seen and other.exists():
                keys.update(dict.fromkeys(aux_keys(other, seen)))
            continue
        for key in (m[1] if m[1] is not None else m[2]).split(","):
            if key.strip():
                keys[key.strip()] = None
    return list(keys)


def shown(key: str) -> str:
    """A key as it may be printed on a terminal: characters that are not printable (escape
    sequences, controls) as ``\\x1b``-style escapes."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in key)


@dataclass
class Citations:
    """The papers a document cites: (paper id, key as cited) in citation order, and the keys
    that name no paper."""

    found: list[tuple[int, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def resolve_keys(con: sqlite3.Connection, keys: list[str]) -> Citations:
    """Each key looked up as a citekey, then as an alias (an old key, a .bib file's own key)."""
    out = Citations()
    for key in keys:
        row = con.execute(
            "SELECT id FROM paper WHERE citekey = ? UNION ALL SELECT paper_id FROM citekey_alias WHERE alias = ?",
            (key, key),
        ).fetchone()
        if row is None:
            out.unknown.append(key)
        else:
            out.found.append((row[0], key))
    return out
