"""One file's records resolved and written, inside the caller's transaction.

:class:`Writer` loads what identity needs (:mod:`adbib.resolve` decides), then takes the file's
records in chunks (:meth:`Writer.write`, in file order): each record is merged into the paper it
is or created, its rows are queued, and at the end of the chunk the queued rows are written in bulk
(one pass per table, :func:`adbib.backend.insert_rows`: one statement per table on SQLite) and
dropped, so memory does not grow with the file.
:meth:`Writer.finish` writes what needs the whole file (nested-entry relations, papers no longer
listed, revised links, the source's counts).  A value a vocabulary does not know is created through
:class:`adbib.importer.vocabulary.VocabRows`; an identifier that identity refused is written to the
``conflict`` table and the report.  A database constraint that still fails names the file, the
entry's line and the value.

An identifier that the file gives to several different titles is used for none of them; a chunk
sees the identifiers of the chunks before it, and when one given earlier turns out to be shared
(the earlier records are written already) the writer raises :class:`SharedLater`: the caller rolls
back and imports again with the file's shared identifiers known beforehand (``shared=``).
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import chain
from sys import intern
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.exc import IntegrityError

from adbib import backend, citekeys, journal, resolve, scratch, tables
from adbib.errors import AdbibError
from adbib.importer.report import ConflictNote, Entry, ImportReport, NewVocab, Note
from adbib.importer.revisions import Signature
from adbib.importer.vocabulary import VocabRows, sync_vocabulary
from adbib.normalize.ids import link_key
from adbib.normalize.text import title_key
from adbib.records import Name, NormalizedPaper

T: dict[str, Table] = {t.name: t for t in tables.metadata.sorted_tables}
LINK_ORDER = ("paper", "arxiv", "doi", "code", "code-unofficial", "project", "dataset")
# insert order: every row after the rows it points at
INSERT_ORDER = (
    "venue",
    "venue_alias",
    "category",
    "category_alias",
    "author",
    "dataset",
    "dataset_alias",
    "paper",
    "authorship",
    "link",
    "link_source",
    "paper_dataset",
    "paper_category",
    "relation",
    "provenance",
    "change",
    "field_source",
    "conflict",
    "citekey_alias",
    "paper_field",
)
AUTHOR_SLICE = 900  # name keys per author lookup
LOAD_ROWS = 2000  # papers read at a time by load_index
FAMILY_SEP = "\x1f"  # between the family names load_index reads of a paper (a name key has no control character)
Progress = Callable[[int, int], None] | None
# (field, value) -> (index in the file, line) of each record that gives the identifier
Shared = dict[tuple[str, str], list[tuple[int, int]]]
Given = tuple[str, int, int]  # (title key, index in the file, line) of a record giving an identifier


def new_id(result: CursorResult[Any]) -> int:
    """The primary key of the one row an ``insert(...)`` without RETURNING just wrote."""
    key = result.inserted_primary_key
    assert key is not None  # SQLAlchemy sets it for every single-row INSERT
    pk: int = key[0]
    return pk


def families(names: Iterable[Name]) -> frozenset[str]:
    return frozenset(k for k in (title_key(n.last) for n in names) if k)


def compact_families(fams: Iterable[str]) -> tuple[str, ...]:
    """A paper's family names as the identity index holds them (one Known per paper of the
    database): a sorted tuple of interned strings, not a frozenset (216 bytes and more)."""
    return tuple(sorted({intern(f) for f in fams}))


def _interned(value: str | None) -> str | None:
    """A value many papers share (a venue, a date), held once."""
    return intern(value) if value is not None else None


_YEARS: dict[int, int] = {}


def _year(year: int | None) -> int | None:
    """A year held once however many papers have it (an int above 256 is a new 32-byte object
    each time it is read or parsed: 32 MB of them in the index of a 1M-paper database)."""
    return None if year is None else _YEARS.setdefault(year, year)


def load_index(conn: Connection) -> resolve.Index:
    """What identity needs of every stored paper, read row by row (a paper's family names gathered
    by the database: no map of every paper's names held while the papers are read)."""
    p, a, au, v = T["paper"], T["authorship"], T["author"], T["venue"]
    names = (
        select(func.aggregate_strings(au.c.family_key, FAMILY_SEP))
        .select_from(a.join(au, au.c.id == a.c.author_id))
        .where(a.c.paper_id == p.c.id)
        .scalar_subquery()
    )
    q = select(
        p.c.id,
        p.c.title_key,
        p.c.year,
        p.c.date,
        p.c.doi,
        p.c.arxiv_id,
        v.c.short_name.label("venue_short"),
        names.label("families"),
    ).outerjoin(v, v.c.id == p.c.venue_id)
    index = resolve.Index()
    index.load(
        resolve.Known(
            pid,
            title,
            _year(year),
            _interned(venue),
            compact_families(fams.split(FAMILY_SEP) if fams else ()),
            _interned(date),
            doi,
            arxiv,
        )
        for pid, title, year, date, doi, arxiv, venue, fams in conn.execute(q.execution_options(yield_per=LOAD_ROWS))
    )
    return index


def identifier_groups(papers: Iterable[NormalizedPaper], base: int = 0) -> dict[tuple[str, str], list[Given]]:
    """(field, value) -> (title key, index in the file, line) of each record giving that DOI or
    arXiv id (``base``: the index of the first of ``papers`` in the file)."""
    groups: dict[tuple[str, str], list[Given]] = {}
    for i, p in enumerate(papers, base):
        for name in ("doi", "arxiv"):
            value = getattr(p, name)
            if value:
                groups.setdefault((name, value), []).append((p.title_key, i, p.record.line))
    return groups


def shared_identifiers(papers: Iterable[NormalizedPaper], base: int = 0) -> Shared:
    """Identifiers that one file gives to several different titles: (field, value) -> (index, line)
    of the records that carry it.  Such an identifier identifies none of them.  ``papers`` may be
    a generator: only the identifiers are kept."""
    return {
        key: [(i, line) for _, i, line in given]
        for key, given in identifier_groups(papers, base).items()
        if len(given) > 1 and any(not resolve.titles_agree(given[0][0], t) for t, _, _ in given[1:])
    }


@dataclass
class _Paper:
    """A paper touched by this import: its current values and what the import did to it."""

    id: int
    citekey: str
    cur: resolve.Current
    names: list[Name]
    venue_id: int | None
    new: bool
    links: dict[tuple[str, str], int]  # (role, link key) -> link id
    owners: dict[str, str] = field(default_factory=dict)  # field -> list that gave its value
    fresh: set[str] = field(default_factory=set)  # fields this import set
    given_links: set[tuple[str, str]] = field(default_factory=set)  # links this import's records give
    authors_changed: bool = False
    owners_changed: bool = False
    changed: dict[str, tuple[object, object]] = field(default_factory=dict)
    written: bool = False  # a new paper's row is in the database (an earlier chunk)
    met: bool = False  # a record of this import was attached to it
    datasets: set[tuple[int, str]] = field(default_factory=set)  # (dataset id, evidence) this import gave
    categories: set[int] = field(default_factory=set)  # category ids this import filed it under
    author_ids: list[int] = field(default_factory=list)  # of names, in order (set with them)


class SharedLater(Exception):
    """An identifier that an earlier chunk used turns out to be given to another title later."""


class Writer:
    """Resolve and write one file's normalized records (see the module docstring)."""

    def __init__(
        self,
        conn: Connection,
        report: ImportReport,
        list_name: str,
        content_hash: str,
        signature: Signature | None,
        progress: Progress,
    ) -> None:
        self.conn = conn
        self.report = report
        self.list_name = list_name
        self.hash = content_hash
        self.signature = signature
        self.progress = progress
        self.now = datetime.now(UTC)
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in T}
        self.lines: dict[str, list[int]] = {name: [] for name in T}

    # -- setup

    def prepare(self) -> None:
        """Sync the vocabulary files and load what identity needs (before recognising a list)."""
        sync_vocabulary(self.conn)
        self._load()

    def begin(self, shared: Shared | None = None, total_lines: int = 1) -> None:
        """Insert the source row.  ``shared``: the file's shared identifiers, when known beforehand
        (else found chunk by chunk, see :class:`SharedLater`); ``total_lines``: the file's, for
        the progress bar."""
        self.total_lines = total_lines
        src = T["source"]
        self.source_id = new_id(
            self.conn.execute(
                insert(src).values(
                    name=self.report.source,
                    list_name=self.list_name,
                    path=self.report.path,
                    dialect=self.report.dialect,
                    content_hash=self.hash,
                    imported_at=self.now,
                    **(self.signature.to_columns() if self.signature else {}),
                )
            )
        )
        self.known_shared = shared
        self.shared_at: dict[int, list[tuple[str, str, str]]] = {}  # record index -> (field, value, reason)
        self.untrusted: frozenset[tuple[str, str]] = frozenset()
        if shared is not None:
            self._mark_shared(shared)
        # identifiers seen in earlier chunks: field -> value -> title key of the first record giving
        # it (a map per field: no (field, value) tuple per identifier), ≈ 300 bytes a record in a
        # dict, so held in a dict while small, then in a scratch database (:class:`scratch.Spilling`)
        self.first_given = {name: scratch.Spilling[str, str](name, str) for name in ("doi", "arxiv")}
        self.ids = array("q")  # paper id of every record, in file order (8 bytes each)
        self.nested: list[tuple[int, int, str, int]] = []  # (index, parent index, relation, line)
        self.fresh_ids: dict[int, None] = {}  # papers touched since the last flush, in order

    def write(self, papers: list[NormalizedPaper]) -> None:
        """Resolve and write the next records of the file (then drop what only they needed)."""
        base = len(self.ids)
        self._chunk_authors(papers)
        if self.known_shared is None:
            self._find_shared(papers, base)
        for j, p in enumerate(papers):
            i = base + j
            self.ids.append(self._one(p, self.shared_at.get(i, ())))
            rec = p.record
            if rec.parent is not None and rec.relation is not None:
                self.nested.append((i, rec.parent, rec.relation, rec.line))
            if self.progress and j % 500 == 0:
                self.progress(rec.line, self.total_lines)
        self._flush()
        self.fields_of.clear()  # read back from the database when a later chunk needs them
        self.claim_cache.clear()
        self.authors.clear()  # the chunk's authors, now all in the database

    def _find_shared(self, papers: list[NormalizedPaper], base: int) -> None:
        """The identifiers these records give to several titles, knowing the earlier chunks'."""
        shared: Shared = {}
        for key, given in identifier_groups(papers, base).items():
            firsts = self.first_given[key[0]]
            earlier = firsts.get(key[1])
            first = earlier if earlier is not None else given[0][0]
            agree = all(resolve.titles_agree(first, t) for t, _, _ in given)
            if earlier is not None:
                if not agree or key in self.untrusted:
                    raise SharedLater(key)
                continue
            firsts[key[1]] = first
            if not agree:
                shared[key] = [(i, line) for _, i, line in given]
        if shared:
            self._mark_shared(shared)

    def _mark_shared(self, shared: Shared) -> None:
        for (name, value), found in shared.items():
            idxs = [i for i, _ in found]
            lines = ", ".join(str(line) for _, line in found)
            reason = (
                f"{'DOI' if name == 'doi' else 'arXiv id'} {value} is given to {len(idxs)} different titles "
                f"in this file (lines {lines}): used for none of them"
            )
            for i in idxs:
                self.shared_at.setdefault(i, []).append((name, value, reason))
        self.untrusted = self.untrusted | frozenset(shared)

    def finish(self) -> None:
        """What needs the whole file: relations, papers no longer listed, links, the source's counts."""
        self._relations()
        self._missing(self.ids)
        self._revise_links()
        self._flush()
        src = T["source"]
        self.conn.execute(
            update(src)
            .where(src.c.id == self.source_id)
            .values(
                entries_read=self.report.entries,
                papers_created=self.report.new,
                papers_merged=len(self.report.merged),
                papers_unchanged=len(self.report.unchanged),
                entries_skipped=len(self.report.skipped),
                entries_failed=len(self.report.failed),
                **(self.signature.to_columns() if self.signature else {}),
            )
        )
        issues = [("skipped", n) for n in self.report.skipped] + [("failed", n) for n in self.report.failed]
        issues += [("problem", n) for n in self.report.problems]
        if issues:
            self.conn.execute(
                insert(T["source_issue"]),
                [{"source_id": self.source_id, "line": n.line, "kind": k, "reason": n.reason} for k, n in issues],
            )

    def close(self) -> None:
        """Drop the scratch databases of what the writer held (:mod:`adbib.scratch`), if any."""
        if hasattr(self, "index"):
            self.index.close()
            self.citekeys.close()
        for given in getattr(self, "first_given", {}).values():
            given.close()

    def _load(self) -> None:
        c = self.conn
        self.index = load_index(c)
        # name key -> id of the current chunk's authors only (:meth:`_chunk_authors`), not of every
        # author of the database
        self.authors: dict[str, int] = {}
        taken = chain(
            c.execute(select(T["paper"].c.citekey).execution_options(yield_per=LOAD_ROWS)),
            c.execute(select(T["citekey_alias"].c.alias)),
        )
        # bibtex compares keys ignoring case ("Repeated entry"): every key is also taken lowercased
        # (a KeyPool: the suffix search for a base resumes where it stopped, so n papers sharing a
        # base cost n probes in all, not n²/2)
        self.citekeys = citekeys.KeyPool(k for (key,) in taken for k in (key, key.lower()))
        self.aliases_of: dict[int, set[str]] = {}
        for alias, pid in c.execute(select(T["citekey_alias"].c.alias, T["citekey_alias"].c.paper_id)):
            self.aliases_of.setdefault(pid, set()).add(alias)
        self.fields_of: dict[int, dict[str, str]] = {}
        self.next = {
            name: (c.execute(select(func.max(T[name].c.id))).scalar() or 0) + 1
            for name in ("paper", "author", "venue", "dataset", "category", "link")
        }
        self.vocab = VocabRows(c, self._queue, self._alloc, self._new_vocab)
        self.touched: dict[int, _Paper] = {}
        # the papers this import creates take the ids from here on (:meth:`_create`): whether an
        # earlier chunk created a paper is its id, not a set of every id (32 MB at 1M)
        self.first_created = self.next["paper"]
        self.claim_cache: dict[int, set[tuple[int, str]]] = {}

    def _alloc(self, table: str) -> int:
        n = self.next[table]
        self.next[table] = n + 1
        return n

    def _queue(self, table: str, line: int, row: dict[str, Any]) -> None:
        self.rows[table].append(row)
        self.lines[table].append(line)

    def _new_vocab(self, kind: str, name: str, line: int) -> None:
        self.report.new_vocabulary.append(NewVocab(kind, name, line))

    # -- vocabulary lookups

    def _venue(self, p: NormalizedPaper) -> tuple[int | None, str | None]:
        if not p.venue:
            return None, None
        return self.vocab.venue(p.venue, p.venue_name or p.venue, p.venue_type, p.venue_known, p.record.line)

    def _chunk_authors(self, papers: list[NormalizedPaper]) -> None:
        """The stored authors these records name: name key -> id, one query per slice of
        ``AUTHOR_SLICE`` keys (under SQLite's 999 bound parameters); the authors the chunk creates
        are added by :meth:`_author` and dropped once flushed."""
        au = T["author"]
        keys = sorted({_name_key(n) for p in papers for n in p.authors})
        for i in range(0, len(keys), AUTHOR_SLICE):
            q = select(au.c.name_key, au.c.id).where(au.c.name_key.in_(keys[i : i + AUTHOR_SLICE]))
            for key, aid in self.conn.execute(q):
                self.authors[key] = aid

    def _author(self, n: Name, line: int) -> int:
        key = _name_key(n)
        aid = self.authors.get(key)
        if aid is None:
            aid = self._alloc("author")
            self.authors[key] = aid
            self._queue(
                "author",
                line,
                {
                    "id": aid,
                    "name": n.full,
                    "given": n.given,
                    "von": n.von,
                    "family": n.family,
                    "jr": n.jr,
                    "name_key": key,
                    "family_key": title_key(n.last),
                },
            )
        return aid

    # -- one record

    def _one(self, p: NormalizedPaper, shared: Iterable[tuple[str, str, str]] = ()) -> int:
        rec = p.record
        fams = families(p.authors)
        found = self.index.match(p, fams, self.untrusted)
        if found.dropped:
            cleared: dict[str, Any] = dict.fromkeys(found.dropped)  # the optional identifiers it names
            p = replace(p, **cleared)
        entry = Entry(line=rec.line, title=p.title, matched_by=found.rule)
        for problem in p.problems:
            self.report.problems.append(Note(rec.line, problem))
        pid = found.id
        if pid is None:
            pid = self._create(p)
            entry.id, entry.citekey = pid, self.touched[pid].citekey
            self.report.add_created(entry)
        else:
            changed = self._merge(pid, p)
            entry.id, entry.citekey, entry.fields = pid, self.touched[pid].citekey, sorted(changed)
            (self.report.merged if changed else self.report.unchanged).append(entry)
        self._entry_key(pid, p)
        self._bib_fields(pid, p, entry)
        for c in found.conflicts:
            self._conflict(rec.line, pid, c)
        for name, value, reason in shared:
            self._conflict(rec.line, pid, resolve.IdConflict("id-shared", name, value, None, reason))
        state = self.touched[pid]
        known = self.index.known.get(pid) if found.id is not None else None  # a paper just created is not known
        cur = state.cur
        key = title_key(cur.title)
        if key == p.title_key:
            key = p.title_key  # one string for the index and the identifiers this record gave (first_given)
        self.index.add(
            resolve.Known(
                pid,
                key,
                _year(cur.year),
                _interned(cur.venue),
                compact_families(fams.union(known.families) if known else fams),
                _interned(cur.date),
                cur.doi,
                cur.arxiv,
            ),
            old=known,
        )
        self._attach(pid, p)
        return pid

    def _conflict(self, line: int, pid: int, c: resolve.IdConflict) -> None:
        other_key = None
        if c.other_id is not None:
            other = self.touched.get(c.other_id)
            other_key = (
                other.citekey
                if other
                else self.conn.execute(select(T["paper"].c.citekey).where(T["paper"].c.id == c.other_id)).scalar()
            )
        self.report.conflicts.append(
            ConflictNote(
                line,
                c.kind,
                c.field,
                c.value,
                c.reason,
                self.touched[pid].citekey,
                other_key,
            )
        )
        self._queue(
            "conflict",
            line,
            {
                "source_id": self.source_id,
                "line": line,
                "kind": c.kind,
                "field": c.field,
                "value": c.value,
                "paper_id": pid,
                "other_id": c.other_id,
                "reason": c.reason,
            },
        )

    # -- citekeys and bibliographic fields

    def _new_citekey(self, p: NormalizedPaper) -> str:
        """The entry's own key (a .bib file's) when it is a usable key nobody has, else a derived one."""
        own = p.record.citekey
        if own and citekeys.valid_key(own) and own.lower() not in self.citekeys:
            return own
        first = p.authors[0].last if p.authors else None
        return citekeys.unique_key(citekeys.base_key(first, p.year, p.title), self.citekeys)

    def _entry_key(self, pid: int, p: NormalizedPaper) -> None:
        """An entry's key that is not its paper's citekey: kept as an alias of the paper when free,
        reported when another paper has it (a document citing it would get that other paper)."""
        own, state = p.record.citekey, self.touched[pid]
        if not own or own == state.citekey or own in self.aliases_of.get(pid, ()):
            return
        if not citekeys.valid_key(own):
            self.report.problems.append(
                Note(p.record.line, f"citekey {own!r} cannot be a BibTeX key: the paper is {state.citekey}")
            )
            return
        if own.lower() in self.citekeys:
            self.report.problems.append(
                Note(p.record.line, f"citekey {own!r} belongs to another paper: this entry is {state.citekey}")
            )
            return
        self.citekeys.update((own, own.lower()))
        self.aliases_of.setdefault(pid, set()).add(own)
        self._queue("citekey_alias", p.record.line, {"alias": own, "paper_id": pid})

    def _rekey_anonymous(self, state: _Paper, changes: dict[str, tuple[object, object]], line: int) -> None:
        """A paper stored without authors has an ``anon…`` key: derived again, once, when it first
        gets authors; the old key stays an alias (documents citing it still resolve)."""
        if not state.citekey.startswith("anon"):
            return
        old = state.citekey
        key = citekeys.unique_key(
            citekeys.base_key(state.names[0].last, state.cur.year, state.cur.title), self.citekeys
        )
        self.citekeys.update((key, key.lower()))
        state.citekey = key
        changes["citekey"] = (old, key)
        if not state.new:
            self.aliases_of.setdefault(state.id, set()).add(old)
            self._queue("citekey_alias", line, {"alias": old, "paper_id": state.id})

    def _bib_fields(self, pid: int, p: NormalizedPaper, entry: Entry) -> None:
        """The record's bibliographic fields that the paper does not have yet (first source wins)."""
        if not p.fields:
            return
        state = self.touched[pid]
        have = self.fields_of.get(pid)
        if have is None:
            pf = T["paper_field"]
            have = (
                {}
                if state.new and not state.written
                else {
                    r.name: r.value
                    for r in self.conn.execute(select(pf.c.name, pf.c.value).where(pf.c.paper_id == pid))
                }
            )
            self.fields_of[pid] = have
        added = []
        for name, value in p.fields.items():
            if name not in have:
                have[name] = value
                added.append(name)
                self._queue(
                    "paper_field",
                    p.record.line,
                    {"paper_id": pid, "name": name, "value": value, "source_id": self.source_id},
                )
                if not state.new and name != "entrytype":
                    self._queue(
                        "change",
                        p.record.line,
                        {"paper_id": pid, "source_id": self.source_id, "field": name, "old": None, "new": value},
                    )
        added = [name for name in added if name != "entrytype"]  # how a source filed it: not a change
        if added and not state.new:
            state.changed.update({name: (None, have[name]) for name in added})
            entry.fields = sorted({*entry.fields, *added})
            unchanged = self.report.unchanged
            if unchanged and unchanged[-1] is entry:
                self.report.merged.append(unchanged.pop())

    def _create(self, p: NormalizedPaper) -> int:
        pid = self._alloc("paper")
        key = self._new_citekey(p)
        self.citekeys.update((key, key.lower()))
        venue_id, venue_type = self._venue(p)
        cur = resolve.Current(
            title=p.title,
            year=p.year,
            year_from_date=p.year_from_date,
            date=p.date,
            venue=p.venue,
            venue_type=venue_type,
            authors=[n.full for n in p.authors],
            authors_truncated=p.authors_truncated,
            arxiv=p.arxiv,
            doi=p.doi,
            domain=p.domain,
            abstract=p.abstract,
            summary=p.summary,
            stars=p.record.stars,
            short_name=p.short_name,
        )
        state = _Paper(pid, key, cur, list(p.authors), venue_id, new=True, links={})
        # author ids in the order of the file, however it is chunked
        state.author_ids = [self._author(n, p.record.line) for n in p.authors]
        state.owners = {f: self.list_name for f in resolve.OWNED_FIELDS if _value(cur, f) not in (None, [], "")}
        state.fresh = set(state.owners)
        state.owners_changed = True
        self.touched[pid] = state
        self.fresh_ids[pid] = None
        return pid

    def _load_current(self, pid: int) -> _Paper:
        p, v = T["paper"], T["venue"]
        row = self.conn.execute(
            select(p, v.c.short_name.label("venue_short"), v.c.type.label("venue_type"))
            .outerjoin(v, v.c.id == p.c.venue_id)
            .where(p.c.id == pid)
        ).one()
        authors = self.conn.execute(
            select(T["author"])
            .join(T["authorship"], T["authorship"].c.author_id == T["author"].c.id)
            .where(T["authorship"].c.paper_id == pid)
            .order_by(T["authorship"].c.position)
        ).all()
        cur = resolve.Current(
            title=row.title,
            year=row.year,
            year_from_date=row.year_from_date,
            date=row.date,
            venue=row.venue_short,
            venue_type=row.venue_type,
            authors=[a.name for a in authors],
            authors_truncated=row.authors_truncated,
            arxiv=row.arxiv_id,
            doi=row.doi,
            domain=row.domain,
            abstract=row.abstract,
            summary=row.summary,
            stars=row.stars,
            short_name=row.short_name,
        )
        links = {
            (r.role, link_key(r.url)): r.id
            for r in self.conn.execute(
                select(T["link"].c.id, T["link"].c.role, T["link"].c.url).where(T["link"].c.paper_id == pid)
            )
        }
        fs = T["field_source"]
        owners = {r.field: r.list_name for r in self.conn.execute(select(fs).where(fs.c.paper_id == pid))}
        names = [Name(a.given, a.family, a.von, a.jr) for a in authors]
        state = _Paper(pid, row.citekey, cur, names, row.venue_id, new=False, links=links, owners=owners)
        state.author_ids = [a.id for a in authors]
        if pid >= self.first_created:  # created by an earlier chunk of this import: as it was left
            state.new = state.written = state.met = True
            state.fresh = {f for f, lst in owners.items() if lst == self.list_name}
            pd, pc = T["paper_dataset"], T["paper_category"]
            state.datasets = {
                (r.dataset_id, r.evidence)
                for r in self.conn.execute(
                    select(pd.c.dataset_id, pd.c.evidence).where(pd.c.paper_id == pid, pd.c.source_id == self.source_id)
                )
            }
            state.categories = {
                r[0]
                for r in self.conn.execute(
                    select(pc.c.category_id).where(pc.c.paper_id == pid, pc.c.list_name == self.list_name)
                )
            }
        return state

    def _merge(self, pid: int, p: NormalizedPaper) -> dict[str, tuple[object, object]]:
        state = self.touched.get(pid) or self._load_current(pid)
        self.touched[pid] = state
        self.fresh_ids[pid] = None
        new_venue_type = self.vocab.venue_type(p.venue, p.venue_name, p.venue_type) if p.venue else None
        changes = resolve.merge(state.cur, p, new_venue_type, state.owners, self.list_name, state.fresh)
        # identifiers already owned by another paper stay where they are
        for ident in ("doi", "arxiv"):
            if ident in changes:
                value = changes[ident][1]
                owned = self.index.by_doi if ident == "doi" else self.index.by_arxiv
                owner = owned.get(value) if isinstance(value, str) else None  # keys are str: None owns nothing
                if owner is not None and owner != pid:
                    del changes[ident]
        for name, (_, new) in changes.items():
            if name != "authors":
                setattr(state.cur, name, new)
        if "venue" in changes:
            state.venue_id, state.cur.venue_type = self._venue(p)
        if "authors" in changes:
            first_authors = not state.names
            state.cur.authors = [n.full for n in p.authors]
            state.names = list(p.authors)
            state.author_ids = [self._author(n, p.record.line) for n in p.authors]
            state.authors_changed = True
            if first_authors:
                self._rekey_anonymous(state, changes, p.record.line)
        for name in changes:
            if name in resolve.OWNED_FIELDS:
                state.owners[name] = self.list_name
                state.fresh.add(name)
                state.owners_changed = True
        # links that are new to this paper count as a change too
        new_links = [link for link in p.links if (link.role, link_key(link.url)) not in state.links]
        if new_links and not state.new:
            changes["links"] = (None, [f"{link.role}: {link.url}" for link in new_links])
        for name, (old, new) in changes.items():
            state.changed[name] = (state.changed.get(name, (old, None))[0], new)
            self._queue(
                "change",
                p.record.line,
                {
                    "paper_id": pid,
                    "source_id": self.source_id,
                    "field": name,
                    "old": _jsonish(old),
                    "new": _jsonish(new),
                },
            )
        return changes

    def _attach(self, pid: int, p: NormalizedPaper) -> None:
        """Links, datasets, categories and provenance of one record."""
        state = self.touched[pid]
        line = p.record.line
        first, state.met = not state.met, True
        if first and not state.new:
            self._reset_list_values(pid, p)
        for link in p.links:
            key = (link.role, link_key(link.url))
            state.given_links.add(key)
            lid = state.links.get(key)
            if lid is None:
                lid = self._alloc("link")
                state.links[key] = lid
                self._queue("link", line, {"id": lid, "paper_id": pid, "role": link.role, "url": link.url})
            claims = self._claims(pid)
            if (lid, self.list_name) not in claims:
                claims.add((lid, self.list_name))
                self._queue("link_source", line, {"link_id": lid, "list_name": self.list_name})
        for d in p.datasets:
            did = self.vocab.dataset(d.name, d.family, d.known, d.raw, line)
            if (did, d.evidence) not in state.datasets:
                state.datasets.add((did, d.evidence))
                self._queue(
                    "paper_dataset",
                    line,
                    {
                        "paper_id": pid,
                        "dataset_id": did,
                        "source_id": self.source_id,
                        "evidence": d.evidence,
                        "raw": d.raw,
                    },
                )
        for slug in p.categories:
            cid = self.vocab.category(slug, p.new_categories.get(slug, slug), slug not in p.new_categories, line)
            if cid not in state.categories:
                state.categories.add(cid)
                self._queue("paper_category", line, {"paper_id": pid, "category_id": cid, "list_name": self.list_name})
        rec = p.record
        reported: dict[str, Any] = {
            "title": p.title,
            "year": p.year,
            "date": p.date,
            "venue": p.venue or rec.venue_raw,
            "authors": [n.full for n in p.authors],
            "authors_truncated": p.authors_truncated,
            "arxiv": p.arxiv,
            "doi": p.doi,
            "links": _links_by_role((lk.role, lk.url) for lk in p.links),
            "datasets": [d.name for d in p.datasets],
            "categories": sorted(p.categories),
            "domain": p.domain,
        }
        if rec.citekey:
            reported["citekey"] = rec.citekey
        if p.fields:
            reported["fields"] = p.fields
        self._queue(
            "provenance",
            line,
            {
                "paper_id": pid,
                "source_id": self.source_id,
                "line": rec.line,
                "section": rec.section,
                "raw_text": rec.raw,
                "reported": json.dumps(reported, ensure_ascii=False),
            },
        )

    def _reset_list_values(self, pid: int, p: NormalizedPaper) -> None:
        """The first time this import meets a stored paper, the importing list's own earlier
        categories (and datasets, when the record names some) for it are dropped: this
        revision's filing replaces them."""
        pc, cat = T["paper_category"], T["category"]
        old = {
            r[0]
            for r in self.conn.execute(
                select(cat.c.name)
                .join(pc, pc.c.category_id == cat.c.id)
                .where(pc.c.paper_id == pid, pc.c.list_name == self.list_name)
            )
        }
        if old and old != set(p.categories):
            self._queue(
                "change",
                p.record.line,
                {
                    "paper_id": pid,
                    "source_id": self.source_id,
                    "field": "categories",
                    "old": ", ".join(sorted(old)),
                    "new": ", ".join(sorted(p.categories)),
                },
            )
        self.conn.execute(delete(pc).where(pc.c.paper_id == pid, pc.c.list_name == self.list_name))
        if not p.datasets:
            return  # a record that names no datasets says nothing about them
        pd, src = T["paper_dataset"], T["source"]
        earlier = select(src.c.id).where(src.c.list_name == self.list_name, src.c.id != self.source_id)
        self.conn.execute(delete(pd).where(pd.c.paper_id == pid, pd.c.source_id.in_(earlier)))

    def _claims(self, pid: int) -> set[tuple[int, str]]:
        """(link id, list) claims on a stored paper's links, loaded once per paper."""
        if pid not in self.claim_cache:
            ls, lk = T["link_source"], T["link"]
            state = self.touched[pid]
            self.claim_cache[pid] = (
                set()
                if state.new and not state.written
                else {
                    (r.link_id, r.list_name)
                    for r in self.conn.execute(
                        select(ls.c.link_id, ls.c.list_name)
                        .join(lk, lk.c.id == ls.c.link_id)
                        .where(lk.c.paper_id == pid)
                    )
                }
            )
        return self.claim_cache[pid]

    def _revise_links(self) -> None:
        """A stored link that this list gave before and this revision no longer gives — among the
        roles the revision gives links of (a paper link edited, a code link replaced) — loses the
        list's claim; a link no source claims any more is removed (its old provenance stays)."""
        ls, lk = T["link_source"], T["link"]
        relinked: dict[int, None] = {}  # papers that lost a link, in order
        for pid, state in self.touched.items():
            if state.new:
                continue
            claims = self._claims(pid)
            by_id = {lid: key for key, lid in state.links.items()}
            roles = {role for role, _ in state.given_links}  # a record says nothing of roles it gives none of
            dropped = [
                lid
                for lid, lst in sorted(claims)
                if lst == self.list_name
                and lid in by_id
                and by_id[lid][0] in roles
                and by_id[lid] not in state.given_links
            ]
            for lid in dropped:
                self.conn.execute(delete(ls).where(ls.c.link_id == lid, ls.c.list_name == self.list_name))
                claims.discard((lid, self.list_name))
                if not any(c[0] == lid for c in claims):
                    url = self.conn.execute(select(lk.c.role, lk.c.url).where(lk.c.id == lid)).one()
                    self.conn.execute(delete(lk).where(lk.c.id == lid))
                    del state.links[by_id[lid]]
                    self._queue(
                        "change",
                        0,
                        {
                            "paper_id": pid,
                            "source_id": self.source_id,
                            "field": "links",
                            "old": f"{url.role}: {url.url}",
                            "new": None,
                        },
                    )
                    state.changed.setdefault("links", (None, None))
                    self.fresh_ids[pid] = None
                    relinked[pid] = None
        if relinked:
            self._report_relinked(relinked)

    def _report_relinked(self, pids: dict[int, None]) -> None:
        """The report says the links of these papers changed: a paper's first entry reported
        unchanged moves to merged (in the order of ``pids``), else each of its merged entries
        names the links — in one pass over the report, however many links were dropped."""
        report = self.report
        first: dict[int, Entry] = {}
        kept = []
        for e in report.unchanged:
            if e.id is not None and e.id in pids and e.id not in first:
                first[e.id] = e
            else:
                kept.append(e)
        report.unchanged[:] = kept
        for pid in pids:
            if pid in first:
                first[pid].fields = ["links"]
                report.merged.append(first[pid])
        rest = pids.keys() - first.keys()
        for e in report.merged if rest else ():
            if e.id in rest and "links" not in e.fields:
                e.fields = sorted([*e.fields, "links"])

    def _relations(self) -> None:
        """Nested entries (an extension under its paper): one relation row per pair."""
        seen = set()
        ids = self.ids
        existing = (
            {(r.subject_id, r.object_id, r.kind) for r in self.conn.execute(select(T["relation"]))}
            if self.nested
            else set()
        )
        for i, parent, relation, line in self.nested:
            if not (0 <= parent < len(ids)):
                continue
            child_id, parent_id = ids[i], ids[parent]
            if child_id == parent_id:
                continue
            if relation == "extension_of":
                row = (child_id, parent_id, "extension_of")
            else:
                row = (parent_id, child_id, "similar_to")
            if row not in seen and row not in existing:
                seen.add(row)
                self._queue("relation", line, {"subject_id": row[0], "object_id": row[1], "kind": row[2]})

    def _missing(self, ids: Iterable[int]) -> None:
        """Papers an earlier revision of this list had that this file no longer lists (``ids``:
        the file's records' papers, made a set only for a list that had earlier revisions)."""
        present: set[int] | None = None
        src, prov, p = T["source"], T["provenance"], T["paper"]
        q = (
            select(p.c.id, p.c.citekey, p.c.title, func.min(prov.c.line).label("line"))
            .join(prov, prov.c.paper_id == p.c.id)
            .join(src, src.c.id == prov.c.source_id)
            .where(src.c.list_name == self.list_name, src.c.id != self.source_id)
            .group_by(p.c.id, p.c.citekey, p.c.title)
            .order_by(p.c.id)
        )
        for row in self.conn.execute(q):
            if present is None:
                present = set(ids)
            if row.id not in present:
                self.report.missing.append(Entry(line=row.line, title=row.title, id=row.id, citekey=row.citekey))

    # -- writing

    def _flush(self) -> None:
        """Write the papers touched since the last flush and every queued row, then drop the rows.

        A paper touched again by a later chunk is written again: its row updated, its authors and
        field owners replaced when they changed since (the database ends as if written once)."""
        c = self.conn
        for pid in self.fresh_ids:
            s = self.touched[pid]
            cur = s.cur
            values = {
                "title": cur.title,
                "title_key": title_key(cur.title),
                "year": cur.year,
                "year_from_date": cur.year_from_date,
                "date": cur.date,
                "venue_id": s.venue_id,
                "domain": cur.domain,
                "abstract": cur.abstract,
                "summary": cur.summary,
                "arxiv_id": cur.arxiv,
                "doi": cur.doi,
                "authors_truncated": cur.authors_truncated,
                "stars": cur.stars,
                "short_name": cur.short_name,
            }
            inserted = s.new and not s.written
            if inserted:
                self._queue(
                    "paper",
                    0,
                    {"id": pid, "citekey": s.citekey, "created_at": self.now, "updated_at": self.now, **values},
                )
            elif s.changed:
                values["citekey"] = s.citekey  # re-derived once from a first author (an anon… key)
                self._execute(
                    update(T["paper"]).where(T["paper"].c.id == pid).values(updated_at=self.now, **values),
                    "paper",
                    s.citekey,
                )
            if s.authors_changed and not inserted:
                c.execute(delete(T["authorship"]).where(T["authorship"].c.paper_id == pid))
            if inserted or s.authors_changed:
                for i, aid in enumerate(s.author_ids):
                    self._queue("authorship", 0, {"paper_id": pid, "position": i, "author_id": aid})
            if s.owners_changed:
                if not inserted:
                    c.execute(delete(T["field_source"]).where(T["field_source"].c.paper_id == pid))
                for f, lst in sorted(s.owners.items()):
                    self._queue("field_source", 0, {"paper_id": pid, "field": f, "list_name": lst})
            s.written, s.authors_changed, s.owners_changed = True, False, False
            if s.new:  # read back from the database if a later chunk meets it again
                del self.touched[pid]
        self.fresh_ids.clear()
        for name in INSERT_ORDER:
            if self.rows[name]:
                self._insert(name)
                self.rows[name], self.lines[name] = [], []

    def _insert(self, name: str) -> None:
        """Bulk insert; on a constraint failure, find the row to name its line and value."""
        rows = self.rows[name]
        try:
            with self.conn.begin_nested():
                journal.bulk_insert(
                    journal.dbapi(self.conn), name, rows, lambda: backend.insert_rows(self.conn, T[name], rows)
                )
        except IntegrityError as e:
            for row, line in zip(rows, self.lines[name], strict=True):
                try:
                    with self.conn.begin_nested():
                        self.conn.execute(insert(T[name]), [row])
                except IntegrityError as one:
                    raise self._constraint_error(name, row, line, one) from None
            raise self._constraint_error(name, rows[0], self.lines[name][0], e) from None

    def _execute(self, stmt: Any, table: str, what: str) -> None:
        try:
            with self.conn.begin_nested():
                self.conn.execute(stmt)
        except IntegrityError as e:
            raise AdbibError(f"{self.report.path}: cannot update {table} {what}: {_reason(e)}") from None

    def _constraint_error(self, table: str, row: dict[str, Any], line: int, e: IntegrityError) -> AdbibError:
        value = next((row[k] for k in ("alias", "name", "citekey", "url", "title", "alias_key") if k in row), row)
        where = f"line {line}" if line else "the import"
        return AdbibError(f"{self.report.path}: {where}: cannot store {table} {value!r}: {_reason(e)}")


def _reason(e: IntegrityError) -> str:
    from adbib.backend import integrity_reason

    return integrity_reason(getattr(e, "orig", e))


def _name_key(n: Name) -> str:
    """An author's identity: the folded 'given von family' (``author.name_key``)."""
    return title_key(" ".join(p for p in (n.given, n.von, n.family) if p))


def _value(cur: resolve.Current, name: str) -> object:
    return getattr(cur, name)


def _links_by_role(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for role, url in pairs:
        out.setdefault(role, []).append(url)
    return {role: out[role] for role in LINK_ORDER if role in out}


def _jsonish(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
