"""The editable vocabularies in ``data/vocab/*.toml``, read once per process.

Maintainers edit the TOML files, not code: venues, datasets and categories (with the list
headings that map onto them).  :func:`load` parses a file the first time it is asked for and
then serves it from a cache, as do the lookup tables built from it: a process sees the
vocabulary as it was when first used.
"""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any

from adbib.normalize.text import alias_key
from adbib.resources import vocab_dir


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed ``data/vocab/<name>.toml``; raises FileNotFoundError naming the path."""
    path = vocab_dir() / f"{name}.toml"
    with path.open("rb") as fh:
        return tomllib.load(fh)


# The lookup key of every vocabulary (also used for the alias tables in the database).
match_key = alias_key
