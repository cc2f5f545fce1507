"""Database rows -> the plain dicts every listing, ``show`` and exporter consumes.

:func:`papers` builds the paper objects of the JSON export in the caller's order, a chunk of
ids at a time with a handful of set-based SELECTs per chunk, so exporting any number of papers
streams in flat memory.  :func:`paper_detail` adds everything ``adbib show`` tells; the browsing
functions (:func:`venues`, :func:`datasets`, :func:`authors`, :func:`categories`, :func:`stats`)
return lists of dicts ready to render.

Standard library only (plus adbib's light helpers), on stdlib ``sqlite3`` connections — or the
PostgreSQL backend's connection, which has the same interface (:mod:`adbib.backend.postgres`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from itertools import islice
from typing import Any

from adbib.normalize.ids import normalize_arxiv, normalize_doi
from adbib.normalize.text import title_key
from adbib.records import LINK_ROLES

# Dataset evidence, strongest first: a list's Datasets line, then an imported record, then a
# name spotted in an abstract.
EVIDENCE = ("datasets-line", "import", "abstract")
# joins that keep the rows of live papers only (adbib delete hides a paper from every listing)
LIVE_PD = "JOIN paper lp ON lp.id = pd.paper_id AND lp.deleted_at IS NULL"
LIVE_PC = "JOIN paper lp ON lp.id = pc.paper_id AND lp.deleted_at IS NULL"
_EVIDENCE_RANK = "CASE pd.evidence " + " ".join(f"WHEN '{e}' THEN {i}" for i, e in enumerate(EVIDENCE)) + " END"

_PAPERS = """
SELECT p.id, p.citekey, p.title, p.year, p.date, v.short_name, v.name, v.type,
       p.authors_truncated, p.arxiv_id, p.doi, p.domain, p.abstract, p.summary,
       p.short_name, p.note
FROM paper p LEFT JOIN venue v ON v.id = p.venue_id
WHERE p.id IN ({ids})"""
_AUTHORS = """
SELECT a.paper_id, a.author_id FROM authorship a
WHERE a.paper_id IN ({ids}) ORDER BY a.paper_id, a.position"""
# the authors of a chunk not met before in the export (one author is on many papers)
_AUTHOR = "SELECT au.id, au.name, au.given, au.family, au.von, au.jr FROM author au WHERE au.id IN ({ids})"
# authors kept between chunks, at most (then forgotten at once): memory flat in the export's size
_AUTHOR_CACHE = 20_000
_LINKS = "SELECT paper_id, role, url FROM link WHERE paper_id IN ({ids}) ORDER BY paper_id, id"
_TAGS = "SELECT paper_id, name FROM tag WHERE paper_id IN ({ids}) ORDER BY paper_id, name"
_FIELDS = "SELECT paper_id, name, value FROM paper_field WHERE paper_id IN ({ids}) ORDER BY paper_id, name"
# One row per (paper, dataset): its strongest evidence; in the order the datasets were first
# recorded (a list's Datasets line order).
_DATASETS = f"""
SELECT pd.paper_id, d.name, d.family, min({_EVIDENCE_RANK}) AS rank, min(pd.rowid) AS seen
FROM paper_dataset pd JOIN dataset d ON d.id = pd.dataset_id
WHERE pd.paper_id IN ({{ids}})
GROUP BY pd.paper_id, d.id ORDER BY pd.paper_id, rank, seen"""
_CATEGORIES = """
SELECT DISTINCT pc.paper_id, c.name FROM paper_category pc JOIN category c ON c.id = pc.category_id
WHERE pc.paper_id IN ({ids}) ORDER BY pc.paper_id, c.name"""
_SOURCES = """
SELECT pr.paper_id, s.path, pr.line, pr.section FROM provenance pr JOIN source s ON s.id = pr.source_id
WHERE pr.paper_id IN ({ids}) ORDER BY pr.paper_id, pr.source_id, pr.line"""


# What a paper dict can carry beyond its own short columns, each related table fetched by one
# SELECT per chunk: "authors" gives ``authors`` and ``author_names``, "abstract" the ``abstract``
# and ``summary`` texts (the longest values of a row), the others the key of their name.  A
# consumer asks for the parts it reads (a BibTeX entry never reads datasets, categories, sources,
# tags or the abstract); a part not asked for is left out of the dicts, so reading it is a
# KeyError, not a silent empty value.
PARTS = frozenset({"authors", "abstract", "links", "datasets", "categories", "fields", "tags", "sources"})
# the paper rows without their long texts, for a consumer that does not read them
_PAPERS_BRIEF = _PAPERS.replace("p.abstract, p.summary", "NULL, NULL")


def papers(
    con: sqlite3.Connection, ids: Iterable[int], chunk: int | None = None, parts: Iterable[str] = PARTS
) -> Iterator[dict[str, Any]]:
    """The paper dicts of the given ids, in the given order (ids not in the database are skipped),
    with the related rows of ``parts`` (see :data:`PARTS`); a :class:`Papers` stream.  ``chunk``:
    the ids read by one SELECT (default 500; 4,000 for :meth:`Papers.bibtex_records`, whose
    records are small and whose SELECTs find more rows on one page in a longer sorted id list)."""
    wanted = frozenset(parts)
    if not wanted <= PARTS:
        raise ValueError(f"unknown parts: {', '.join(sorted(wanted - PARTS))}")
    return Papers(con, ids, chunk, wanted)


class Papers(Iterator[dict[str, Any]]):
    """An iterator of paper dicts (see :func:`papers`) that can instead, before it is iterated,
    give each paper as the text of its JSON object, written by the engine (:meth:`json_texts`)."""

    def __init__(self, con: sqlite3.Connection, ids: Iterable[int], chunk: int | None, wanted: frozenset[str]) -> None:
        self._con, self._ids, self._wanted = con, ids, wanted
        self._chunk, self._record_chunk = chunk or _CHUNK, chunk or _RECORD_CHUNK
        self._dicts: Iterator[dict[str, Any]] | None = None

    def __next__(self) -> dict[str, Any]:
        if self._dicts is None:
            self._dicts = _paper_dicts(self._con, self._ids, self._chunk, self._wanted)
        return next(self._dicts)

    def json_texts(self) -> Iterator[str] | None:
        """Each paper's JSON object as :mod:`adbib.exporters.json` writes it (every part), in the
        given order, from one SELECT a chunk; None when the engine has no such SELECT
        (:mod:`adbib.backend.jsontext`), when not every part was asked for, or once iterated."""
        from adbib.backend import jsontext

        sql = jsontext.of(self._con)
        if sql is None or self._wanted != PARTS or self._dicts is not None:
            return None
        self._dicts = iter(())  # the ids are read once: by the texts
        return _json_texts(self._con, sql, self._ids, self._chunk)

    def bibtex_records(self) -> Iterator[BibtexRecord] | None:
        """Each paper as the record :mod:`adbib.exporters.bibtex` writes (:data:`BibtexRecord`), in
        the given order, from a few SELECTs a chunk with one row a paper for its authors; None when
        the engine has no such SELECTs (:mod:`adbib.backend.bibtexrows`), when the BibTeX parts
        were not asked for, or once iterated."""
        from adbib.backend import bibtexrows

        sql = bibtexrows.of(self._con)
        if sql is None or not self._wanted >= _BIBTEX_PARTS or self._dicts is not None:
            return None
        self._dicts = iter(())  # the ids are read once: by the records
        return _bibtex_records(self._con, sql, self._ids, self._record_chunk)


_CHUNK, _RECORD_CHUNK = 500, 4000
# What a BibTeX record needs of the paper's related rows (adbib.exporters.bibtex.PARTS).
_BIBTEX_PARTS = frozenset({"authors", "links", "fields"})
# A paper's authors as the BibTeX export reads them: the names joined as ``family, given and …``
# (then every name has no von or jr part, a given name, and no part holds a comma, a brace or an
# "and" between spaces), else each name's (von, family, jr, given).
BibtexAuthors = str | list[tuple[str, str, str, str]]
# (citekey, title, year, date, venue, venue_name, venue_type, authors_truncated, arxiv, doi,
#  fields, authors, links): ``fields`` every extra field, ``links`` the URLs of the roles paper,
# arxiv and code (each as added; a role without any left out).
BibtexRecord = tuple[
    str, str, "int | None", "str | None", "str | None", "str | None", "str | None", bool, "str | None",
    "str | None", dict[str, str], BibtexAuthors, dict[str, list[str]],
]  # fmt: skip
# an "and" that bibtex would read as a separator: between spaces, commas or the ends
_AND_WORD = re.compile(r"(?<![^\s,])and(?![^\s,])", re.I)
_NO_FIELDS: dict[str, str] = {}
_NO_LINKS: dict[str, list[str]] = {}


def joinable(joined: str, count: int) -> bool:
    """Whether ``count`` names joined as ``family, given and …`` stand for the names
    (:data:`BibtexAuthors`): no name written as a NUL (it has a von or jr part or no given name)
    and no part holding a comma (one a name), a brace or an "and" word (one between two)."""
    return not (
        "\0" in joined
        or joined.count(",") != count
        or "{" in joined
        or "}" in joined
        or len(_AND_WORD.findall(joined)) != count - 1
    )


def _bibtex_records(con: sqlite3.Connection, sql: Any, ids: Iterable[int], chunk: int) -> Iterator[BibtexRecord]:
    cur = con.cursor()
    cur.row_factory = None  # plain tuples: the fastest rows sqlite3 makes
    it = iter(ids)
    while batch := list(islice(it, chunk)):
        n = len(batch)
        base = {r[0]: r for r in cur.execute(sql.papers(n), batch)}
        authors: dict[int, BibtexAuthors] = {}
        parted = []
        for pid, joined, count in cur.execute(sql.authors(n), batch):
            if joinable(joined, count):
                authors[pid] = joined
            else:
                parted.append(pid)
        if parted:
            for pid, von, family, jr, given in cur.execute(sql.name_parts(len(parted)), parted):
                names = authors.setdefault(pid, [])
                assert isinstance(names, list)
                names.append((von, family, jr, given))
        links: dict[int, dict[str, list[str]]] = {}
        for pid, role, url in cur.execute(sql.links(n), batch):
            by_role = links.get(pid)
            if by_role is None:
                links[pid] = {role: [url]}
            elif role in by_role:
                by_role[role].append(url)
            else:
                by_role[role] = [url]
        fields: dict[int, dict[str, str]] = {}
        for pid, name, value in cur.execute(sql.fields(n), batch):
            some = fields.get(pid)
            if some is None:
                fields[pid] = {name: value}
            else:
                some[name] = value
        for pid in batch:
            row = base.get(pid)
            if row is None:
                continue
            _, citekey, title, year, date, venue, venue_name, venue_type, truncated, arxiv, doi = row
            yield (
                citekey, title, year, date, venue, venue_name, venue_type, bool(truncated), arxiv, doi,
                fields.get(pid, _NO_FIELDS), authors.get(pid, ""), links.get(pid, _NO_LINKS),
            )  # fmt: skip
        del base, authors, links, fields  # one chunk held at a time: memory flat in the number of papers


def _json_texts(con: sqlite3.Connection, sql: Any, ids: Iterable[int], chunk: int) -> Iterator[str]:
    cur = con.cursor()
    cur.row_factory = None
    it = iter(ids)
    while batch := list(islice(it, chunk)):
        texts: dict[int, str] = dict(cur.execute(sql.select(len(batch)), batch))
        for pid in batch:
            text = texts.get(pid)
            if text is not None:
                yield text
        del texts, text  # one chunk's texts held at a time: memory flat in the number of papers


def _paper_dicts(
    con: sqlite3.Connection, ids: Iterable[int], chunk: int, wanted: frozenset[str]
) -> Iterator[dict[str, Any]]:
    cur = con.cursor()
    cur.row_factory = None  # plain tuples: the fastest rows sqlite3 makes
    known: dict[int, tuple[str, dict[str, str | None]]] = {}
    it = iter(ids)
    while batch := list(islice(it, chunk)):
        if len(known) > _AUTHOR_CACHE:
            known.clear()
        yield from _chunk(cur, batch, wanted, known)


def _chunk(
    cur: sqlite3.Cursor,
    batch: list[int],
    wanted: frozenset[str] = PARTS,
    known: dict[int, tuple[str, dict[str, str | None]]] | None = None,
) -> Iterator[dict[str, Any]]:
    marks = ", ".join("?" * len(batch))

    def rows(sql: str, part: str | None = None) -> list[Any]:
        if part is not None and part not in wanted:
            return []
        return cur.execute(sql.format(ids=marks), batch).fetchall()

    base = {r[0]: r for r in rows(_PAPERS if "abstract" in wanted else _PAPERS_BRIEF)}
    # (name, name parts) of each author id; a paper's authors share the parts dicts of the cache
    known = {} if known is None else known
    names: dict[int, list[tuple[str, dict[str, str | None]]]] = defaultdict(list)
    authorships = rows(_AUTHORS, "authors")
    new = list({aid for _, aid in authorships if aid not in known})
    for start in range(0, len(new), len(batch) or 1):
        some = new[start : start + len(batch)]
        for aid, name, given, family, von, jr in cur.execute(_AUTHOR.format(ids=", ".join("?" * len(some))), some):
            known[aid] = (name, {"given": given, "family": family, "von": von, "jr": jr})
    for pid, aid in authorships:
        names[pid].append(known[aid])
    links: dict[int, dict[str, list[str]]] = defaultdict(dict)
    for pid, role, url in rows(_LINKS, "links"):
        links[pid].setdefault(role, []).append(url)
    datasets: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pid, name, family, evidence, _ in rows(_DATASETS, "datasets"):
        datasets[pid].append({"name": name, "family": family, "evidence": EVIDENCE[evidence]})
    categories: dict[int, list[str]] = defaultdict(list)
    for pid, name in rows(_CATEGORIES, "categories"):
        categories[pid].append(name)
    extra: dict[int, dict[str, str]] = defaultdict(dict)
    for pid, name, value in rows(_FIELDS, "fields"):
        extra[pid][name] = value
    tags: dict[int, list[str]] = defaultdict(list)
    for pid, name in rows(_TAGS, "tags"):
        tags[pid].append(name)
    sources: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pid, path, line, section in rows(_SOURCES, "sources"):
        sources[pid].append({"file": path, "line": line, "section": section})

    missing = PARTS - wanted
    for pid in batch:
        row = base.get(pid)
        if row is None:
            continue
        people = names.get(pid, ())
        by_role = links.get(pid, {})
        paper = {
            "id": pid,
            "citekey": row[1],
            "title": row[2],
            "year": row[3],
            "date": row[4],
            "venue": row[5],
            "venue_name": row[6],
            "venue_type": row[7],
            "authors": [name for name, _ in people],
            "author_names": [parts for _, parts in people],
            "authors_truncated": bool(row[8]),
            "arxiv": row[9],
            "doi": row[10],
            "links": {role: by_role[role] for role in LINK_ROLES if role in by_role},
            "datasets": datasets.get(pid, []),
            "categories": categories.get(pid, []),
            "domain": row[11],
            "abstract": row[12],
            "summary": row[13],
            "sources": sources.get(pid, []),
            "fields": extra.get(pid, {}),  # pages, volume, number, publisher, month, editor, …
            "short_name": row[14],
            "tags": tags.get(pid, []),
            "note": row[15],
        }
        if missing:
            for part in missing:
                del paper[part]
            if "authors" in missing:
                del paper["author_names"]
            if "abstract" in missing:
                del paper["summary"]
        yield paper


# ------------------------------------------------------------------------------ show


def resolve(con: sqlite3.Connection, ref: str) -> int | None:
    """The id of the paper REF names: a numeric id, a citekey, an old citekey (merged paper),
    a DOI (any case, with or without resolver prefix) or an arXiv id (any version, ``arXiv:``)."""
    ref = ref.strip()
    lookups = [
        ("SELECT id FROM paper WHERE id = ?", int(ref) if ref.isdigit() else None),
        ("SELECT id FROM paper WHERE citekey = ?", ref),
        ("SELECT paper_id FROM citekey_alias WHERE alias = ?", ref),
        ("SELECT id FROM paper WHERE doi = ?", normalize_doi(ref)),
        ("SELECT id FROM paper WHERE arxiv_id = ?", normalize_arxiv(ref)),
    ]
    for sql, value in lookups:
        if value:
            row = con.execute(sql, (value,)).fetchone()
            if row is not None:
                pid: int = row[0]
                return pid
    return None


def paper_detail(con: sqlite3.Connection, ref: str) -> dict[str, Any] | None:
    """Everything ``adbib show REF`` tells about a paper, or None when REF names no paper.

    The paper dict, with ``datasets`` also saying which sources found each one, plus
    ``relations`` (direction 'out': this paper <kind> the other; 'in': the other <kind> this
    paper), ``provenance`` (each appearance with its raw text and what it reported),
    ``disagreements`` (title, year, venue, authors: what each source said, when they differ from
    each other or from the stored value), ``changes`` made by imports, ``citekey_aliases``
    and ``stars``.
    """
    pid = resolve(con, ref)
    if pid is None:
        return None
    paper = next(papers(con, [pid]))
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for name, source, path, evidence, raw in con.execute(
        """SELECT d.name, s.name, s.path, pd.evidence, pd.raw FROM paper_dataset pd
           JOIN dataset d ON d.id = pd.dataset_id JOIN source s ON s.id = pd.source_id
           WHERE pd.paper_id = ? ORDER BY pd.source_id, pd.rowid""",
        (pid,),
    ):
        found[name].append({"source": source, "file": path, "evidence": evidence, "raw": raw})
    for d in paper["datasets"]:
        d["sources"] = found[d["name"]]

    provenance = [
        {
            "source": source,
            "file": path,
            "line": line,
            "section": section,
            "raw_text": raw,
            "reported": json.loads(reported),
        }
        for source, path, line, section, raw, reported in con.execute(
            """SELECT s.name, s.path, pr.line, pr.section, pr.raw_text, pr.reported
               FROM provenance pr JOIN source s ON s.id = pr.source_id
               WHERE pr.paper_id = ? ORDER BY pr.source_id, pr.line""",
            (pid,),
        )
    ]
    paper["stars"] = con.execute("SELECT stars FROM paper WHERE id = ?", (pid,)).fetchone()[0]
    paper["relations"] = [
        {"kind": kind, "direction": direction, "id": other, "citekey": citekey, "title": title}
        for kind, direction, other, citekey, title in con.execute(
            """SELECT r.kind, 'out', o.id, o.citekey, o.title FROM relation r
               JOIN paper o ON o.id = r.object_id WHERE r.subject_id = ?
               UNION ALL
               SELECT r.kind, 'in', s.id, s.citekey, s.title FROM relation r
               JOIN paper s ON s.id = r.subject_id WHERE r.object_id = ?
               ORDER BY 2 DESC, 1, 3""",
            (pid, pid),
        )
    ]
    paper["provenance"] = provenance
    paper["disagreements"] = disagreements(paper, provenance)
    paper["changes"] = [
        {"field": fld, "old": old, "new": new, "source": source, "file": path}
        for fld, old, new, source, path in con.execute(
            """SELECT c.field, c.old, c.new, s.name, s.path FROM change c
               JOIN source s ON s.id = c.source_id WHERE c.paper_id = ? ORDER BY c.id""",
            (pid,),
        )
    ]
    deleted_at = con.execute("SELECT deleted_at FROM paper WHERE id = ?", (pid,)).fetchone()[0]
    paper["deleted"] = None
    if deleted_at is not None:
        op = con.execute(
            """SELECT o.id FROM operation o JOIN journal j ON j.operation_id = o.id
               WHERE o.kind = 'delete' AND o.undone_by IS NULL AND j.tbl = 'paper' AND j.row_id = ?
               ORDER BY o.id DESC LIMIT 1""",
            (pid,),
        ).fetchone()
        paper["deleted"] = {"at": deleted_at[:19], "operation": op[0] if op else None}
    paper["edited"] = [
        r[0]
        for r in con.execute(
            "SELECT field FROM field_source WHERE paper_id = ? AND list_name = 'manual' ORDER BY field", (pid,)
        )
    ]
    paper["citekey_aliases"] = [
        r[0] for r in con.execute("SELECT alias FROM citekey_alias WHERE paper_id = ? ORDER BY alias", (pid,))
    ]
    return paper


# How two statements of a field are compared: trivial differences of case, accents and
# punctuation are not disagreements; a different year, venue or author list is.
_SAME: dict[str, Callable[[Any], Hashable]] = {
    "title": title_key,
    "year": lambda v: v,
    "venue": title_key,
    "authors": lambda v: tuple(title_key(a) for a in v),
}


def disagreements(paper: dict[str, Any], provenance: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For title, year, venue and authors: when the sources' reported values differ from each
    other or from the stored value, the stored value and what each source said."""
    out = []
    for fld, key in _SAME.items():
        said = [(p, p["reported"].get(fld)) for p in provenance]
        said = [(p, v) for p, v in said if v not in (None, "", [])]
        values = {key(v) for _, v in said}
        if paper[fld] not in (None, "", []):
            values.add(key(paper[fld]))
        if len(values) > 1:
            out.append(
                {
                    "field": fld,
                    "stored": paper[fld],
                    "reported": [
                        {"source": p["source"], "file": p["file"], "line": p["line"], "value": v} for p, v in said
                    ],
                }
            )
    return out


# ------------------------------------------------------------------------------ browsing


def _dicts(con: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    cur = con.execute(sql, tuple(params))
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]


def _aliases(con: sqlite3.Connection, table: str, fk: str) -> dict[int, list[str]]:
    """Target id -> its aliases (including names and headings), alphabetically."""
    out: dict[int, list[str]] = defaultdict(list)
    for target, alias in con.execute(f"SELECT {fk}, alias FROM {table} ORDER BY {fk}, alias COLLATE NOCASE"):
        out[target].append(alias)
    return out


def _other(aliases: list[str], *names: str) -> list[str]:
    """The aliases that are not one of the entry's own names."""
    return [a for a in aliases if a not in names]


def venues(con: sqlite3.Connection) -> list[dict[str, Any]]:
    """Venues with papers: short_name, name, type, papers, aliases (other spellings); most
    papers first."""
    rows = _dicts(
        con,
        """
        SELECT v.id, v.short_name, v.name, v.type, count(*) AS papers
        FROM venue v JOIN paper p ON p.venue_id = v.id
        WHERE p.deleted_at IS NULL
        GROUP BY v.id ORDER BY papers DESC, v.short_name COLLATE NOCASE""",
    )
    aliases = _aliases(con, "venue_alias", "venue_id")
    for r in rows:
        r["aliases"] = _other(aliases[r.pop("id")], r["short_name"], r["name"])
    return rows


def datasets(con: sqlite3.Connection) -> list[dict[str, Any]]:
    """Dataset families with papers, most papers first: family, papers (distinct papers using any
    dataset of the family), datasets (name, papers, aliases; most papers first)."""
    per_dataset = _dicts(
        con,
        f"""
        SELECT d.id, d.name, d.family, count(DISTINCT pd.paper_id) AS papers
        FROM dataset d JOIN paper_dataset pd ON pd.dataset_id = d.id {LIVE_PD}
        GROUP BY d.id ORDER BY papers DESC, d.name COLLATE NOCASE""",
    )
    per_family = dict(
        con.execute(f"""
            SELECT d.family, count(DISTINCT pd.paper_id)
            FROM dataset d JOIN paper_dataset pd ON pd.dataset_id = d.id {LIVE_PD} GROUP BY d.family""")
    )
    aliases = _aliases(con, "dataset_alias", "dataset_id")
    families: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in per_dataset:
        families[d["family"]].append(
            {"name": d["name"], "papers": d["papers"], "aliases": _other(aliases[d["id"]], d["name"])}
        )
    return sorted(
        ({"family": f, "papers": per_family[f], "datasets": members} for f, members in families.items()),
        key=lambda f: (-f["papers"], f["family"].casefold()),
    )


def authors(con: sqlite3.Connection, limit: int | None = None) -> list[dict[str, Any]]:
    """Authors with their paper counts (name, family, papers); most papers first, then by name."""
    sql = """
        SELECT au.name, au.family, count(DISTINCT a.paper_id) AS papers
        FROM author au JOIN authorship a ON a.author_id = au.id
        JOIN paper lp ON lp.id = a.paper_id AND lp.deleted_at IS NULL
        GROUP BY au.id ORDER BY papers DESC, au.family_key, au.name_key"""
    if limit is not None:
        return _dicts(con, sql + " LIMIT ?", (limit,))
    return _dicts(con, sql)


def categories(con: sqlite3.Connection) -> list[dict[str, Any]]:
    """Categories with papers: name (slug), title, papers, aliases (other words and the list
    headings filed under it); most papers first."""
    rows = _dicts(
        con,
        f"""
        SELECT c.id, c.name, c.title, count(DISTINCT pc.paper_id) AS papers
        FROM category c JOIN paper_category pc ON pc.category_id = c.id {LIVE_PC}
        GROUP BY c.id ORDER BY papers DESC, c.name""",
    )
    aliases = _aliases(con, "category_alias", "category_id")
    for r in rows:
        r["aliases"] = _other(aliases[r.pop("id")], r["name"], r["title"])
    return rows


def stats(con: sqlite3.Connection) -> dict[str, Any]:
    """What ``adbib stats`` shows.

    ``counts``: papers, authors, venues and datasets that have papers, categories in use,
    links, sources.  ``sources``: per imported file (in import order) its counts and its
    ``issues`` grouped by kind and reason (count and lines).  ``per_year`` (oldest first,
    unknown year last), ``per_venue`` and ``per_category`` (most papers first).
    """
    (counts,) = _dicts(
        con,
        f"""
        SELECT (SELECT count(*) FROM paper WHERE deleted_at IS NULL) AS papers,
               (SELECT count(*) FROM author) AS authors,
               (SELECT count(DISTINCT venue_id) FROM paper WHERE deleted_at IS NULL) AS venues,
               (SELECT count(DISTINCT dataset_id) FROM paper_dataset pd {LIVE_PD}) AS datasets,
               (SELECT count(DISTINCT category_id) FROM paper_category pc {LIVE_PC}) AS categories,
               (SELECT count(*) FROM link l JOIN paper lp ON lp.id = l.paper_id AND lp.deleted_at IS NULL) AS links,
               (SELECT count(*) FROM source) AS sources""",
    )
    sources = _dicts(
        con,
        """
        SELECT id, name, path, entries_read, papers_created AS created, papers_merged AS merged,
               papers_unchanged AS unchanged, entries_skipped AS skipped, entries_failed AS failed
        FROM source ORDER BY id""",
    )
    issues: dict[tuple[int, str, str], list[int]] = defaultdict(list)
    for source_id, kind, reason, line in con.execute(
        "SELECT source_id, kind, reason, line FROM source_issue ORDER BY source_id, kind, reason, line"
    ):
        issues[source_id, kind, reason].append(line)
    for s in sources:
        sid = s.pop("id")
        s["issues"] = [
            {"kind": kind, "reason": reason, "count": len(lines), "lines": lines}
            for (source_id, kind, reason), lines in issues.items()
            if source_id == sid
        ]
    return {
        "counts": counts,
        "sources": sources,
        "per_year": _dicts(
            con,
            """
            SELECT year, count(*) AS papers FROM paper WHERE deleted_at IS NULL GROUP BY year ORDER BY year IS NULL, year""",
        ),
        "per_venue": _dicts(
            con,
            """
            SELECT v.short_name AS venue, count(*) AS papers FROM paper p LEFT JOIN venue v ON v.id = p.venue_id
            WHERE p.deleted_at IS NULL GROUP BY v.id ORDER BY papers DESC, v.short_name IS NULL, v.short_name COLLATE NOCASE""",
        ),
        "per_category": _dicts(
            con,
            f"""
            SELECT c.name AS category, count(DISTINCT pc.paper_id) AS papers
            FROM category c JOIN paper_category pc ON pc.category_id = c.id {LIVE_PC}
            GROUP BY c.id ORDER BY papers DESC, c.name""",
        ),
    }


def duplicates(con: sqlite3.Connection, min_score: float = 90.0) -> list[dict[str, Any]]:
    """Probable duplicates for review: one arXiv id or DOI on two rows (an identifier column on
    one, a link on the other), or titles at least ``min_score`` similar (rapidfuzz ratio on
    title keys) with years at most one apart."""
    from rapidfuzz import fuzz

    from adbib.normalize.ids import arxiv_from_url, doi_from_url

    papers = {
        r["id"]: r
        for r in con.execute(
            "SELECT id, citekey, title, title_key, year, arxiv_id, doi FROM paper WHERE deleted_at IS NULL"
        )
    }
    by_arxiv = {r["arxiv_id"]: pid for pid, r in papers.items() if r["arxiv_id"]}
    by_doi = {r["doi"]: pid for pid, r in papers.items() if r["doi"]}
    found: dict[tuple[int, int], tuple[float, str]] = {}
    for pid, url in con.execute("SELECT paper_id, url FROM link"):
        if pid not in papers:
            continue
        for ident, index, what in ((arxiv_from_url(url), by_arxiv, "arXiv id"), (doi_from_url(url), by_doi, "DOI")):
            other = index.get(ident) if ident else None
            if other is not None and other != pid:
                found[tuple(sorted((pid, other)))] = (100.0, f"same {what} {ident}")
    blocks: dict[str, list[int]] = {}
    for pid, r in papers.items():
        blocks.setdefault(r["title_key"][:12], []).append(pid)
    for ids in blocks.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                ya, yb = papers[a]["year"], papers[b]["year"]
                if ya is not None and yb is not None and abs(ya - yb) > 1:
                    continue
                score = fuzz.ratio(papers[a]["title_key"], papers[b]["title_key"])
                if score >= min_score and (a, b) not in found:
                    found[(a, b)] = (round(score, 1), "close titles")
    out = []
    for c in conflicts(con):  # what the imports refused to merge comes first
        if any(c[k] is not None and c[k] not in papers for k in ("id", "other_id")):
            continue  # a deleted paper's conflict is not for review
        pair = tuple(sorted((c["id"], c["other_id"]))) if c["id"] and c["other_id"] else None
        if pair is not None and pair[0] != pair[1]:
            found.pop(pair, None)
        out.append(
            {
                "score": 100.0,
                "reason": f"conflict ({c['source']} line {c['line']}): {c['reason']}",
                "id": c["id"],
                "citekey": c["citekey"],
                "title": c["title"],
                "other_id": c["other_id"],
                "other_citekey": c["other_citekey"],
                "other_title": c["other_title"],
            }
        )
    for (a, b), (score, reason) in sorted(found.items(), key=lambda kv: (-kv[1][0], kv[0])):
        out.append(
            {
                "score": score,
                "reason": reason,
                "id": a,
                "citekey": papers[a]["citekey"],
                "title": papers[a]["title"],
                "other_id": b,
                "other_citekey": papers[b]["citekey"],
                "other_title": papers[b]["title"],
            }
        )
    return out


def unknown_vocabulary(con: sqlite3.Connection, only: str | None = None) -> list[dict[str, Any]]:
    """Venues, datasets and categories that no vocabulary file names (kept as the sources wrote
    them): kind, name, full name, papers — most papers first."""
    parts = {
        "venue": """SELECT 'venue' AS kind, v.short_name AS name, v.name AS full_name,
                           count(p.id) AS papers
                    FROM venue v LEFT JOIN paper p ON p.venue_id = v.id
                    WHERE NOT v.known GROUP BY v.id""",
        "dataset": """SELECT 'dataset' AS kind, d.name AS name, d.family AS full_name,
                             count(DISTINCT pd.paper_id) AS papers
                      FROM dataset d LEFT JOIN paper_dataset pd ON pd.dataset_id = d.id
                      WHERE NOT d.known GROUP BY d.id""",
        "category": """SELECT 'category' AS kind, c.name AS name, c.title AS full_name,
                              count(DISTINCT pc.paper_id) AS papers
                       FROM category c LEFT JOIN paper_category pc ON pc.category_id = c.id
                       WHERE NOT c.known GROUP BY c.id""",
    }
    chosen = [parts[only]] if only else list(parts.values())
    # a sub-select: an ORDER BY of a UNION may only name its columns on PostgreSQL (not an expression)
    sql = "SELECT * FROM (" + " UNION ALL ".join(chosen) + ") u ORDER BY papers DESC, kind, name COLLATE NOCASE"
    return [r for r in _dicts(con, sql) if r["papers"]]


def conflicts(con: sqlite3.Connection) -> list[dict[str, Any]]:
    """Identity conflicts the imports reported (an identifier on a paper whose title does not fit
    it, one identifier on several titles of one file, one title under two identifiers)."""
    return _dicts(
        con,
        """
        SELECT c.kind, c.field, c.value, c.reason, s.name AS source, c.line,
               p.id, p.citekey, p.title, o.id AS other_id, o.citekey AS other_citekey, o.title AS other_title
        FROM conflict c JOIN source s ON s.id = c.source_id
        LEFT JOIN paper p ON p.id = c.paper_id LEFT JOIN paper o ON o.id = c.other_id
        ORDER BY c.id""",
    )
