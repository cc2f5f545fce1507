"""Citekeys: ``{first author's family name}{year}{first significant title word}``, e.g.
``cai2024rethinking``, ASCII-folded and lowercased, made unique with a, b, … suffixes.

A key is assigned once, when the paper is created, and stored; nothing recomputes it later.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable

from adbib.limits import MAX_CITEKEY_PART
from adbib.normalize.text import fold

STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "on",
        "of",
        "for",
        "in",
        "to",
        "with",
        "and",
        "or",
        "from",
        "by",
        "via",
        "at",
        "as",
        "is",
        "are",
        "be",
        "do",
        "does",
        "can",
        "we",
        "our",
        "its",
        "toward",
        "towards",
        "into",
        "over",
        "under",
        "using",
    }
)
_WORD = re.compile(r"[a-z0-9]+")
# What a key a .bib file gives must be to be kept: printable ASCII without the characters
# bibtex or biber read as syntax (space , { } ( ) = " # % ' ~ \\).
_VALID_KEY = re.compile(r"[!$&*+\-./0-9:;<>?@A-Z\[\]^_`a-z]+")


def valid_key(key: str) -> bool:
    """Whether ``key`` can be a citekey in a .bib file read by bibtex and biber (at most 200 characters)."""
    return len(key) <= 200 and _VALID_KEY.fullmatch(key) is not None


def base_key(family: str | None, year: int | None, title: str) -> str:
    """The key before a suffix; the family and the word are cut at ``MAX_CITEKEY_PART``
    characters each, so that a key stays short whatever the title (a 100 KB word)."""
    fam = "".join(_WORD.findall(fold((family or "")[: 4 * MAX_CITEKEY_PART])))[:MAX_CITEKEY_PART] or "anon"
    # a word is what spaces delimit, punctuation dropped: 'f-AnoGAN:' -> 'fanogan'
    words = (w for w in ("".join(_WORD.findall(fold(t[: 4 * MAX_CITEKEY_PART]))) for t in title.split()) if w)
    first = next(words, "")
    word = (
        first
        if first not in STOPWORDS and not first.isdigit()
        else next((w for w in words if w not in STOPWORDS and not w.isdigit()), first)
    )
    return f"{fam}{year if year else 'nd'}{word[:MAX_CITEKEY_PART]}"


def _suffix(n: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa', … (bijective base 26, no end)."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out


class KeyPool:
    """The keys taken, remembering for each base where the search for a free suffix stopped:
    keys are only ever added during an import, so the next search for that base starts there,
    and n papers with one base cost n probes in all instead of n²/2.

    Both are held in a dict while small, then in a scratch database (:class:`adbib.scratch.Spilling`):
    two keys a paper of the database (as written, and lowercased) were ≈ 120 MB for a million."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        from adbib import scratch

        # two keys a paper: as many papers in a dict as the identity index holds before it spills
        self.keys: scratch.Spilling[str, None] = scratch.Spilling("keys", str, 2 * scratch.SPILL_AT)
        self.keys.set_many((k, None) for k in keys)
        self.next_suffix: scratch.Spilling[str, int] = scratch.Spilling("next_suffix", str)

    def __contains__(self, key: object) -> bool:
        return key in self.keys

    def add(self, key: str) -> None:
        self.keys[key] = None

    def update(self, keys: Iterable[str]) -> None:
        self.keys.set_many((k, None) for k in keys)

    def __len__(self) -> int:
        return len(self.keys)

    def close(self) -> None:
        self.keys.close()
        self.next_suffix.close()


def unique_key(base: str, taken: Container[str]) -> str:
    """``base`` if free, else base+'a', base+'b', … base+'aa', … (the first free one)."""
    if base not in taken:
        return base
    pool = taken if isinstance(taken, KeyPool) else None
    n = pool.next_suffix.get(base, 0) if pool is not None else 0
    while base + _suffix(n) in taken:
        n += 1
    if pool is not None:
        pool.next_suffix[base] = n
    return base + _suffix(n)
