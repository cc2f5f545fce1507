"""The rows the BibTeX export reads, per engine (standard library only).

A BibTeX entry reads a paper's own short columns, its authors, the first links of three roles
and its extra fields; :func:`adbib.rows.Papers.bibtex_records` fetches them a chunk of ids at a
time.  Building a Python row for each author and then a name text from it costs more than the
rest of the fetch together, so on SQLite the engine joins a paper's authors itself: one row a
paper, ``family || ', ' || given`` for each name in position order, ``' and '`` between two.

- SQLite: :data:`SQLITE` (``group_concat`` over the authorship index, which gives a paper's
  rows in position order; a name with a von or jr part or without a given name is written as a
  NUL, which sends the paper to the name-by-name rows of :attr:`BibtexSQL.name_parts`).
- PostgreSQL: none (:func:`of` returns None): the export reads the paper dicts of
  :func:`adbib.rows.papers`.
"""

from __future__ import annotations

import sqlite3


def _marks(n: int) -> str:
    return ", ".join("?" * n)


class BibtexSQL:
    """SQLite: the SELECTs of one chunk of ids (``n`` bound ids, any order, each SELECT)."""

    def papers(self, n: int) -> str:
        """(id, citekey, title, year, date, venue short name, venue name, venue type,
        authors_truncated, arxiv_id, doi) of the papers among the ids."""
        return (
            "SELECT p.id, p.citekey, p.title, p.year, p.date, v.short_name, v.name, v.type,"
            " p.authors_truncated, p.arxiv_id, p.doi"
            f" FROM paper p LEFT JOIN venue v ON v.id = p.venue_id WHERE p.id IN ({_marks(n)})"
        )

    def authors(self, n: int) -> str:
        """(paper id, its names joined, how many) for each paper with authors: each name
        ``family, given`` — or a NUL when it has a von or jr part or no given name — in position
        order, ``' and '`` between two.  The rows come through the (paper_id, position) index, in
        its order: group_concat joins them in that order (tests/test_fast_paths.py stores the
        positions out of order to hold it)."""
        return (
            "SELECT a.paper_id, group_concat(CASE WHEN au.von = '' AND au.jr = '' AND au.given <> ''"
            " THEN au.family || ', ' || au.given ELSE char(0) END, ' and '), count(*)"
            " FROM authorship a INDEXED BY sqlite_autoindex_authorship_1 JOIN author au ON au.id = a.author_id"
            f" WHERE a.paper_id IN ({_marks(n)}) GROUP BY a.paper_id"
        )

    def name_parts(self, n: int) -> str:
        """(paper id, von, family, jr, given) of each author of the papers, in position order."""
        return (
            "SELECT a.paper_id, au.von, au.family, au.jr, au.given FROM authorship a"
            f" JOIN author au ON au.id = a.author_id WHERE a.paper_id IN ({_marks(n)})"
            " ORDER BY a.paper_id, a.position"
        )

    def links(self, n: int) -> str:
        """(paper id, role, url) of the paper, arXiv and code links, in the order they were added."""
        return (
            "SELECT paper_id, role, url FROM link"
            f" WHERE paper_id IN ({_marks(n)}) AND role IN ('paper', 'arxiv', 'code') ORDER BY paper_id, id"
        )

    def fields(self, n: int) -> str:
        """(paper id, name, value) of the extra fields."""
        return f"SELECT paper_id, name, value FROM paper_field WHERE paper_id IN ({_marks(n)})"


SQLITE = BibtexSQL()


def of(con: object) -> BibtexSQL | None:
    """The BibTeX rows' SQL of a read connection, or None when its engine has none (PostgreSQL)."""
    if isinstance(con, sqlite3.Connection):
        return SQLITE
    found: BibtexSQL | None = getattr(con, "bibtex_rows", None)
    return found
