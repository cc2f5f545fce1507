"""The only entry point that writes papers: ``ingest()`` imports one file in one transaction.

A list (or a CSV, or records built in memory) is read and normalized before the transaction
starts (pure functions); a .bib is read in chunks inside it, each chunk normalized and written
before the next is read, so memory does not grow with the file.  Holding the write lock (SQLite
``BEGIN IMMEDIATE``, PostgreSQL an advisory lock), the import syncs the vocabulary, recognises
which list the file is a revision of (:mod:`adbib.importer.revisions`), and hands the records to
the writer chunk by chunk (:mod:`adbib.importer.writer`; identity and merge rules in
:mod:`adbib.resolve`).  Any error — or Ctrl-C — rolls the whole file back; a dry run rolls back
on purpose.  Whether a file was imported before is asked first, without this module
(:mod:`adbib.importer.files`).
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from adbib import citekeys, journal, tables
from adbib.backend import Target
from adbib.db import write_transaction
from adbib.importer.files import (
    LIST_DIALECTS,
    Hashed,
    Streamed,
    WholeText,
    already_imported,
    file_hash,
    open_input,
    read_file,
)
from adbib.importer.report import ConflictNote, Entry, ImportReport, NewVocab, Note
from adbib.importer.revisions import entry_repos, list_title, recognise, signature, signature_of_lines
from adbib.importer.vocabulary import map_value, sync_vocabulary
from adbib.importer.writer import Shared, SharedLater, Writer, families, load_index, new_id, shared_identifiers
from adbib.normalize import normalize_record
from adbib.readers import detect, reader
from adbib.records import NormalizedPaper, PaperRecord, ParseFailure, ParseResult, ReaderError

__all__ = [
    "ConflictNote",
    "Entry",
    "ImportReport",
    "NewVocab",
    "Note",
    "add_paper",
    "find_existing",
    "ingest",
    "ingest_records",
    "map_vocabulary",
    "merge_papers",
    "read_file",
    "sync_vocabulary",
]

T: dict[str, Table] = {t.name: t for t in tables.metadata.sorted_tables}
Progress = Callable[[int, int], None] | None


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


# ---------------------------------------------------------------- entry points


@contextmanager
def logged(engine: Engine, db_path: Target, kind: str, summary: str) -> Iterator[tuple[Connection, journal.Op]]:
    """One write transaction, logged as one undoable operation (:mod:`adbib.journal`)."""
    with write_transaction(engine, db_path) as conn, journal.operation(journal.dbapi(conn), kind, summary) as op:
        yield conn, op


def _import_summary(report: ImportReport) -> str:
    counts = f"{report.new} new, {len(report.merged)} merged, {len(report.unchanged)} unchanged"
    return f"import {report.path} as {report.list_name or report.source}: {counts}"


def ingest(
    engine: Engine,
    db_path: Target,
    path: Path,
    *,
    dialect: str | None = None,
    source_name: str | None = None,
    list_name: str | None = None,
    display_path: str | None = None,
    dry_run: bool = False,
    progress: Progress = None,
    columns: dict[str, str] | None = None,
    data: bytes | Hashed | None = None,
    list_new: bool = True,
) -> ImportReport:
    """Import one file: all of it or nothing.

    ``list_name`` names the list the file is a revision of; without it the file is recognised
    as a revision of an imported list (:mod:`adbib.importer.revisions`) or starts a list of its
    own, named after the file.  A file whose bytes were imported before (under any name) is
    recognised by its hash before it is even parsed.  A format given explicitly (not auto) that
    reads no entry at all is a ReaderError, not an empty import.  ``columns`` maps fields to
    unusual headers for the ``table`` reader (``--columns``).  ``data``: the file's bytes, or
    its hash (a format read in pieces), when the caller
    (:func:`adbib.importer.files.import_files`) has read them already.  ``list_new`` False: the
    report counts the entries that created a paper and does not keep them (:class:`ImportReport`).

    A reader that reads pieces of text (``iter_read_pieces``: BibTeX) is streamed: the file is read
    from disk piece by piece (:class:`adbib.importer.files.Streamed`), and each chunk of entries is
    normalized, resolved and written before the next is read, inside the one transaction.  A list is read
    whole: recognising which list it is a revision of needs all of its entries first."""
    explicit = dialect not in (None, "auto")
    given = data if data is not None else open_input(Path(path), dialect, columns)
    got = given.scan() if isinstance(given, Hashed) else given
    streamed = got.dialect(dialect) if isinstance(got, Streamed) else None
    text: Streamed | WholeText
    if isinstance(got, Streamed) and streamed is not None:
        dialect, content_hash, text = streamed, got.content_hash, got
    else:
        dialect, data, whole = read_file(path, dialect, got if isinstance(got, bytes) else None)
        content_hash, text = file_hash(data), WholeText(whole)
        del data, whole
    name = source_name or Path(path).stem
    shown = display_path or str(path)
    report = ImportReport(source=name, path=shown, dialect=dialect, dry_run=dry_run, list_new=list_new)
    if already_imported(db_path, content_hash):
        report.already_imported = True
        return report
    mod = reader(dialect)
    if columns is None and dialect not in LIST_DIALECTS and hasattr(mod, "iter_read_pieces"):
        source: _Records = _Streamed(lambda: _named(shown, mod.iter_read_pieces(text.pieces, CHUNK)), text)
    else:
        assert isinstance(text, WholeText)  # only a format read in pieces is streamed (files.streams)
        with _no_gc():  # parsing allocates millions of small objects that never form cycles
            parsed = next(_named(shown, _whole_file(mod, text.text(), columns)))
        source = _Whole(parsed, signature(text.text(), parsed.records))
    return _ingest(engine, db_path, report, source, list_name, content_hash, progress, explicit, text)


CHUNK = 1000  # records normalized, resolved and written at a time (memory stays flat in the file's size;
# 100k entries: 354 MiB peak at 1000, 382 MiB at 2000, 348 MiB at 500 but slower)


def _whole_file(mod: Any, text: str, columns: dict[str, str] | None) -> Iterator[ParseResult]:
    yield mod.read(text, columns=columns) if columns else mod.read(text)


def _named(shown: str, parts: Iterator[ParseResult]) -> Iterator[ParseResult]:
    """A reader's chunks; a file-level refusal names the file."""
    try:
        yield from parts
    except ReaderError as e:
        raise (e if str(e).startswith(shown) else ReaderError(f"{shown}: {e}")) from None


class _Records:
    """The records of one import, in file order: chunks of (what the reader said, the chunk's
    records normalized)."""

    title: str | None  # the list title the normalizer may use (the file's title line)
    signature: Any  # revisions.Signature, None for records built in memory; final once read

    def parts(self) -> Iterator[tuple[ParseResult, list[NormalizedPaper]]]:
        raise NotImplementedError


class _Whole(_Records):
    """All records read (and normalized) beforehand: a list, a CSV, ``adbib add``."""

    def __init__(self, parsed: ParseResult, sig: Any) -> None:
        self.signature, self.parsed = sig, parsed
        self.title = sig.title if sig is not None else None
        self.papers = _normalized(parsed.records, self.title)

    def parts(self) -> Iterator[tuple[ParseResult, list[NormalizedPaper]]]:
        said = self.parsed
        for i in range(0, max(len(self.papers), 1), CHUNK):
            part = ParseResult(records=said.records[i : i + CHUNK])
            if i == 0:
                part.failures, part.skipped = said.failures, said.skipped
            yield part, self.papers[i : i + CHUNK]


class _Streamed(_Records):
    """Records read chunk by chunk while the previous chunk is written (BibTeX)."""

    def __init__(self, parts: Callable[[], Iterator[ParseResult]], text: Streamed | WholeText) -> None:
        self._parts, self.text = parts, text
        self.title = list_title(text.head, text.first_line)
        self.repos: set[str] = set()
        self.signature = None

    def parts(self) -> Iterator[tuple[ParseResult, list[NormalizedPaper]]]:
        self.repos = set()
        parts = self._parts()
        while True:
            with _no_gc():  # parsing allocates millions of small objects that never form cycles
                part = next(parts, None)
            if part is None:
                break
            self.repos |= entry_repos(part.records)
            yield part, _normalized(part.records, self.title)
        self.signature = signature_of_lines(self.title, self.text.lines(), self.repos)


def _normalized(records: list[PaperRecord], title: str | None) -> list[NormalizedPaper]:
    with _no_gc():
        return [normalize_record(r, title) for r in records]


def _no_entries(shown: str, dialect: str, text: str, failures: list[ParseFailure]) -> str:
    """The one line saying that a file read as ``dialect`` gave no entry, and what it may be."""
    detected = detect(text)
    said = f"auto-detect says {detected}" if detected else "auto-detect knows no format for it"
    failed = ""
    if failures:
        first = failures[0]
        lines = "1 entry-like line" if len(failures) == 1 else f"{len(failures)} entry-like lines"
        failed = f" ({lines} could not be read, the first at line {first.line}: {first.reason})"
    return f"{shown}: read as {dialect}, no entries found{failed} — is it another format? ({said})"


@contextmanager
def _no_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def ingest_records(
    engine: Engine,
    db_path: Target,
    records: list[PaperRecord],
    *,
    source_name: str,
    display_path: str,
    dialect: str,
    content: bytes,
    list_name: str | None = None,
) -> ImportReport:
    """Import records built in memory (``adbib add``) as a source of their own."""
    report = ImportReport(source=source_name, path=display_path, dialect=dialect)
    source = _Whole(ParseResult(records=records), None)
    text = WholeText("")
    return _ingest(engine, db_path, report, source, list_name or source_name, file_hash(content), None, False, text)


def _ingest(
    engine: Engine,
    db_path: Target,
    report: ImportReport,
    source: _Records,
    list_name: str | None,
    content_hash: str,
    progress: Progress,
    explicit: bool,
    text: Streamed | WholeText,
) -> ImportReport:
    """Normalize, resolve and write the records in one transaction (rolled back for a dry run).

    A streamed file whose identifier turns out to be shared by titles of two chunks is imported
    again, with the file's shared identifiers found first (:class:`adbib.importer.writer.SharedLater`)."""
    shared = shared_identifiers(source.papers) if isinstance(source, _Whole) else None
    while True:
        attempt = ImportReport(
            source=report.source,
            path=report.path,
            dialect=report.dialect,
            dry_run=report.dry_run,
            list_new=report.list_new,
        )
        try:
            with logged(engine, db_path, "import", f"import {attempt.path}") as (conn, op):
                src = T["source"]
                if conn.execute(select(src.c.id).where(src.c.content_hash == content_hash)).first() is not None:
                    attempt.already_imported = True  # imported by another process meanwhile
                    return attempt
                made = Writer(conn, attempt, list_name or attempt.source, content_hash, source.signature, progress)
                with closing(made) as writer:  # its scratch databases dropped as it ends
                    writer.prepare()
                    # a list file (records built in memory have no signature): which list it is a revision of
                    listed = attempt.dialect in LIST_DIALECTS and source.signature is not None
                    if list_name is None and listed and isinstance(source, _Whole):
                        writer.list_name = _which_list(conn, writer, source.papers, shared or {}, attempt)
                    attempt.list_name = writer.list_name
                    writer.begin(shared, text.newlines + 1)
                    for part, papers in source.parts():
                        attempt.skipped += [Note(s.line, s.reason) for s in part.skipped]
                        attempt.failed += [Note(f.line, f.reason) for f in part.failures]
                        attempt.entries += len(papers)
                        with _no_gc():  # a collection would walk what the writer holds, again and again
                            writer.write(papers)
                    if explicit and not attempt.entries:
                        failures = [ParseFailure(n.line, n.reason, "") for n in attempt.failed]
                        raise ReaderError(_no_entries(attempt.path, attempt.dialect, text.text(), failures))
                    writer.signature = source.signature
                    writer.finish()
                    op.summary = _import_summary(attempt)
                if attempt.dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except SharedLater:
            assert shared is None  # known beforehand, shared identifiers are never found later
            shared = shared_identifiers(p for _, papers in source.parts() for p in papers)
            continue
        return attempt


def _which_list(
    conn: Connection, writer: Writer, papers: list[NormalizedPaper], shared: Shared, report: ImportReport
) -> str:
    """The list the file is a revision of, recognised, or a new list named after the source
    (``shared``: the identifiers the file gives to several titles, trusted for none)."""
    untrusted = frozenset(shared)
    matched = [writer.index.match(p, families(p.authors), untrusted).id for p in papers]
    assert writer.signature is not None  # called only for a file that has a signature
    found = recognise(conn, writer.signature, matched, len(papers))
    if found is None:
        return report.source
    report.revision_of = found.describe()
    return found.list_name


def find_existing(engine: Engine, db_path: Target, paper: NormalizedPaper) -> tuple[int, str, str] | None:
    """(id, citekey, title) of the stored paper this one would be merged into — or whose
    identifier it claims under another title — if any."""
    with write_transaction(engine, db_path) as conn:
        with closing(load_index(conn)) as index:
            found = index.match(paper, families(paper.authors))
        pid = found.id if found.id is not None else next((c.other_id for c in found.conflicts), None)
        if pid is None:
            return None
        row = conn.execute(
            select(T["paper"].c.id, T["paper"].c.citekey, T["paper"].c.title).where(T["paper"].c.id == pid)
        ).one()
        return row.id, row.citekey, row.title


def map_vocabulary(engine: Engine, db_path: Target, kind: str, value: str, target: str) -> dict[str, Any]:
    """``adbib vocab map``: fold one stored venue, dataset or category into another."""
    with logged(engine, db_path, "vocab", f"vocab map {kind} {value!r} -> {target!r}") as (conn, _op):
        return map_value(conn, kind, value, target)


def apply_vocabulary(engine: Engine, db_path: Target) -> None:
    """``adbib vocab sync``: the vocabulary files synced in, unknown values they now name folded."""
    with logged(engine, db_path, "vocab", "vocab sync") as (conn, _op):
        sync_vocabulary(conn)


# ---------------------------------------------------------------- one paper by hand, merging two


def add_paper(
    engine: Engine,
    db_path: Target,
    *,
    title: str,
    authors: list[str],
    venue: str | None = None,
    year: int | None = None,
    arxiv: str | None = None,
    doi: str | None = None,
    code: tuple[str, ...] | list[str] = (),
    datasets: tuple[str, ...] | list[str] = (),
    categories: tuple[str, ...] | list[str] = (),
    domain: str | None = None,
) -> dict[str, Any]:
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
        {
            "title": title,
            "authors": list(authors),
            "venue": venue,
            "year": year,
            "arxiv": arxiv,
            "doi": doi,
            "code": list(code),
            "datasets": list(datasets),
            "categories": list(categories),
            "domain": domain,
        },
        ensure_ascii=False,
    )
    record = PaperRecord(
        title=title,
        line=1,
        raw=content,
        year=year,
        venue_raw=venue,
        authors_raw=" and ".join(a.strip() for a in authors if a.strip()) or None,
        links=links,
        datasets_raw=list(datasets),
        headings=list(categories),
        domain=domain,
    )
    existing = find_existing(engine, db_path, normalize_record(record))
    if existing is not None:
        pid, key, old_title = existing
        raise AdbibError(f"already in the database as {key} (id {pid}): {old_title}")
    report = ingest_records(
        engine,
        db_path,
        [record],
        source_name="manual",
        display_path="(adbib add)",
        dialect="manual",
        content=content.encode(),
    )
    entry = report.created[0]
    return {"id": entry.id, "citekey": entry.citekey, "title": entry.title}


def merge_papers(engine: Engine, db_path: Target, keep_ref: str, other_ref: str, force: bool = False) -> dict[str, Any]:
    """Merge OTHER into KEEP in one transaction; OTHER's citekey becomes an alias of KEEP.

    Papers that clearly differ (adbib.mergeplan: titles, authors, DOIs) are refused with
    MergeRefused unless ``force``."""
    from adbib.errors import AdbibError
    from adbib.rows import resolve

    p = T["paper"]
    with logged(engine, db_path, "merge", f"merge {other_ref} into {keep_ref}") as (conn, op):
        dbapi = journal.dbapi(conn)  # the same connection, inside this transaction
        keep, other = resolve(dbapi, keep_ref), resolve(dbapi, other_ref)
        for ref, pid in ((keep_ref, keep), (other_ref, other)):
            if pid is None:
                raise AdbibError(f"no paper {ref!r}")
        assert keep is not None and other is not None  # both checked just above
        if keep == other:
            raise AdbibError(f"{keep_ref!r} and {other_ref!r} are the same paper")
        from adbib import mergeplan

        mergeplan.refuse_unless_forced(mergeplan.plan(dbapi, keep, other), force)
        k = conn.execute(select(p).where(p.c.id == keep)).one()._mapping
        o = conn.execute(select(p).where(p.c.id == other)).one()._mapping
        # identifiers are unique: free them on OTHER before KEEP takes them
        conn.execute(update(p).where(p.c.id == other).values(doi=None, arxiv_id=None))
        fill = {
            col: o[col]
            for col in ("year", "date", "venue_id", "domain", "abstract", "summary", "arxiv_id", "doi", "stars")
            if k[col] is None and o[col] is not None
        }
        fill["updated_at"] = datetime.now(UTC)
        conn.execute(update(p).where(p.c.id == keep).values(**fill))
        has_authors = conn.execute(select(func.count()).where(T["authorship"].c.paper_id == keep)).scalar()
        if not has_authors:
            conn.execute(update(T["authorship"]).where(T["authorship"].c.paper_id == other).values(paper_id=keep))
        _move_links(conn, other, keep)
        _move_owners(conn, other, keep, {_OWNER_OF.get(col, col) for col in fill})
        conflict = T["conflict"]
        conn.execute(update(conflict).where(conflict.c.paper_id == other).values(paper_id=keep))
        conn.execute(update(conflict).where(conflict.c.other_id == other).values(other_id=keep))
        _move(conn, "paper_dataset", other, keep, ("dataset_id", "source_id", "evidence"))
        _move(conn, "paper_category", other, keep, ("category_id", "list_name"))
        _move(conn, "provenance", other, keep, ("source_id", "line"))
        _move(conn, "paper_field", other, keep, ("name",))
        conn.execute(update(T["change"]).where(T["change"].c.paper_id == other).values(paper_id=keep))
        rel = T["relation"]
        for r in conn.execute(select(rel).where((rel.c.subject_id == other) | (rel.c.object_id == other))).all():
            s = keep if r.subject_id == other else r.subject_id
            ob = keep if r.object_id == other else r.object_id
            if (
                s != ob
                and not conn.execute(
                    select(rel).where(rel.c.subject_id == s, rel.c.object_id == ob, rel.c.kind == r.kind)
                ).first()
            ):
                conn.execute(insert(rel).values(subject_id=s, object_id=ob, kind=r.kind))
        conn.execute(update(T["citekey_alias"]).where(T["citekey_alias"].c.paper_id == other).values(paper_id=keep))
        conn.execute(insert(T["citekey_alias"]).values(alias=o["citekey"], paper_id=keep))
        conn.execute(delete(p).where(p.c.id == other))
        op.summary = f"merge {o['citekey']} into {k['citekey']}"
        return {"id": keep, "citekey": k["citekey"], "title": k["title"]}


_OWNER_OF = {"venue_id": "venue", "arxiv_id": "arxiv"}


def _move_links(conn: Connection, other: int, keep: int) -> None:
    """OTHER's links become KEEP's; a link KEEP has already keeps the lists that gave either."""
    lk, ls = T["link"], T["link_source"]
    have = {
        (r.role, r.url): r.id for r in conn.execute(select(lk.c.id, lk.c.role, lk.c.url).where(lk.c.paper_id == keep))
    }
    for r in conn.execute(select(lk.c.id, lk.c.role, lk.c.url).where(lk.c.paper_id == other)).all():
        target = have.get((r.role, r.url))
        if target is None:
            conn.execute(update(lk).where(lk.c.id == r.id).values(paper_id=keep))
            continue
        claimed = {c[0] for c in conn.execute(select(ls.c.list_name).where(ls.c.link_id == target))}
        for (lst,) in conn.execute(select(ls.c.list_name).where(ls.c.link_id == r.id)).all():
            if lst not in claimed:
                conn.execute(insert(ls).values(link_id=target, list_name=lst))
        conn.execute(delete(lk).where(lk.c.id == r.id))


def _move_owners(conn: Connection, other: int, keep: int, fields: set[str]) -> None:
    """The fields KEEP took from OTHER keep the list that gave them."""
    fs = T["field_source"]
    for r in conn.execute(select(fs).where(fs.c.paper_id == other, fs.c.field.in_(fields))).all():
        conn.execute(delete(fs).where(fs.c.paper_id == keep, fs.c.field == r.field))
        conn.execute(insert(fs).values(paper_id=keep, field=r.field, list_name=r.list_name))


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


# ---------------------------------------------------------------- citekeys


def rekey_paper(engine: Engine, db_path: Target, ref: str, newkey: str) -> dict[str, Any]:
    """Give the paper REF names the citekey NEWKEY; its old key becomes an alias (one transaction).

    Refused: a key bibtex or biber cannot read, a key another paper has (as citekey or alias).
    NEWKEY may be one of the paper's own aliases (that alias then becomes its key)."""
    from adbib.errors import AdbibError, UsageError
    from adbib.rows import resolve

    newkey = newkey.strip()
    if not citekeys.valid_key(newkey):
        raise UsageError(
            f"{newkey!r} cannot be a citekey: use letters, digits and - _ : . / (no spaces, commas, braces or quotes)"
        )
    p, alias = T["paper"], T["citekey_alias"]
    with logged(engine, db_path, "rekey", f"rekey {ref} {newkey}") as (conn, _op):
        pid = resolve(journal.dbapi(conn), ref)
        if pid is None:
            raise AdbibError(f"no paper {ref!r}")
        old, title = conn.execute(select(p.c.citekey, p.c.title).where(p.c.id == pid)).one()
        if newkey == old:
            raise AdbibError(f"{old} already has that key")
        folded = newkey.lower()  # bibtex compares keys ignoring case
        owners = (
            conn.execute(
                select(p.c.id)
                .where(func.lower(p.c.citekey) == folded)
                .union(select(alias.c.paper_id).where(func.lower(alias.c.alias) == folded))
            )
            .scalars()
            .all()
        )
        owner = next((o for o in owners if o != pid), None)
        if owner is not None:
            other = conn.execute(select(p.c.citekey).where(p.c.id == owner)).scalar()
            raise AdbibError(f"{newkey!r} is taken by another paper ({other})")
        conn.execute(delete(alias).where(alias.c.alias == newkey))
        conn.execute(update(p).where(p.c.id == pid).values(citekey=newkey, updated_at=datetime.now(UTC)))
        conn.execute(insert(alias).values(alias=old, paper_id=pid))
        return {"id": pid, "old": old, "citekey": newkey, "title": title}


# ---------------------------------------------------------------- curation: edit, delete, tag, note, undo

EDITABLE = ("title", "year", "venue", "authors", "doi", "arxiv", "domain", "abstract", "links")
DOMAINS = ("industrial", "medical", "general")


def parse_sets(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``--set field=value`` items as {field: value}; an unknown field or a missing ``=`` is a UsageError."""
    from adbib.errors import UsageError

    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lower()
        if not sep:
            raise UsageError(f"--set {item!r}: write FIELD=VALUE (fields: {', '.join(EDITABLE)})")
        if name not in EDITABLE:
            raise UsageError(f"--set: cannot edit {name!r} (fields: {', '.join(EDITABLE)})")
        if name in out:
            raise UsageError(f"--set: {name} given twice")
        out[name] = value.strip()
    return out


def _paper_ref(conn: Connection, ref: str) -> Any:
    from adbib.errors import AdbibError
    from adbib.rows import resolve

    pid = resolve(journal.dbapi(conn), ref)
    if pid is None:
        raise AdbibError(f"no paper {ref!r}")
    p = T["paper"]
    return conn.execute(select(p).where(p.c.id == pid)).one()


def _shown(value: object) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return repr(value) if isinstance(value, str) else str(value)


def edit_paper(
    engine: Engine, db_path: Target, ref: str, sets: dict[str, str], note: str | None = None
) -> dict[str, Any]:
    """``adbib edit``: set fields of one paper by hand, in one logged transaction.

    Each field set is owned by 'manual' in field_source, so that no later import overrides it
    (:func:`adbib.resolve.merge`).  An empty value clears a field (not the title).  ``links``
    replaces the paper's links: space-separated ``ROLE:URL`` items (roles: paper, arxiv, doi,
    code, code-unofficial, project, dataset).  Returns id, citekey, title and ``changes``:
    [(field, old, new)] as shown to the user (fields whose value did not change are left out)."""
    from adbib.errors import UsageError

    if not sets and note is None:
        raise UsageError("nothing to edit: give --set FIELD=VALUE (fields: " + ", ".join(EDITABLE) + ") or --note")
    with logged(engine, db_path, "edit", f"edit {ref}") as (conn, op):
        row = _paper_ref(conn, ref)
        pid = row.id
        changes: list[tuple[str, str, str]] = []
        for name, value in sets.items():
            old, new = _EDITORS[name](conn, row, value)
            if old != new:
                changes.append((name, _shown(old), _shown(new)))
                if name != "links":
                    _own(conn, pid, name)
        if note is not None:
            old_note = row.note
            new_note = note.strip() or None
            if old_note != new_note:
                conn.execute(update(T["paper"]).where(T["paper"].c.id == pid).values(note=new_note))
                changes.append(("note", _shown(old_note), _shown(new_note)))
        if changes:
            conn.execute(update(T["paper"]).where(T["paper"].c.id == pid).values(updated_at=datetime.now(UTC)))
        title = conn.execute(select(T["paper"].c.title).where(T["paper"].c.id == pid)).scalar()
        op.summary = f"edit {row.citekey}: " + "; ".join(f"{f} {o} -> {n}" for f, o, n in changes)
        return {"id": pid, "citekey": row.citekey, "title": title, "changes": changes}


def _own(conn: Connection, pid: int, name: str) -> None:
    """The field's value is now a manual edit's: imports never override it."""
    from adbib.resolve import MANUAL

    fs = T["field_source"]
    conn.execute(delete(fs).where(fs.c.paper_id == pid, fs.c.field == name))
    conn.execute(insert(fs).values(paper_id=pid, field=name, list_name=MANUAL))


def _set_column(conn: Connection, pid: int, **values: Any) -> None:
    conn.execute(update(T["paper"]).where(T["paper"].c.id == pid).values(**values))


def _edit_title(conn: Connection, row: Any, value: str) -> tuple[object, object]:
    from adbib.errors import UsageError
    from adbib.normalize.text import clean_spaces, title_key

    title = clean_spaces(value)
    if not title:
        raise UsageError("--set title=: a title cannot be empty")
    _set_column(conn, row.id, title=title, title_key=title_key(title))
    return row.title, title


def _edit_year(conn: Connection, row: Any, value: str) -> tuple[object, object]:
    from adbib.errors import UsageError

    year: int | None = None
    if value:
        if not value.isdigit() or not 1000 <= int(value) <= 2999:
            raise UsageError(f"--set year={value!r}: a year is four digits (empty to clear it)")
        year = int(value)
    _set_column(conn, row.id, year=year, year_from_date=False)
    return row.year, year


def _edit_venue(conn: Connection, row: Any, value: str) -> tuple[object, object]:
    from adbib.importer.vocabulary import VocabRows
    from adbib.normalize.venues import open_venue

    v = T["venue"]
    old = conn.execute(select(v.c.short_name).where(v.c.id == row.venue_id)).scalar() if row.venue_id else None
    match = open_venue(value)
    if match is None:
        _set_column(conn, row.id, venue_id=None)
        return old, None

    def queue(table: str, _line: int, values: dict[str, Any]) -> None:
        conn.execute(insert(T[table]).values(**values))

    def alloc(table: str) -> int:
        return (conn.execute(select(func.max(T[table].c.id))).scalar() or 0) + 1

    vocab = VocabRows(conn, queue, alloc, lambda *_: None)
    vid, _ = vocab.venue(match.short, match.name, match.type, match.known, 0)
    _set_column(conn, row.id, venue_id=vid)
    return old, conn.execute(select(v.c.short_name).where(v.c.id == vid)).scalar()


def _edit_authors(conn: Connection, row: Any, value: str) -> tuple[object, object]:
    from adbib.errors import UsageError
    from adbib.normalize.names import parse_authors
    from adbib.normalize.text import title_key

    a, au = T["authorship"], T["author"]
    old = [
        r[0]
        for r in conn.execute(
            select(au.c.name).join(a, a.c.author_id == au.c.id).where(a.c.paper_id == row.id).order_by(a.c.position)
        )
    ]
    parsed = parse_authors(value)
    if value and not parsed.names:
        raise UsageError(f"--set authors={value!r}: no author name in it (write 'Given Family and Given Family')")
    names = [n.full for n in parsed.names]
    if names == old and bool(row.authors_truncated) == parsed.truncated:
        return old, names
    conn.execute(delete(a).where(a.c.paper_id == row.id))
    for i, n in enumerate(parsed.names):
        key = title_key(" ".join(x for x in (n.given, n.von, n.family) if x))
        aid = conn.execute(select(au.c.id).where(au.c.name_key == key)).scalar()
        if aid is None:
            aid = new_id(
                conn.execute(
                    insert(au).values(
                        name=n.full,
                        given=n.given,
                        von=n.von,
                        family=n.family,
                        jr=n.jr,
                        name_key=key,
                        family_key=title_key(n.last),
                    )
                )
            )
        conn.execute(insert(a).values(paper_id=row.id, position=i, author_id=aid))
    _set_column(conn, row.id, authors_truncated=parsed.truncated)
    return old, names + (["and others"] if parsed.truncated else [])


def _edit_identifier(column: str, label: str) -> Callable[[Connection, Any, str], tuple[object, object]]:
    def edit(conn: Connection, row: Any, value: str) -> tuple[object, object]:
        from adbib.errors import AdbibError, UsageError
        from adbib.normalize.ids import normalize_arxiv, normalize_doi

        new = None
        if value:
            new = (normalize_doi if column == "doi" else normalize_arxiv)(value)
            if new is None:
                raise UsageError(f"--set {label}={value!r}: not a {'DOI' if column == 'doi' else 'arXiv id'}")
            p = T["paper"]
            other = conn.execute(select(p.c.citekey).where(p.c[column] == new, p.c.id != row.id)).scalar()
            if other is not None:
                raise AdbibError(f"{label} {new} belongs to another paper ({other})")
        _set_column(conn, row.id, **{column: new})
        return row._mapping[column], new

    return edit


def _edit_domain(conn: Connection, row: Any, value: str) -> tuple[object, object]:
    from adbib.errors import UsageError

    new = value.lower() or None
    if new is not None and new not in DOMAINS:
        raise UsageError(f"--set domain={value!r}: a domain is industrial, medical or general (empty to clear it)")
    _set_column(conn, row.id, domain=new)
    return row.domain, new


def _edit_abstract(conn: Connection, row: Any, value: str) -> tuple[object, object]:
    new = value or None
    _set_column(conn, row.id, abstract=new)
    return row.abstract, new


def _edit_links(conn: Connection, row: Any, value: str) -> tuple[object, object]:
    from adbib.errors import UsageError
    from adbib.normalize.ids import BadLink, check_url
    from adbib.records import LINK_ROLES
    from adbib.resolve import MANUAL

    wanted: list[tuple[str, str]] = []
    for item in value.split():
        role, sep, url = item.partition(":")
        if not sep or role not in LINK_ROLES:
            raise UsageError(f"--set links: {item!r} is not ROLE:URL (roles: {', '.join(LINK_ROLES)})")
        try:
            url = check_url(url)
        except BadLink as e:
            raise UsageError(f"--set links: {e}") from None
        if (role, url) not in wanted:
            wanted.append((role, url))
    lk, ls = T["link"], T["link_source"]
    have = [
        (r.role, r.url)
        for r in conn.execute(select(lk.c.role, lk.c.url).where(lk.c.paper_id == row.id).order_by(lk.c.id))
    ]
    if have == wanted:
        return [f"{r}:{u}" for r, u in have], [f"{r}:{u}" for r, u in wanted]
    conn.execute(delete(lk).where(lk.c.paper_id == row.id))
    for role, url in wanted:
        lid = new_id(conn.execute(insert(lk).values(paper_id=row.id, role=role, url=url)))
        conn.execute(insert(ls).values(link_id=lid, list_name=MANUAL))
    return [f"{r}:{u}" for r, u in have], [f"{r}:{u}" for r, u in wanted]


_EDITORS: dict[str, Callable[[Connection, Any, str], tuple[object, object]]] = {
    "title": _edit_title,
    "year": _edit_year,
    "venue": _edit_venue,
    "authors": _edit_authors,
    "doi": _edit_identifier("doi", "doi"),
    "arxiv": _edit_identifier("arxiv_id", "arxiv"),
    "domain": _edit_domain,
    "abstract": _edit_abstract,
    "links": _edit_links,
}


def delete_paper(engine: Engine, db_path: Target, ref: str, purge: bool = False) -> dict[str, Any]:
    """``adbib delete``: hide a paper from every listing (kept, with its provenance, and still
    merged into by later imports, so it does not come back); ``purge`` removes it and all its
    rows.  Either is undone by ``adbib undo``."""
    from adbib.errors import AdbibError

    with logged(engine, db_path, "delete", f"delete {ref}") as (conn, op):
        row = _paper_ref(conn, ref)
        p = T["paper"]
        if purge:
            conn.execute(delete(p).where(p.c.id == row.id))
            op.summary = f"purge {row.citekey}: {row.title}"
        else:
            if row.deleted_at is not None:
                raise AdbibError(f"{row.citekey} is deleted already (adbib delete --purge removes it for good)")
            conn.execute(update(p).where(p.c.id == row.id).values(deleted_at=datetime.now(UTC)))
            op.summary = f"delete {row.citekey}: {row.title}"
        return {"id": row.id, "citekey": row.citekey, "title": row.title, "purged": purge, "operation": op.id}


def tag_paper(engine: Engine, db_path: Target, ref: str, changes: list[str]) -> dict[str, Any]:
    """``adbib tag REF +to-read -done``: ``+name`` (or a bare name) adds a tag, ``-name`` removes one.
    Tags are single words (letters, digits, - _ . / :), kept lowercase."""
    from adbib.errors import UsageError

    plan: list[tuple[str, str]] = []
    for item in changes:
        sign, name = ("-", item[1:]) if item.startswith("-") else ("+", item.removeprefix("+"))
        name = name.strip().lower()
        if not _TAG.fullmatch(name):
            raise UsageError(
                f"tag {item!r}: a tag is one word of letters, digits and - _ . / : (+tag adds, -tag removes)"
            )
        plan.append((sign, name))
    if not plan:
        raise UsageError("give tags to add (+name) or remove (-name)")
    t = T["tag"]
    with logged(engine, db_path, "tag", f"tag {ref}") as (conn, op):
        row = _paper_ref(conn, ref)
        have = {r[0] for r in conn.execute(select(t.c.name).where(t.c.paper_id == row.id))}
        done: list[str] = []
        for sign, name in plan:
            if sign == "+" and name not in have:
                conn.execute(insert(t).values(paper_id=row.id, name=name))
                have.add(name)
                done.append(f"+{name}")
            elif sign == "-" and name in have:
                conn.execute(delete(t).where(t.c.paper_id == row.id, t.c.name == name))
                have.discard(name)
                done.append(f"-{name}")
        op.summary = f"tag {row.citekey} {' '.join(done)}"
        return {"id": row.id, "citekey": row.citekey, "title": row.title, "done": done, "tags": sorted(have)}


_TAG = re.compile(r"\w[\w\-./:]*")


def note_paper(engine: Engine, db_path: Target, ref: str, text: str) -> dict[str, Any]:
    """``adbib note REF TEXT``: the paper's note (an empty TEXT removes it)."""
    with logged(engine, db_path, "note", f"note {ref}") as (conn, op):
        row = _paper_ref(conn, ref)
        new = text.strip() or None
        conn.execute(update(T["paper"]).where(T["paper"].c.id == row.id).values(note=new))
        op.summary = f"note {row.citekey}: {_shown(row.note)} -> {_shown(new)}"
        return {"id": row.id, "citekey": row.citekey, "title": row.title, "note": new, "old": row.note}


def undo_operation(engine: Engine, db_path: Target, operation_id: int | None = None) -> dict[str, Any]:
    """``adbib undo [OPERATION]``: revert the last operation that wrote, or the one named, exactly
    (:func:`adbib.journal.undo`), in one transaction."""
    with write_transaction(engine, db_path) as conn:
        return journal.undo(journal.dbapi(conn), operation_id)
