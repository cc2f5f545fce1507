"""The only module that writes papers: ``ingest()`` imports one file in one transaction.

Reading and normalizing happen before the transaction starts (pure functions); then, holding
the write lock (``BEGIN IMMEDIATE``), the import loads what identity needs, resolves every record
(:mod:`adbib.resolve`), and writes new rows in bulk through SQLAlchemy Core.  Any error — or
Ctrl-C — rolls the whole file back; a dry run rolls back on purpose.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import stat
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from adbib import citekeys, models, resolve
from adbib.db import write_transaction
from adbib.limits import MAX_FILE_BYTES, MAX_LINE
from adbib.normalize import normalize_record
from adbib.normalize.ids import link_key
from adbib.normalize.text import alias_key, title_key
from adbib.readers import DIALECTS, decode, detect, reader
from adbib.records import (
    DatasetMention,
    Name,
    NormalizedPaper,
    PaperRecord,
    ReaderError,
)

T: dict[str, Table] = {t.name: t for t in models.metadata.sorted_tables}
LINK_ORDER = ("paper", "arxiv", "doi", "code", "code-unofficial", "project", "dataset")


# ---------------------------------------------------------------- the report


@dataclass
class Entry:
    line: int
    title: str
    id: int | None = None
    citekey: str | None = None
    fields: list[str] = field(default_factory=list)  # changed fields, for merged entries
    matched_by: str = ""


@dataclass
class Note:
    line: int
    reason: str


@dataclass
class ImportReport:
    source: str
    path: str
    dialect: str
    entries: int = 0
    created: list[Entry] = field(default_factory=list)
    merged: list[Entry] = field(default_factory=list)
    unchanged: list[Entry] = field(default_factory=list)
    skipped: list[Note] = field(default_factory=list)
    failed: list[Note] = field(default_factory=list)
    problems: list[Note] = field(default_factory=list)
    missing: list[Entry] = field(default_factory=list)  # in an earlier revision of the list, not in this one
    already_imported: bool = False
    dry_run: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


# ---------------------------------------------------------------- entry points


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_file(path: Path, dialect: str | None = None) -> tuple[str, bytes, str]:
    """(dialect, bytes, text) of a file, the dialect detected unless given.  No database."""
    data = _read_regular_file(Path(path))
    text = decode(data, str(path))
    if len(text) > MAX_LINE and (long := _long_line(text)):
        raise ReaderError(f"{path}: line {long[0]} has {long[1]:,} characters (at most {MAX_LINE:,}): not a bibliography")
    if dialect in (None, "auto"):
        dialect = detect(text)
        if dialect is None:
            raise ReaderError(f"{path}: not a format adbib can read (known formats: {', '.join(DIALECTS)})")
    reader(dialect)  # an unknown --format fails here, before any work
    return dialect, data, text


def _read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES; anything else is one ReaderError.
    A FIFO, a device or a socket is refused before it is opened (reading one would hang, or never
    end: /dev/zero), and the opened file is checked again (it may have been swapped meanwhile)."""
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise ReaderError(f"{path}: is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise ReaderError(f"{path}: is {_file_kind(st.st_mode)}, not a regular file; adbib imports only files")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise ReaderError(f"{path}: is {_file_kind(st.st_mode)}, not a regular file; adbib imports only files")
            if st.st_size > MAX_FILE_BYTES:
                raise ReaderError(f"{path}: {st.st_size:,} bytes; adbib imports files of at most {MAX_FILE_BYTES:,} bytes")
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise ReaderError(f"{path}: {e.strerror or e}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ReaderError(f"{path}: more than {MAX_FILE_BYTES:,} bytes; adbib imports files of at most that")
    return data


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "a special file"


def _long_line(text: str) -> tuple[int, int] | None:
    """(1-based number, length) of the first line longer than MAX_LINE, if any."""
    for number, line in enumerate(text.split("\n"), 1):
        if len(line) > MAX_LINE:
            return number, len(line)
    return None


def ingest(
    engine: Engine,
    db_path: Path,
    path: Path,
    *,
    dialect: str | None = None,
    source_name: str | None = None,
    list_name: str | None = None,
    display_path: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import one file: all of it or nothing.  A file already imported under the same source
    name (same bytes) is recognised by its hash before it is even parsed."""
    dialect, data, text = read_file(path, dialect)
    name = source_name or Path(path).stem
    report = ImportReport(source=name, path=display_path or str(path), dialect=dialect, dry_run=dry_run)
    content_hash = file_hash(data)
    if _already_imported(db_path, name, content_hash):
        report.already_imported = True
        return report
    with _no_gc():  # parsing allocates millions of small objects that never form cycles
        parsed = reader(dialect).read(text)
    report.skipped = [Note(s.line, s.reason) for s in parsed.skipped]
    report.failed = [Note(f.line, f.reason) for f in parsed.failures]
    return _ingest(engine, db_path, report, parsed.records, list_name or name, content_hash, progress)


def _already_imported(db_path: Path, name: str, content_hash: str) -> bool:
    """Checked on a plain read connection: it must not queue for the write lock."""
    from adbib import dbread

    con = dbread.connect(db_path)
    try:
        sql = "SELECT 1 FROM source WHERE name = ? AND content_hash = ?"
        return con.execute(sql, (name, content_hash)).fetchone() is not None
    finally:
        con.close()


@contextmanager
def _no_gc():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def ingest_records(
    engine: Engine,
    db_path: Path,
    records: list[PaperRecord],
    *,
    source_name: str,
    display_path: str,
    dialect: str,
    content: bytes,
) -> ImportReport:
    """Import records built in memory (``adbib add``) as a source of their own."""
    report = ImportReport(source=source_name, path=display_path, dialect=dialect)
    return _ingest(engine, db_path, report, records, source_name, file_hash(content), None)


def _ingest(engine, db_path, report: ImportReport, records, list_name: str, content_hash: str, progress) -> ImportReport:
    """Normalize the records, then resolve and write them in one transaction (rolled back for a dry run)."""
    total = 2 * len(records)  # normalizing, then resolving and writing
    normalized = []
    with _no_gc():
        for i, r in enumerate(records):
            normalized.append(normalize_record(r))
            if progress and i % 500 == 0:
                progress(i, total)
    report.entries = len(records)
    try:
        with write_transaction(engine, db_path) as conn:
            _Importer(conn, report, list_name, content_hash, progress).run(normalized)
            if report.dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def find_existing(engine: Engine, db_path: Path, paper: NormalizedPaper) -> tuple[int, str, str] | None:
    """(id, citekey, title) of the stored paper this one would be merged into, if any."""
    with write_transaction(engine, db_path) as conn:
        index = _load_index(conn)
        pid, _ = index.match(paper, _families(paper.authors))
        if pid is None:
            return None
        row = conn.execute(
            select(T["paper"].c.id, T["paper"].c.citekey, T["paper"].c.title).where(
                T["paper"].c.id == pid
            )
        ).one()
        return row.id, row.citekey, row.title


# ---------------------------------------------------------------- vocabulary


def sync_vocabulary(conn: Connection) -> None:
    """Make the venue / dataset / category tables agree with data/vocab/*.toml (insert or update)."""
    from adbib.normalize import categories, datasets, venues

    v_ids = _upsert_named(
        conn, T["venue"], "short_name",
        [{"short_name": v.short, "name": v.name, "type": v.type} for v in venues.all_venues()],
    )
    _upsert_aliases(
        conn, T["venue_alias"], "venue_id",
        [(alias, v_ids[v.short]) for v in venues.all_venues() for alias in (v.short, v.name, *v.aliases)],
    )
    d_ids = _upsert_named(
        conn, T["dataset"], "name",
        [{"name": d.name, "family": d.family} for d in datasets.all_datasets()],
    )
    _upsert_aliases(
        conn, T["dataset_alias"], "dataset_id",
        [(alias, d_ids[d.name]) for d in datasets.all_datasets() for alias in (d.name, *d.aliases)],
    )
    c_ids = _upsert_named(
        conn, T["category"], "name",
        [{"name": c.name, "title": c.title} for c in categories.all_categories()],
    )
    _upsert_aliases(
        conn, T["category_alias"], "category_id",
        [(alias, c_ids[c.name], "alias") for c in categories.all_categories() for alias in (c.name, c.title, *c.aliases)]
        + [(h, c_ids[c.name], "heading") for c in categories.all_categories() for h in c.headings],
    )


def _upsert_named(conn: Connection, table: Table, key: str, rows: list[dict]) -> dict[str, int]:
    existing = {r._mapping[key]: r for r in conn.execute(select(table))}
    for row in rows:
        old = existing.get(row[key])
        if old is None:
            conn.execute(insert(table).values(**row))
        elif any(old._mapping[k] != v for k, v in row.items()):
            conn.execute(update(table).where(table.c[key] == row[key]).values(**row))
    return {r._mapping[key]: r.id for r in conn.execute(select(table.c[key], table.c.id))}


def _upsert_aliases(conn: Connection, table: Table, fk: str, pairs: list[tuple]) -> None:
    existing = {r.alias_key: r for r in conn.execute(select(table))}
    seen: set[str] = set()
    for pair in pairs:
        alias, target = pair[0], pair[1]
        key = alias_key(alias)
        if not key or key in seen:
            continue
        seen.add(key)
        row = {"alias_key": key, "alias": alias, fk: target}
        if len(pair) > 2:
            row["kind"] = pair[2]
        old = existing.get(key)
        if old is None:
            conn.execute(insert(table).values(**row))
        elif any(old._mapping[k] != v for k, v in row.items()):
            conn.execute(update(table).where(table.c.alias_key == key).values(**row))


# ---------------------------------------------------------------- the import itself


def _families(names: Iterable[Name]) -> frozenset[str]:
    return frozenset(k for k in (title_key(n.last) for n in names) if k)


def _load_index(conn: Connection) -> resolve.Index:
    p, a, au, v = T["paper"], T["authorship"], T["author"], T["venue"]
    fams: dict[int, set[str]] = {}
    for pid, fam in conn.execute(select(a.c.paper_id, au.c.family_key).join(au, au.c.id == a.c.author_id)):
        fams.setdefault(pid, set()).add(fam)
    index = resolve.Index()
    q = select(p.c.id, p.c.title_key, p.c.year, p.c.date, p.c.doi, p.c.arxiv_id, v.c.short_name).outerjoin(
        v, v.c.id == p.c.venue_id
    )
    for row in conn.execute(q):
        index.add(
            resolve.Known(row.id, row.title_key, row.year, row.short_name, frozenset(fams.get(row.id, ())), row.date),
            doi=row.doi,
            arxiv=row.arxiv_id,
        )
    return index


@dataclass
class _Paper:
    """A paper touched by this import: its current values and what the import did to it."""

    id: int
    citekey: str
    cur: resolve.Current
    names: list[Name]
    venue_id: int | None
    new: bool
    links: set[tuple[str, str]]
    authors_changed: bool = False
    changed: dict[str, tuple[object, object]] = field(default_factory=dict)


class _Importer:
    def __init__(self, conn: Connection, report: ImportReport, list_name: str, content_hash: str, progress):
        self.conn = conn
        self.report = report
        self.list_name = list_name
        self.hash = content_hash
        self.progress = progress
        self.now = datetime.now(timezone.utc)
        self.rows: dict[str, list[dict]] = {name: [] for name in T}

    # -- setup

    def run(self, papers: list[NormalizedPaper]) -> None:
        src = T["source"]
        done = self.conn.execute(
            select(src.c.id).where(src.c.name == self.report.source, src.c.content_hash == self.hash)
        ).first()
        if done is not None:
            self.report.already_imported = True
            self.report.unchanged = []
            return
        sync_vocabulary(self.conn)
        self._load()
        self.source_id = self.conn.execute(
            insert(src).values(
                name=self.report.source, list_name=self.list_name, path=self.report.path,
                dialect=self.report.dialect, content_hash=self.hash, imported_at=self.now,
            )
        ).inserted_primary_key[0]
        ids: list[int] = []
        for i, p in enumerate(papers):
            ids.append(self._one(p))
            if self.progress and i % 500 == 0:
                self.progress(len(papers) + i, 2 * len(papers))
        self._relations(papers, ids)
        self._missing(set(ids))
        self._flush()
        self.conn.execute(
            update(src).where(src.c.id == self.source_id).values(
                entries_read=self.report.entries,
                papers_created=len(self.report.created),
                papers_merged=len(self.report.merged),
                papers_unchanged=len(self.report.unchanged),
                entries_skipped=len(self.report.skipped),
                entries_failed=len(self.report.failed),
            )
        )
        issues = [("skipped", n) for n in self.report.skipped] + [("failed", n) for n in self.report.failed]
        issues += [("problem", n) for n in self.report.problems]
        if issues:
            self.conn.execute(
                insert(T["source_issue"]),
                [{"source_id": self.source_id, "line": n.line, "kind": k, "reason": n.reason} for k, n in issues],
            )

    def _load(self) -> None:
        c = self.conn
        self.index = _load_index(c)
        self.venues = {
            r.short_name: (r.id, r.type) for r in c.execute(select(T["venue"].c.id, T["venue"].c.short_name, T["venue"].c.type))
        }
        self.venue_alias = {r.alias_key: r.venue_id for r in c.execute(select(T["venue_alias"]))}
        self.authors = {r.name_key: r.id for r in c.execute(select(T["author"].c.name_key, T["author"].c.id))}
        self.datasets = {r.name: r.id for r in c.execute(select(T["dataset"].c.name, T["dataset"].c.id))}
        self.categories = {r.name: r.id for r in c.execute(select(T["category"].c.name, T["category"].c.id))}
        taken = {r[0] for r in c.execute(select(T["paper"].c.citekey))}
        taken |= {r[0] for r in c.execute(select(T["citekey_alias"].c.alias))}
        self.citekeys = citekeys.KeyPool(taken)  # suffix search resumes where it stopped: linear
        self.next = {
            name: (c.execute(select(func.max(T[name].c.id))).scalar() or 0) + 1
            for name in ("paper", "author", "venue", "dataset")
        }
        self.touched: dict[int, _Paper] = {}
        self.seen_datasets: set[tuple[int, int, str]] = set()
        self.cats_reset: set[int] = set()
        self.cats: set[tuple[int, int]] = set()

    def _alloc(self, table: str) -> int:
        n = self.next[table]
        self.next[table] = n + 1
        return n

    # -- lookups that create what is missing

    def _venue(self, short: str | None) -> tuple[int | None, str | None]:
        if not short:
            return None, None
        if short in self.venues:
            return self.venues[short]
        key = alias_key(short)
        if key in self.venue_alias:
            vid = self.venue_alias[key]
            vtype = next((t for (i, t) in self.venues.values() if i == vid), None)
            return vid, vtype
        vid = self._alloc("venue")
        self.rows["venue"].append({"id": vid, "short_name": short, "name": short, "type": None})
        if key:
            self.rows["venue_alias"].append({"alias_key": key, "alias": short, "venue_id": vid})
            self.venue_alias[key] = vid
        self.venues[short] = (vid, None)
        return vid, None

    def _author(self, n: Name) -> int:
        key = title_key(" ".join(p for p in (n.given, n.von, n.family) if p))
        aid = self.authors.get(key)
        if aid is None:
            aid = self._alloc("author")
            self.authors[key] = aid
            self.rows["author"].append(
                {"id": aid, "name": n.full, "given": n.given, "von": n.von, "family": n.family,
                 "jr": n.jr, "name_key": key, "family_key": title_key(n.last)}
            )
        return aid

    def _dataset(self, d: DatasetMention) -> int:
        did = self.datasets.get(d.name)
        if did is None:
            did = self._alloc("dataset")
            self.datasets[d.name] = did
            self.rows["dataset"].append({"id": did, "name": d.name, "family": d.family})
            key = alias_key(d.name)
            if key:
                self.rows["dataset_alias"].append({"alias_key": key, "alias": d.name, "dataset_id": did})
        return did

    # -- one record

    def _one(self, p: NormalizedPaper) -> int:
        rec = p.record
        families = _families(p.authors)
        pid, rule = self.index.match(p, families)
        entry = Entry(line=rec.line, title=p.title, matched_by=rule)
        for problem in p.problems:
            self.report.problems.append(Note(rec.line, problem))
        if pid is None:
            pid = self._create(p)
            entry.id, entry.citekey = pid, self._citekey_of(pid)
            self.report.created.append(entry)
        else:
            changed = self._merge(pid, p)
            entry.id, entry.citekey, entry.fields = pid, self._citekey_of(pid), sorted(changed)
            (self.report.merged if changed else self.report.unchanged).append(entry)
        cur, known = self.touched[pid].cur, self.index.known.get(pid)
        families |= known.families if known else frozenset()
        self.index.add(
            resolve.Known(pid, title_key(cur.title), cur.year, cur.venue, families, cur.date),
            doi=cur.doi,
            arxiv=cur.arxiv,
        )
        self._attach(pid, p)
        return pid

    def _citekey_of(self, pid: int) -> str:
        return self.touched[pid].citekey

    def _create(self, p: NormalizedPaper) -> int:
        pid = self._alloc("paper")
        first = p.authors[0].last if p.authors else None
        key = citekeys.unique_key(citekeys.base_key(first, p.year, p.title), self.citekeys)
        self.citekeys.add(key)
        venue_id, venue_type = self._venue(p.venue)
        cur = resolve.Current(
            title=p.title, year=p.year, year_from_date=p.year_from_date, date=p.date, venue=p.venue,
            venue_type=venue_type, authors=[n.full for n in p.authors],
            authors_truncated=p.authors_truncated, arxiv=p.arxiv, doi=p.doi, domain=p.domain,
            abstract=p.abstract, summary=p.summary, stars=p.record.stars,
        )
        self.touched[pid] = _Paper(pid, key, cur, list(p.authors), venue_id, new=True, links=set())
        return pid

    def _load_current(self, pid: int) -> _Paper:
        p, v = T["paper"], T["venue"]
        row = self.conn.execute(
            select(p, v.c.short_name, v.c.type.label("venue_type")).outerjoin(v, v.c.id == p.c.venue_id).where(p.c.id == pid)
        ).one()
        authors = self.conn.execute(
            select(T["author"]).join(T["authorship"], T["authorship"].c.author_id == T["author"].c.id)
            .where(T["authorship"].c.paper_id == pid).order_by(T["authorship"].c.position)
        ).all()
        cur = resolve.Current(
            title=row.title, year=row.year, year_from_date=row.year_from_date, date=row.date,
            venue=row.short_name, venue_type=row.venue_type, authors=[a.name for a in authors],
            authors_truncated=row.authors_truncated, arxiv=row.arxiv_id, doi=row.doi,
            domain=row.domain, abstract=row.abstract, summary=row.summary, stars=row.stars,
        )
        links = {
            (r.role, link_key(r.url))
            for r in self.conn.execute(select(T["link"].c.role, T["link"].c.url).where(T["link"].c.paper_id == pid))
        }
        names = [Name(a.given, a.family, a.von, a.jr) for a in authors]
        return _Paper(pid, row.citekey, cur, names, row.venue_id, new=False, links=links)

    def _merge(self, pid: int, p: NormalizedPaper) -> dict:
        state = self.touched.get(pid) or self._load_current(pid)
        self.touched[pid] = state
        _, new_venue_type = self._venue(p.venue)
        changes = resolve.merge(state.cur, p, new_venue_type)
        # identifiers already owned by another paper stay where they are
        for ident, col in (("doi", "doi"), ("arxiv", "arxiv")):
            if ident in changes:
                owner = (self.index.by_doi if col == "doi" else self.index.by_arxiv).get(changes[ident][1])
                if owner is not None and owner != pid:
                    del changes[ident]
        for name, (_, new) in changes.items():
            if name != "authors":
                setattr(state.cur, name, new)
        if "venue" in changes:
            state.venue_id, state.cur.venue_type = self._venue(p.venue)
        if "authors" in changes:
            state.cur.authors = [n.full for n in p.authors]
            state.names = list(p.authors)
            state.authors_changed = True
        # links that are new to this paper count as a change too
        new_links = [link for link in p.links if (link.role, link_key(link.url)) not in state.links]
        if new_links and not state.new:
            changes["links"] = (None, [f"{link.role}: {link.url}" for link in new_links])
        for name, (old, new) in changes.items():
            state.changed[name] = (state.changed.get(name, (old, None))[0], new)
            self.rows["change"].append(
                {"paper_id": pid, "source_id": self.source_id, "field": name,
                 "old": _jsonish(old), "new": _jsonish(new)}
            )
        return changes

    def _attach(self, pid: int, p: NormalizedPaper) -> None:
        """Links, datasets, categories and provenance of one record."""
        state = self.touched[pid]
        for link in p.links:
            key = (link.role, link_key(link.url))
            if key not in state.links:
                state.links.add(key)
                self.rows["link"].append({"paper_id": pid, "role": link.role, "url": link.url})
        for d in p.datasets:
            did = self._dataset(d)
            key = (pid, did, d.evidence)
            if key not in self.seen_datasets:
                self.seen_datasets.add(key)
                self.rows["paper_dataset"].append(
                    {"paper_id": pid, "dataset_id": did, "source_id": self.source_id,
                     "evidence": d.evidence, "raw": d.raw}
                )
        if pid not in self.cats_reset:
            self.cats_reset.add(pid)
            if not state.new:
                old = {r[0] for r in self.conn.execute(
                    select(T["category"].c.name).join(T["paper_category"], T["paper_category"].c.category_id == T["category"].c.id)
                    .where(T["paper_category"].c.paper_id == pid, T["paper_category"].c.list_name == self.list_name)
                )}
                if old and old != set(p.categories):
                    self.rows["change"].append(
                        {"paper_id": pid, "source_id": self.source_id, "field": "categories",
                         "old": ", ".join(sorted(old)), "new": ", ".join(sorted(p.categories))}
                    )
                self.conn.execute(
                    delete(T["paper_category"]).where(
                        T["paper_category"].c.paper_id == pid, T["paper_category"].c.list_name == self.list_name
                    )
                )
        for slug in p.categories:
            cid = self.categories.get(slug)
            if cid is not None and (pid, cid) not in self.cats:
                self.cats.add((pid, cid))
                self.rows["paper_category"].append({"paper_id": pid, "category_id": cid, "list_name": self.list_name})
        rec = p.record
        reported = {
            "title": p.title, "year": p.year, "date": p.date, "venue": p.venue or rec.venue_raw,
            "authors": [n.full for n in p.authors], "authors_truncated": p.authors_truncated,
            "arxiv": p.arxiv, "doi": p.doi,
            "links": _links_by_role((l.role, l.url) for l in p.links),
            "datasets": [d.name for d in p.datasets], "categories": sorted(p.categories), "domain": p.domain,
        }
        self.rows["provenance"].append(
            {"paper_id": pid, "source_id": self.source_id, "line": rec.line, "section": rec.section,
             "raw_text": rec.raw, "reported": json.dumps(reported, ensure_ascii=False)}
        )

    def _relations(self, papers: list[NormalizedPaper], ids: list[int]) -> None:
        seen = set()
        existing = {
            (r.subject_id, r.object_id, r.kind) for r in self.conn.execute(select(T["relation"]))
        } if any(p.record.parent is not None for p in papers) else set()
        for i, p in enumerate(papers):
            parent = p.record.parent
            if parent is None or p.record.relation is None or not (0 <= parent < len(ids)):
                continue
            child_id, parent_id = ids[i], ids[parent]
            if child_id == parent_id:
                continue
            if p.record.relation == "extension_of":
                row = (child_id, parent_id, "extension_of")
            else:
                row = (parent_id, child_id, "similar_to")
            if row not in seen and row not in existing:
                seen.add(row)
                self.rows["relation"].append({"subject_id": row[0], "object_id": row[1], "kind": row[2]})

    def _missing(self, present: set[int]) -> None:
        """Papers an earlier revision of this list had that this file no longer lists."""
        src, prov, p = T["source"], T["provenance"], T["paper"]
        q = (
            select(p.c.id, p.c.citekey, p.c.title, func.min(prov.c.line).label("line"))
            .join(prov, prov.c.paper_id == p.c.id)
            .join(src, src.c.id == prov.c.source_id)
            .where(src.c.list_name == self.list_name, src.c.id != self.source_id)
            .group_by(p.c.id)
            .order_by(p.c.id)
        )
        for row in self.conn.execute(q):
            if row.id not in present:
                self.report.missing.append(Entry(line=row.line, title=row.title, id=row.id, citekey=row.citekey))

    # -- writing

    def _flush(self) -> None:
        c, r = self.conn, self.rows
        for pid, s in self.touched.items():
            cur = s.cur
            values = {
                "title": cur.title, "title_key": title_key(cur.title), "year": cur.year,
                "year_from_date": cur.year_from_date, "date": cur.date, "venue_id": s.venue_id,
                "domain": cur.domain, "abstract": cur.abstract, "summary": cur.summary,
                "arxiv_id": cur.arxiv, "doi": cur.doi, "authors_truncated": cur.authors_truncated,
                "stars": cur.stars,
            }
            if s.new:
                r["paper"].append(
                    {"id": pid, "citekey": s.citekey, "created_at": self.now, "updated_at": self.now, **values}
                )
            elif s.changed:
                c.execute(update(T["paper"]).where(T["paper"].c.id == pid).values(updated_at=self.now, **values))
            if s.authors_changed and not s.new:
                c.execute(delete(T["authorship"]).where(T["authorship"].c.paper_id == pid))
            if s.new or s.authors_changed:
                r["authorship"] += [
                    {"paper_id": pid, "position": i, "author_id": self._author(n)} for i, n in enumerate(s.names)
                ]
        for name in (
            "venue", "venue_alias", "author", "dataset", "dataset_alias", "paper", "authorship",
            "link", "paper_dataset", "paper_category", "relation", "provenance", "change",
        ):
            if r[name]:
                c.execute(insert(T[name]), r[name])


def _links_by_role(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for role, url in pairs:
        out.setdefault(role, []).append(url)
    return {role: out[role] for role in LINK_ORDER if role in out}


def _jsonish(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------- one paper by hand, merging two


def add_paper(
    engine: Engine,
    db_path: Path,
    *,
    title: str,
    authors: list[str],
    venue: str | None = None,
    year: int | None = None,
    arxiv: str | None = None,
    doi: str | None = None,
    code: list[str] = (),
    datasets: list[str] = (),
    categories: list[str] = (),
    domain: str | None = None,
) -> dict:
    """Add one paper with the normalization of an import; refuse one that already exists."""
    from adbib.errors import AdbibError, UsageError
    from adbib.normalize.ids import BadLink, check_url, normalize_arxiv, normalize_doi
    from adbib.records import LinkRecord

    if not title.strip():
        raise UsageError("--title must not be empty")
    if domain is not None and domain not in ("industrial", "medical", "general"):
        raise UsageError(f"--domain must be industrial, medical or general, not {domain!r}")
    links = []
    if arxiv:
        aid = normalize_arxiv(arxiv)
        if aid is None:
            raise UsageError(f"--arxiv: {arxiv!r} is not an arXiv id")
        links.append(LinkRecord("arxiv", f"https://arxiv.org/abs/{aid}", "arXiv"))
    if doi:
        d = normalize_doi(doi)
        if d is None:
            raise UsageError(f"--doi: {doi!r} is not a DOI")
        links.append(LinkRecord("doi", f"https://doi.org/{d}", "DOI"))
    for url in code:
        try:
            links.append(LinkRecord("code", check_url(url), "Code"))
        except BadLink as e:
            raise UsageError(f"--code: {e}") from None
    content = json.dumps(
        {"title": title, "authors": list(authors), "venue": venue, "year": year, "arxiv": arxiv, "doi": doi,
         "code": list(code), "datasets": list(datasets), "categories": list(categories), "domain": domain},
        ensure_ascii=False,
    )
    record = PaperRecord(
        title=title, line=1, raw=content, year=year, venue_raw=venue,
        authors_raw=" and ".join(a.strip() for a in authors if a.strip()) or None,
        links=links, datasets_raw=list(datasets), headings=list(categories), domain=domain,
    )
    existing = find_existing(engine, db_path, normalize_record(record))
    if existing is not None:
        pid, key, old_title = existing
        raise AdbibError(f"already in the database as {key} (id {pid}): {old_title}")
    report = ingest_records(
        engine, db_path, [record], source_name="manual", display_path="(adbib add)",
        dialect="manual", content=content.encode(),
    )
    entry = report.created[0]
    return {"id": entry.id, "citekey": entry.citekey, "title": entry.title}


def merge_papers(engine: Engine, db_path: Path, keep_ref: str, other_ref: str) -> dict:
    """Merge OTHER into KEEP in one transaction; OTHER's citekey becomes an alias of KEEP."""
    from adbib.errors import AdbibError

    from adbib.rows import resolve

    p = T["paper"]
    with write_transaction(engine, db_path) as conn:
        dbapi = conn.connection.driver_connection  # the same connection, inside this transaction
        keep, other = resolve(dbapi, keep_ref), resolve(dbapi, other_ref)
        for ref, pid in ((keep_ref, keep), (other_ref, other)):
            if pid is None:
                raise AdbibError(f"no paper {ref!r}")
        if keep == other:
            raise AdbibError(f"{keep_ref!r} and {other_ref!r} are the same paper")
        k = conn.execute(select(p).where(p.c.id == keep)).one()._mapping
        o = conn.execute(select(p).where(p.c.id == other)).one()._mapping
        # identifiers are unique: free them on OTHER before KEEP takes them
        conn.execute(update(p).where(p.c.id == other).values(doi=None, arxiv_id=None))
        fill = {
            col: o[col]
            for col in ("year", "date", "venue_id", "domain", "abstract", "summary", "arxiv_id", "doi", "stars")
            if k[col] is None and o[col] is not None
        }
        fill["updated_at"] = datetime.now(timezone.utc)
        conn.execute(update(p).where(p.c.id == keep).values(**fill))
        has_authors = conn.execute(select(func.count()).where(T["authorship"].c.paper_id == keep)).scalar()
        if not has_authors:
            conn.execute(update(T["authorship"]).where(T["authorship"].c.paper_id == other).values(paper_id=keep))
        _move(conn, "link", other, keep, ("role", "url"))
        _move(conn, "paper_dataset", other, keep, ("dataset_id", "source_id", "evidence"))
        _move(conn, "paper_category", other, keep, ("category_id", "list_name"))
        _move(conn, "provenance", other, keep, ("source_id", "line"))
        conn.execute(update(T["change"]).where(T["change"].c.paper_id == other).values(paper_id=keep))
        rel = T["relation"]
        for r in conn.execute(select(rel).where((rel.c.subject_id == other) | (rel.c.object_id == other))).all():
            s = keep if r.subject_id == other else r.subject_id
            ob = keep if r.object_id == other else r.object_id
            if s != ob and not conn.execute(
                select(rel).where(rel.c.subject_id == s, rel.c.object_id == ob, rel.c.kind == r.kind)
            ).first():
                conn.execute(insert(rel).values(subject_id=s, object_id=ob, kind=r.kind))
        conn.execute(update(T["citekey_alias"]).where(T["citekey_alias"].c.paper_id == other).values(paper_id=keep))
        conn.execute(insert(T["citekey_alias"]).values(alias=o["citekey"], paper_id=keep))
        conn.execute(delete(p).where(p.c.id == other))
        return {"id": keep, "citekey": k["citekey"], "title": k["title"]}


def _move(conn: Connection, table: str, other: int, keep: int, key: tuple[str, ...]) -> None:
    """Re-point OTHER's rows of a table at KEEP, dropping those KEEP already has."""
    t = T[table]
    have = {tuple(r) for r in conn.execute(select(*(t.c[k] for k in key)).where(t.c.paper_id == keep))}
    for r in conn.execute(select(t).where(t.c.paper_id == other)).all():
        row = dict(r._mapping)
        if tuple(row[k] for k in key) in have:
            continue
        row["paper_id"] = keep
        row.pop("id", None)
        conn.execute(insert(t).values(**row))
    conn.execute(delete(t).where(t.c.paper_id == other))
