"""The editable vocabularies in ``data/vocab/*.toml``, read once per process.

Maintainers edit the TOML files, not code: venues, datasets and categories (with the list
headings that map onto them).  :func:`load` parses a file the first time it is asked for and
then serves it from a cache, as do the lookup tables built from it: a process sees the
vocabulary as it was when first used.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache, lru_cache, wraps
from typing import Any, TypeVar

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


T = TypeVar("T")


def per_vocabulary(
    vocabulary: Callable[[], object], maxsize: int = 8192
) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """Cache a function of one string that also depends on a vocabulary: at most ``maxsize``
    results (least recently used dropped), all forgotten when ``vocabulary()`` is another object
    than at the last call (a test or ``vocab sync`` clearing the vocabulary's cache and reading
    the files again).  The object is held, so that its id cannot be reused by another."""

    def wrap(fn: Callable[[str], T]) -> Callable[[str], T]:
        cached = lru_cache(maxsize=maxsize)(fn)
        seen: list[object] = [None]

        @wraps(fn)
        def call(text: str) -> T:
            current = vocabulary()
            if current is not seen[0]:
                cached.cache_clear()
                seen[0] = current
            return cached(text)

        return call

    return wrap
