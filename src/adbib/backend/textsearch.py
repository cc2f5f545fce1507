"""Full-text search SQL, per engine (standard library only: the query path imports it).

A search is a conjunction of terms, each a tuple of alternatives (OR); an alternative is a word
or phrase, a trailing ``*`` making its last word a prefix.  :class:`TextSearch` turns that into
the engine's match string and the SQL around it; every value reaches SQL as one bound parameter.

- SQLite: the FTS5 table ``paper_fts`` (``porter unicode61 remove_diacritics 2``), ranked by bm25
  with the column weights title 4, abstract 1, summary 2 (lower is better).
- PostgreSQL: the table ``paper_fts`` (id, doc tsvector, GIN index) kept by a trigger on paper,
  built with the text search configuration ``adbib`` (unaccent, then the Porter stemmer, no stop
  words: the same words FTS5 indexes), ranked by ``ts_rank`` with the same weights (title 'A' 4,
  summary 'B' 2, abstract 'D' 1); the rank column is negated so that, as with bm25, lower is better.
"""

from __future__ import annotations

import re
from typing import Any

# bm25 column weights for (title, abstract, summary): a hit in the title counts most.
BM25_WEIGHTS = "4.0, 1.0, 2.0"

_WORDS = re.compile(r"[^\W_]+")


class TextSearch:
    """SQLite FTS5."""

    rank = f"bm25(paper_fts, {BM25_WEIGHTS}) AS rank"

    def join(self) -> tuple[str, str]:
        """(JOIN clause, WHERE condition) selecting the papers that match; one ``?`` between them."""
        return "JOIN paper_fts ON paper_fts.rowid = p.id", "paper_fts MATCH ?"

    def ids(self) -> str:
        """A SELECT of the ids of the papers matching one ``?``."""
        return "SELECT rowid FROM paper_fts WHERE paper_fts MATCH ?"

    def all_of(self, terms: list[tuple[str, ...]]) -> str:
        return " AND ".join(self._alternatives(t) for t in terms)

    def any_of(self, terms: list[tuple[str, ...]]) -> str:
        return " OR ".join(self._alternatives(t) for t in terms)

    def _alternatives(self, values: tuple[str, ...]) -> str:
        strings = [self._value(v) for v in values]
        return strings[0] if len(strings) == 1 else "(" + " OR ".join(strings) + ")"

    @staticmethod
    def _string(text: str) -> str:
        """An FTS5 string literal: the tokenizer splits it into a phrase; nothing in it is syntax."""
        return '"' + text.replace('"', '""') + '"'

    def _value(self, text: str) -> str:
        """A quoted FTS5 string; a trailing ``*`` (``diffus*``) makes it a prefix query."""
        stripped = text.rstrip("*")
        return self._string(stripped) + " *" if stripped != text else self._string(text)

    # the index's vocabulary, for "did you mean" (adbib.hints)

    def terms(self, con: Any) -> list[str]:
        """Every indexed term (stems: 'diffus')."""
        _vocab(con)
        return [t for (t,) in con.execute("SELECT term FROM temp.adbib_vocab_row")]

    def surface(self, con: Any, stem: str) -> str:
        """A word as written in some paper for an indexed stem (the stem itself if none is found)."""
        _vocab(con)
        row = con.execute(
            "SELECT doc, col, offset FROM temp.adbib_vocab_instance WHERE term = ? LIMIT 1", (stem,)
        ).fetchone()
        if row is None or row[1] not in _COLUMNS:
            return stem
        text = con.execute(f"SELECT {row[1]} FROM paper WHERE id = ?", (row[0],)).fetchone()
        tokens = _WORDS.findall((text[0] if text else "") or "")
        if row[2] < len(tokens):
            surface = _folded(tokens[row[2]])
            if surface.startswith(stem[: max(1, len(stem) - 1)]):
                return surface
        return stem


_COLUMNS = ("title", "abstract", "summary")


def _folded(word: str) -> str:
    from adbib.normalize.text import fold

    return fold(word).lower()


def _vocab(con: Any) -> None:
    con.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.adbib_vocab_row USING fts5vocab(main, 'paper_fts', 'row')")
    con.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.adbib_vocab_instance USING fts5vocab(main, 'paper_fts', 'instance')"
    )


class PostgresTextSearch(TextSearch):
    """PostgreSQL: tsvector + GIN, ts_rank."""

    # ts_rank's weights are {D, C, B, A} in [0, 1]: abstract 1, -, summary 2, title 4 (bm25's, over 4)
    rank = "-ts_rank('{0.25, 0.0, 0.5, 1.0}', paper_fts.doc, fts_q.q) AS rank"

    def join(self) -> tuple[str, str]:
        return (
            "JOIN paper_fts ON paper_fts.id = p.id CROSS JOIN (SELECT to_tsquery('adbib', ?) AS q) fts_q",
            "paper_fts.doc @@ fts_q.q",
        )

    def ids(self) -> str:
        return "SELECT id FROM paper_fts WHERE doc @@ to_tsquery('adbib', ?)"

    def all_of(self, terms: list[tuple[str, ...]]) -> str:
        return " & ".join(self._alternatives(t) for t in terms)

    def any_of(self, terms: list[tuple[str, ...]]) -> str:
        return " | ".join(self._alternatives(t) for t in terms)

    def _alternatives(self, values: tuple[str, ...]) -> str:
        return "(" + " | ".join(self._value(v) for v in values) + ")"

    def terms(self, con: Any) -> list[str]:
        return [t for (t,) in con.execute("SELECT word FROM ts_stat('SELECT doc FROM paper_fts') ORDER BY word")]

    def surface(self, con: Any, stem: str) -> str:
        """The first word of a paper indexed under the stem that starts like it (as SQLite's)."""
        row = con.execute(
            "SELECT p.title, p.abstract, p.summary FROM paper_fts f JOIN paper p ON p.id = f.id "
            "WHERE f.doc @@ to_tsquery('simple', ?) ORDER BY p.id LIMIT 1",
            (f"'{stem}'",),
        ).fetchone()
        if row is None:
            return stem
        for text in row:
            for token in _WORDS.findall(text or ""):
                surface = _folded(token)
                if surface.startswith(stem[: max(1, len(stem) - 1)]):
                    return surface
        return stem

    def _value(self, text: str) -> str:
        """A phrase of the value's words (``<->``: adjacent, in order), each a quoted lexeme the
        configuration stems; a trailing ``*`` makes the last word a prefix.  Words are split as
        FTS5's unicode61 splits them (letters and digits), so no character is tsquery syntax."""
        prefix = text.rstrip() != text.rstrip().rstrip("*")
        words = _WORDS.findall(text)
        if not words:  # only punctuation: matches nothing (FTS5's empty phrase matches nothing too)
            return "('adbibnothing' & !'adbibnothing')"
        parts = [f"'{w}'" for w in words]
        if prefix:
            parts[-1] += ":*"
        return "(" + " <-> ".join(parts) + ")"


SQLITE = TextSearch()
POSTGRES = PostgresTextSearch()


def of(con: object) -> TextSearch:
    """The text search of a read connection (SQLite's unless the backend's connection says)."""
    found: TextSearch = getattr(con, "text_search", SQLITE)
    return found
