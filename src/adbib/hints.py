"""What a query's values name, and the closest known ones when they name nothing.

``adbib query "venue:MICCIA"`` finds no venue: rather than an empty result with no word, the
CLI prints ``no venue 'MICCIA' — did you mean MICCAI?``.  Venues, datasets and categories are
compared with every name and alias in the database, authors with full and family names, and a
free-text word with the words of the full-text index (its FTS5 vocabulary, read through a
temporary ``fts5vocab`` table, so nothing is written to the database).

Standard library plus rapidfuzz, which is imported only when a value names nothing.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from typing import TypeVar

from adbib.backend import textsearch
from adbib.normalize.text import alias_key, fold
from adbib.query import NAMED_FIELDS, Query, Term, value_exists

MAX_SUGGESTIONS = 3
SCORE_CUTOFF = 70.0
MARGIN = 7.0

# name -> SELECT (shown, compared) pairs of everything a value of that field can name
_CHOICES = {
    "venue": "SELECT short_name, short_name FROM venue UNION SELECT short_name, name FROM venue"
    " UNION SELECT v.short_name, a.alias FROM venue_alias a JOIN venue v ON v.id = a.venue_id",
    "dataset": "SELECT name, name FROM dataset UNION SELECT family, family FROM dataset"
    " UNION SELECT d.name, a.alias FROM dataset_alias a JOIN dataset d ON d.id = a.dataset_id",
    "category": "SELECT name, name FROM category UNION SELECT name, title FROM category"
    " UNION SELECT c.name, a.alias FROM category_alias a JOIN category c ON c.id = a.category_id"
    " WHERE a.kind = 'alias'",
    "author": "SELECT name, name FROM author UNION SELECT family, family FROM author",
}


def _leaves(terms: tuple[Term, ...]) -> Iterator[Term]:
    for term in terms:
        if term.field == "or":
            yield from _leaves(term.values)
        else:
            yield term


def hints(con: sqlite3.Connection, query: Query) -> list[str]:
    """One line for each venue, dataset, category or author value that names nothing in the
    database and each free-text word found in no paper, with the closest known values."""
    out = []
    for term in _leaves(query.terms):
        if term.field not in (*NAMED_FIELDS, "text"):
            continue
        for value in term.values:
            if value_exists(con, term.field, value):
                continue
            if term.field == "text":
                out += _text_hints(con, value)
            else:
                out.append(_message(f"no {term.field} {value!r}", _closest_named(con, term.field, value)))
    return list(dict.fromkeys(out))


def _message(head: str, suggestions: list[str]) -> str:
    if not suggestions:
        return head
    shown = [_printable(s) for s in suggestions]
    said = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    return f"{head} — did you mean {said}?"


def _printable(text: str) -> str:
    """A value from the database, safe to print: control and format characters dropped."""
    return "".join(c for c in text if unicodedata.category(c)[0] != "C")


def _closest_named(con: sqlite3.Connection, name: str, value: str) -> list[str]:
    from rapidfuzz import fuzz, process

    shown_by_key: dict[str, str] = {}
    for shown, compared in con.execute(_CHOICES[name]):
        if compared:
            shown_by_key.setdefault(alias_key(compared) or compared.lower(), shown)
    matches = process.extract(
        alias_key(value) or value.lower(),
        list(shown_by_key),
        scorer=fuzz.ratio,
        limit=MAX_SUGGESTIONS * 4,
        score_cutoff=SCORE_CUTOFF,
    )
    ranked = _closest(sorted(matches, key=lambda m: (-m[1], m[0])))
    return list(dict.fromkeys(shown_by_key[key] for key, _, _ in ranked))[:MAX_SUGGESTIONS]


# a ranked match: (word, score) or rapidfuzz's (choice, score, index)
_Match = TypeVar("_Match", tuple[str, float], tuple[str, float, int])


def _closest(ranked: list[_Match]) -> list[_Match]:
    """The best matches only: those within MARGIN points of the best score."""
    return [m for m in ranked if m[1] >= ranked[0][1] - MARGIN] if ranked else []


def _text_hints(con: sqlite3.Connection, value: str) -> list[str]:
    """'no paper contains …' for the value, with the closest indexed words of each word in it
    that the index does not have (a phrase whose words all exist gets no suggestion)."""
    words: list[str] = re.findall(r"\w+", value.rstrip("*"))
    missing = [w for w in words if not value_exists(con, "text", w)]
    if not missing:
        return [f"no paper contains the phrase {value!r}"]
    return [_message(f"no paper contains {w!r}", _closest_words(con, w)) for w in missing]


def _closest_words(con: sqlite3.Connection, word: str) -> list[str]:
    """Indexed words close to ``word``: the index stores stems ('diffus'), so the closest stems
    are turned back into a word of a text they occur in ('diffusion') and ranked again."""
    from rapidfuzz import fuzz, process

    fts = textsearch.of(con)
    folded = fold(word).lower()
    terms = [t for t in fts.terms(con) if not t.isdigit()]
    stems = process.extract(folded, terms, scorer=fuzz.ratio, limit=MAX_SUGGESTIONS * 4, score_cutoff=SCORE_CUTOFF)
    words: dict[str, float] = {}
    for stem, _, _ in stems:
        surface = fts.surface(con, stem)
        if surface != folded:
            words.setdefault(surface, fuzz.ratio(folded, surface))
    ranked = _closest(
        sorted(((w, score) for w, score in words.items() if score >= SCORE_CUTOFF), key=lambda kv: (-kv[1], kv[0]))
    )
    return [w for w, _ in ranked][:MAX_SUGGESTIONS]
