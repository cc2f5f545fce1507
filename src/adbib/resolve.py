"""Identity and merge policy: which stored paper a record is, and which values win.

Identity needs two witnesses (Zotero's duplicate rule is the model): lists copy links by hand,
so an identifier alone can be another paper's.

1. the same DOI (canonical: lowercase, no resolver prefix), or else the same arXiv id (without
   version) — accepted only when the titles agree (:func:`titles_agree`: the same title key, a
   typo apart — rapidfuzz ratio >= 95 — or the same title once a leading "Nickname:" is dropped).
   An identifier whose stored paper has another title is a *conflict*: the identifier stays on
   the paper it was stored with, the record does not use it (neither for identity nor as a value),
   and the import reports it (``adbib duplicates`` lists it too);
2. an identifier that one file gives to several different titles is reported and used for none
   of them;
3. (unless both carry different DOIs or arXiv ids) the same title key — or a title that differs by
   a typo (ratio >= 95, among titles sharing an author and their first or last 16 characters; for
   an author and an end that more than BLOCK_CAP titles share, among those sharing the end 16,
   32 or 48 characters longer, the shortest that at most BLOCK_CAP share — at 64 characters, the
   oldest BLOCK_CAP: a typo leaves one end intact, and a record meets a bounded number of papers
   however big the database grows) —
   with a year at most one apart and at least one shared author family name; when one side names
   no authors at all (a nested "Extension:" entry, the MedAIerHHL list), the exact title key with
   the same known venue or the same online date (and a year at most one apart) is required
   instead.  The same title under two different identifiers is two papers, and a reported
   conflict.

So "Diffusion Models for Medical Anomaly Detection" never merges into "Diffusion Models with
Implicit Guidance for Medical Anomaly Detection" (different titles), nor AnoGAN (IPMI 2017) into
f-AnoGAN (MedIA 2019), whatever identifier a list pasted on them.

Precedence when sources disagree, lowest to highest: an older revision of a list < another list
or file < a newer revision of the same list (for that list's own values) < a manual edit.  Each
field's current value remembers the list that gave it (``field_source``):

* a value given by a *manual* source (``adbib add``, an edit) is never replaced by an import;
* a value that only an earlier revision of the importing list gave is replaced by what the newer
  revision says (a relabelled venue, a corrected title or year) — never by nothing;
* otherwise: title, abstract, summary, date, stars, short name: the first source that gave one keeps it;
  year: a year from a venue tag replaces a year derived from an online date; venue: a real venue
  replaces none or a preprint (arXiv -> MICCAI); authors: a complete list replaces a truncated one
  ("and others"), otherwise a longer list replaces a shorter one; arxiv / doi: filled when missing;
  domain: a specific domain (industrial, medical) replaces 'general';
* an author list is never replaced by one that shares no family name with it (one paper's
  authors pasted on another);
* links, datasets, relations: the union of all sources, except that a list's newest revision
  replaces that list's own earlier links and datasets for the papers it lists;
* categories: each list's own filing; a list's next revision replaces that list's categories.
"""

from __future__ import annotations

import re
import sqlite3
from array import array
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from adbib import scratch
from adbib.records import NormalizedPaper

FUZZY_TITLE_MIN = 95
# the blocks of the fuzzy title pass: papers sharing an author family name and the first (or the
# last) END_CHARS characters of their titles; a block holds at most BLOCK_CAP papers, and one that
# would hold more is split by the next END_CHARS characters inward, down to BLOCK_DEPTH × END_CHARS
END_CHARS = 16
BLOCK_CAP = 32
BLOCK_DEPTH = 4
LENGTHS_SLACK = 1 << 20  # paper ids past twice those seen, and this many more, get no title length
_SIDES = ("<", ">")
MANUAL = "manual"  # the list name of hand-made values (adbib add, edits): never overridden
# a nickname a list puts before the title: "PatchCore: Towards Total Recall ..." (title keys)
_NICKNAME = re.compile(r"^[0-9a-z]+(?: [0-9a-z]+)? ")


def titles_agree(a: str, b: str) -> bool:
    """Whether two title keys name one paper: equal, a typo apart, or equal but for a leading
    one- or two-word nickname on one of them ('patchcore towards total recall ...')."""
    if not a or not b:
        return False
    if a == b:
        return True
    from rapidfuzz import fuzz

    if fuzz.ratio(a, b) >= FUZZY_TITLE_MIN:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short.split()) >= 4 and long_.endswith(" " + short) and bool(_NICKNAME.fullmatch(long_[: -len(short)]))


@dataclass
class IdConflict:
    """An identifier the record gives that identity did not accept."""

    kind: str  # 'id-title': the id's paper has another title; 'title-ids': same title, other id;
    # 'id-shared': one file gives the id to several titles
    field: str  # 'doi' | 'arxiv'
    value: str
    other_id: int | None
    reason: str


@dataclass
class Match:
    id: int | None
    rule: str = ""  # 'doi' | 'arxiv' | 'title' | 'title~' | ''
    conflicts: list[IdConflict] = field(default_factory=list)
    dropped: tuple[str, ...] = ()  # identifiers ('doi', 'arxiv') the record must not keep


@dataclass(slots=True)
class Known:
    """What identity needs to know about a stored paper (one per paper of the database: slots,
    and ``families`` any collection — the writer gives a sorted tuple of interned names)."""

    id: int
    title_key: str
    year: int | None
    venue: str | None
    families: Collection[str]
    date: str | None = None
    doi: str | None = None
    arxiv: str | None = None


# a set of ids held compactly (one paper of the database is in several of them): one id alone, or
# a tuple of ids in the order they came in
Ids = int | tuple[int, ...]


def ids_of(ids: Ids | None) -> tuple[int, ...]:
    """The ids of a compact set (:data:`Ids`), in order."""
    if ids is None:
        return ()
    return (ids,) if isinstance(ids, int) else ids


def _with(ids: Ids, pid: int) -> Ids:
    return (ids, pid) if isinstance(ids, int) else (*ids, pid)


_MISSING: Any = object()
_FAMILY_SEP = "\x1f"  # between the family names of a stored Known (a title key has no control character)


def _pack_known(k: Known) -> tuple[object, ...]:
    return (k.title_key, k.year, k.venue, _FAMILY_SEP.join(sorted(k.families)), k.date, k.doi, k.arxiv)


class _Knowns(scratch.SqlMap[int, Known]):
    """id -> :class:`Known`, a row of columns each (not one encoded value)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__(
            conn,
            "known",
            int,
            table="CREATE TABLE known (k INTEGER PRIMARY KEY, title_key TEXT, year INTEGER, venue TEXT,"
            " families TEXT, date TEXT, doi TEXT, arxiv TEXT)",
        )
        cols = "k, title_key, year, venue, families, date, doi, arxiv"
        self._get = f"SELECT {cols} FROM known WHERE k = ?"
        self._many = f"SELECT {cols} FROM known WHERE k IN "
        self._set = (
            "INSERT INTO known VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (k) DO UPDATE SET title_key = excluded.title_key,"
            " year = excluded.year, venue = excluded.venue, families = excluded.families, date = excluded.date,"
            " doi = excluded.doi, arxiv = excluded.arxiv"
        )
        self._new = "INSERT OR IGNORE INTO known VALUES (?, ?, ?, ?, ?, ?, ?, ?)"

    @staticmethod
    def _known(row: tuple[Any, ...]) -> Known:
        pid, title, year, venue, fams, date, doi, arxiv = row
        return Known(pid, title, year, venue, tuple(fams.split(_FAMILY_SEP)) if fams else (), date, doi, arxiv)

    def get(self, key: int, default: Any = None) -> Any:
        row = self.conn.execute(self._get, (key,)).fetchone()
        return default if row is None else self._known(row)

    def get_many(self, keys: Iterable[int]) -> dict[int, Known]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        return {
            row[0]: self._known(row)
            for marks, values in scratch.in_lists(wanted)
            for row in self.conn.execute(self._many + marks, values)
        }

    def __getitem__(self, key: int) -> Known:
        row = self.conn.execute(self._get, (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return self._known(row)

    def __setitem__(self, key: int, value: Known) -> None:
        self.conn.execute(self._set, (key, *_pack_known(value)))

    def set_many(self, pairs: Iterable[tuple[int, Known]]) -> None:
        self.conn.executemany(self._set, ((key, *_pack_known(k)) for key, k in pairs))

    def titles_near(self, ids: Collection[int], year: int | None, doi: str | None, arxiv: str | None) -> dict[int, str]:
        """The title keys of those ``ids`` a year at most one apart from ``year`` and without a DOI
        or arXiv id other than ``doi``, ``arxiv`` (:func:`_years_close`, :meth:`Index._conflict`,
        tested by SQLite: the fuzzy pass meets up to 2 × BLOCK_CAP papers per family name)."""
        if not ids:
            return {}
        sql = (
            "SELECT k, title_key FROM known WHERE (?1 IS NULL OR year IS NULL OR abs(year - ?1) <= 1)"
            " AND (?2 IS NULL OR doi IS NULL OR doi = '' OR doi = ?2)"
            " AND (?3 IS NULL OR arxiv IS NULL OR arxiv = '' OR arxiv = ?3)"
            " AND k IN "
        )
        return {
            pid: title
            for marks, values in scratch.in_lists(list(ids))
            for pid, title in self.conn.execute(sql + marks, (year, doi or None, arxiv or None, *values))
        }

    def values(self) -> list[Known]:  # type: ignore[override]
        return [self._known(row) for row in self.conn.execute("SELECT * FROM known ORDER BY k")]


class _DictKnowns(scratch.DictMap[int, Known]):
    def titles_near(self, ids: Collection[int], year: int | None, doi: str | None, arxiv: str | None) -> dict[int, str]:
        """:meth:`_Knowns.titles_near`, read from the dict."""
        found = {}
        for pid in ids:
            k = self[pid]
            if year is not None and k.year is not None and abs(k.year - year) > 1:
                continue
            if (doi and k.doi and k.doi != doi) or (arxiv and k.arxiv and k.arxiv != arxiv):
                continue
            found[pid] = k.title_key
        return found


SPILL_AT = 100_000  # papers the index holds in dicts (≈ 110 MB) before it moves to a scratch database


class Index:
    """What identity knows of the stored papers: their identifiers, title keys and fuzzy blocks.

    It holds every paper of the database (one :class:`Known` and several blocks each): in dicts up
    to ``spill_at`` papers (≈ 1.1 KB a paper), then in a private scratch database
    (:mod:`adbib.scratch`), where its memory is bounded by the page cache however many papers it
    holds, and a lookup costs microseconds.  Both kinds of maps read and write like dicts."""

    def __init__(self, spill_at: int | None = None) -> None:
        self.spill_at = spill_at = SPILL_AT if spill_at is None else spill_at
        self.db: sqlite3.Connection | None = None
        self.by_doi: scratch.DictMap[str, int] | scratch.SqlMap[str, int] = scratch.DictMap()
        self.by_arxiv: scratch.DictMap[str, int] | scratch.SqlMap[str, int] = scratch.DictMap()
        self.by_title: scratch.DictMap[str, Ids] | scratch.SqlMap[str, Ids] = scratch.DictMap()
        # the blocks of the fuzzy pass (see :meth:`candidates`): family name + title end (hashed,
        # :func:`_block_key`) -> ids, or None for a block that outgrew BLOCK_CAP and whose ids moved
        # to the blocks of the longer end
        self.by_ends: scratch.DictMap[int, Ids | None] | scratch.SqlMap[int, Ids | None] = scratch.DictMap()
        self.known: _DictKnowns | _Knowns = _DictKnowns()
        # family name -> ids added with ``defer_blocks`` (and later ones of that family), not yet in
        # its blocks: a family's blocks are built the first time a record asks for them (an import
        # into a big database meets few of its families).  Blocks depend on the set of ids and their
        # titles, not on the order they came in, so they are the blocks eager adding makes — provided
        # a paper's families are built before its title changes (a split reads the current titles)
        self.pending: scratch.DictGroups | scratch.Groups = scratch.DictGroups()
        # the length of each stored paper's title key, by paper id (0: not known), 2 bytes a paper
        # in memory however the index is held: the fuzzy pass reads the titles of those candidates
        # only whose length leaves a ratio of FUZZY_TITLE_MIN possible (:func:`_lengths_allow`)
        self.lengths = array("H")
        if spill_at <= 0:
            self._spill()

    def _spill(self) -> None:
        """Move every map to a scratch database (the dicts' entries copied in bulk, then dropped)."""
        self.db = db = scratch.connect()
        by_doi: scratch.SqlMap[str, int] = scratch.SqlMap(db, "by_doi", str)
        by_arxiv: scratch.SqlMap[str, int] = scratch.SqlMap(db, "by_arxiv", str)
        by_title: scratch.SqlMap[str, Ids] = scratch.SqlMap(db, "by_title", str, scratch.pack_ids, scratch.unpack_ids)
        by_ends: scratch.SqlMap[int, Ids | None] = scratch.SqlMap(
            db, "by_ends", int, scratch.pack_ids, scratch.unpack_block
        )
        known = _Knowns(db)
        pending = scratch.Groups(db, "pending")
        by_doi.set_many(self.by_doi.items())
        by_arxiv.set_many(self.by_arxiv.items())
        by_title.set_many(self.by_title.items())
        by_ends.set_many(self.by_ends.items())
        known.set_many(self.known.items())
        pending.extend((fam, pid) for fam, ids in self.pending.items() for pid in ids)
        self.by_doi, self.by_arxiv, self.by_title, self.by_ends = by_doi, by_arxiv, by_title, by_ends
        self.known, self.pending = known, pending

    def close(self) -> None:
        """Drop the scratch database, if the index spilled (its file is gone already: SQLite
        unlinks a temporary database as it opens it)."""
        if self.db is not None:
            self.db.close()

    def load(self, knowns: Iterable[Known], batch: int = 4096) -> None:
        """Add stored papers not known yet, their blocks deferred (:func:`adbib.importer.writer.load_index`):
        what ``add(k, defer_blocks=True)`` does for each, done ``batch`` papers at a time."""
        rows: list[Known] = []
        for k in knowns:
            rows.append(k)
            if len(rows) >= batch:
                self._load(rows)
                rows = []
        if rows:
            self._load(rows)

    def _load(self, rows: list[Known]) -> None:
        if self.db is None and len(self.known) + len(rows) > self.spill_at:
            self._spill()
        self.known.set_many((k.id, k) for k in rows)
        for k in rows:
            self._length(k.id, k.title_key)
        self.by_doi.add_many((k.doi, k.id) for k in rows if k.doi)
        self.by_arxiv.add_many((k.arxiv, k.id) for k in rows if k.arxiv)
        titles = self.by_title.get_many(k.title_key for k in rows)
        for k in rows:
            ids = titles.get(k.title_key)
            if ids is None:
                titles[k.title_key] = k.id
            elif k.id not in ids_of(ids):
                titles[k.title_key] = _with(ids, k.id)
        self.by_title.set_many(titles.items())
        self.pending.extend((fam, k.id) for k in rows if k.title_key for fam in k.families)

    def add(self, k: Known, defer_blocks: bool = False, old: Known | Any | None = _MISSING) -> None:
        """Add a stored paper, or replace what is known of it (its identifiers: ``k.doi``, ``k.arxiv``).
        ``old``: what was known of it, when the caller has read it already."""
        if old is _MISSING:
            old = self.known.get(k.id)
        retitled = old is not None and old.title_key != k.title_key
        if old is not None and retitled:  # its blocks are built before its title changes (a split reads titles)
            for fam in {*old.families, *k.families}:
                self._built(fam)
        self.known[k.id] = k
        self._length(k.id, k.title_key)
        if self.db is None and len(self.known) > self.spill_at:
            self._spill()
        if k.doi:
            self.by_doi.add_new(k.doi, k.id)
        if k.arxiv:
            self.by_arxiv.add_new(k.arxiv, k.id)
        ids = self.by_title.get(k.title_key)
        if ids is None:
            self.by_title[k.title_key] = k.id
        elif k.id not in ids_of(ids):
            self.by_title[k.title_key] = _with(ids, k.id)
        if not k.title_key:
            return
        # the families it is not in the blocks of already, nor waiting for them
        fams = [fam for fam in k.families if old is None or retitled or fam not in old.families]
        waiting = set(fams) if defer_blocks else self.pending.having(fams)
        for fam in fams:
            if fam in waiting:
                self.pending.append(fam, k.id)
        eager = [fam for fam in fams if fam not in waiting]
        if eager:
            self._blocks(k.id, k.title_key, eager)

    def _length(self, pid: int, title_key: str) -> None:
        """Remember the length of paper ``pid``'s title key (ids far past those seen so far, and
        titles longer than 65,535 characters, stay unknown: such a paper is always compared)."""
        lengths = self.lengths
        if pid >= len(lengths):
            if pid > 2 * len(lengths) + LENGTHS_SLACK:  # an outlying id: not worth the array's growth
                return
            lengths.frombytes(bytes(lengths.itemsize * (max(pid + 1, 2 * len(lengths)) - len(lengths))))
        n = len(title_key)
        lengths[pid] = n if n <= 0xFFFF else 0

    def _blocks(self, pid: int, title_key: str, fams: list[str]) -> None:
        """:meth:`_block` at the first level for each family and side, the blocks read in one
        query and the common cases (a new block, one more id) written in one statement."""
        keys = {(fam, side): _block_key(title_key, fam, side, 1) for fam in fams for side in _SIDES}
        blocks = self.by_ends.get_many(keys.values())
        writes: list[tuple[int, Ids | None]] = []
        rest = []
        for (fam, side), key in keys.items():
            block = blocks.get(key, _MISSING)
            if block is _MISSING:
                writes.append((key, pid))
            elif block is None:
                rest.append((fam, side))
            elif pid not in ids_of(block):
                if len(ids_of(block)) < BLOCK_CAP:
                    writes.append((key, _with(block, pid)))
                else:
                    rest.append((fam, side))
        if writes:
            self.by_ends.set_many(writes)
        for fam, side in rest:
            self._block(pid, title_key, fam, side, 1)

    def _built(self, fam: str) -> None:
        """Put the deferred ids of family ``fam`` in its blocks, in the order they were added."""
        ids = self.pending.take(fam)
        titles = self.known.get_many(ids) if ids else {}
        for pid in ids:
            title_key = titles[pid].title_key
            for side in _SIDES:
                self._block(pid, title_key, fam, side, 1)

    def _block(self, pid: int, title_key: str, fam: str, side: str, level: int) -> None:
        """Put ``pid`` in its block: the one of its title's ``level``-th end that is not split."""
        while True:
            key = _block_key(title_key, fam, side, level)
            block = self.by_ends.get(key, _MISSING)
            if block is _MISSING:
                self.by_ends[key] = pid
                return
            if block is None:  # split: the longer end decides
                level += 1
                continue
            ids = ids_of(block)
            if pid in ids:
                pass
            elif len(ids) < BLOCK_CAP:
                self.by_ends[key] = _with(block, pid)
            elif level < BLOCK_DEPTH:
                # full: split it by the next END_CHARS characters inward, its ids with it
                self.by_ends[key] = None
                stored = self.known.get_many(ids)
                for other in (*sorted(ids), pid):
                    other_key = title_key if other == pid else stored[other].title_key
                    if _block_key(other_key, fam, side, level) == key:  # not a title it no longer has
                        self._block(other, other_key, fam, side, level + 1)
            elif pid < max(ids):  # the longest end: a block keeps the oldest BLOCK_CAP papers
                at = ids.index(max(ids))
                self.by_ends[key] = (*ids[:at], *ids[at + 1 :], pid)
            return

    def candidates(self, title_key: str, families: Collection[str]) -> set[int]:
        """The stored papers the fuzzy pass compares a title with: for each of the record's
        author family names and each end of its title, the papers of the block that the end
        reaches (at most BLOCK_CAP each, however big the database grows)."""
        found: set[int] = set()
        if not title_key:
            return found
        for fam in families:
            self._built(fam)
        # each family name and side is a chain of blocks, the longer end after a split one: the
        # first level of every chain read in one query, the next only for the chains it sends on
        chains = [(fam, side) for fam in families for side in _SIDES]
        level = 1
        while chains and level <= BLOCK_DEPTH:
            keys = [_block_key(title_key, fam, side, level) for fam, side in chains]
            blocks = self.by_ends.get_many(keys)
            deeper = []
            for chain, key in zip(chains, keys, strict=True):
                block = blocks.get(key, _MISSING)
                if block is None:  # a split block sends the search to the longer end
                    deeper.append(chain)
                elif block is not _MISSING:
                    found.update(ids_of(block))
            chains, level = deeper, level + 1
        return found

    def match(
        self, p: NormalizedPaper, families: frozenset[str], untrusted: frozenset[tuple[str, str]] = frozenset()
    ) -> Match:
        """The stored paper the record is, by the rules of the module docstring.  ``untrusted``
        holds the (field, value) identifiers the file itself gives to several titles."""
        found = Match(None)
        idents: dict[str, str | None] = {"doi": p.doi, "arxiv": p.arxiv}
        dropped = []
        for name, index in (("doi", self.by_doi), ("arxiv", self.by_arxiv)):
            value = idents[name]
            if not value:
                continue
            if (name, value) in untrusted:
                idents[name] = None
                dropped.append(name)
                continue
            owner = index.get(value)
            if owner is None:
                continue
            if titles_agree(self.known[owner].title_key, p.title_key):
                if found.id is None:
                    found.id, found.rule = owner, name
                continue
            idents[name] = None
            dropped.append(name)
            found.conflicts.append(
                IdConflict(
                    "id-title",
                    name,
                    value,
                    owner,
                    f"{'DOI' if name == 'doi' else 'arXiv id'} {value} is already on a paper with another title",
                )
            )
        found.dropped = tuple(dropped)
        if found.id is not None:
            return found
        doi, arxiv = idents["doi"], idents["arxiv"]
        for pid in ids_of(self.by_title.get(p.title_key)):
            if self._compatible(self.known[pid], p, families, exact_title=True):
                clash = self._conflict(pid, doi, arxiv)
                if clash is None:
                    found.id, found.rule = pid, "title"
                    return found
                found.conflicts.append(
                    IdConflict(
                        "title-ids",
                        clash[0],
                        clash[1],
                        pid,
                        f"same title as a paper with another {'DOI' if clash[0] == 'doi' else 'arXiv id'}: kept apart",
                    )
                )
        if families and p.title_key:
            # the candidates a year at most one apart and without a differing DOI or arXiv id
            # (:func:`_years_close`, :meth:`_conflict`, spelled out in ``titles_near``: a record
            # meets up to 2 × BLOCK_CAP of them per family name)
            near = self.candidates(p.title_key, families)
            n, lengths = len(p.title_key), self.lengths
            # only those whose titles' length leaves the ratio possible are read (most are not)
            readable = [pid for pid in near if pid >= len(lengths) or _lengths_allow(lengths[pid], n)]
            titles = self.known.titles_near(readable, p.year, doi, arxiv)
            choices = {pid: titles[pid] for pid in near if pid in titles}  # in the order of ``near``
            if choices:
                from rapidfuzz import fuzz, process

                best = process.extractOne(p.title_key, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_TITLE_MIN)
                if best is not None:
                    found.id, found.rule = best[2], "title~"
        return found

    def _conflict(self, pid: int, doi: str | None, arxiv: str | None) -> tuple[str, str] | None:
        """Two different DOIs (or arXiv ids) are two different papers, whatever their titles:
        the record's differing identifier, or None."""
        k = self.known[pid]
        known_doi, known_arxiv = k.doi, k.arxiv
        if known_doi and doi and known_doi != doi:
            return "doi", doi
        if known_arxiv and arxiv and known_arxiv != arxiv:
            return "arxiv", arxiv
        return None

    @staticmethod
    def _compatible(k: Known, p: NormalizedPaper, families: frozenset[str], exact_title: bool) -> bool:
        if not _years_close(k.year, p.year):
            return False
        if k.families and families:
            return not families.isdisjoint(k.families)
        # one side names no authors: demand the same known venue, or the same online date
        same_venue = k.venue is not None and k.venue == p.venue
        same_date = k.date is not None and k.date == p.date
        return exact_title and (same_venue or same_date)


def _lengths_allow(m: int, n: int) -> bool:
    """Whether titles of ``m`` and ``n`` characters can reach a ratio of FUZZY_TITLE_MIN (or ``m``
    is 0: not known).  rapidfuzz's ratio is 100 · (1 − d / (m + n)), d the insertions and
    deletions between the two, and d ≥ |m − n|: so a ratio ≥ 95 needs 100 · |m − n| ≤ 5 · (m + n)."""
    return m == 0 or 100 * abs(m - n) <= (100 - FUZZY_TITLE_MIN) * (m + n)


def _block_key(title_key: str, fam: str, side: str, level: int) -> int:
    """The hash of a family name, then the title's first ('<') or last ('>') END_CHARS × ``level``
    characters, marked with the side once per level (a title key has no '<' or '>').

    The index holds the hash (an int of 32 bytes), not the string (80 on average): a block is
    held per family name and title end of every stored paper.  Two ends that hash alike (64-bit
    hashes: a chance of about 5 in 10^7 that any two of a million papers' ≈ 4 million blocks do)
    share a block: their records meet more candidates, each still held to the title, year and
    identifier rules — never a merge the rules would not make."""
    n = END_CHARS * level
    return hash(fam + side * level + (title_key[:n] if side == "<" else title_key[-n:]))


def _years_close(a: int | None, b: int | None) -> bool:
    return a is None or b is None or abs(a - b) <= 1


# ---------------------------------------------------------------- merge policy

SPECIFIC_DOMAINS = ("industrial", "medical")


@dataclass
class Current:
    """The stored values of a paper that the merge policy compares against."""

    title: str
    year: int | None
    year_from_date: bool
    date: str | None
    venue: str | None
    venue_type: str | None
    authors: list[str]  # "Given Family"
    authors_truncated: bool
    arxiv: str | None
    doi: str | None
    domain: str | None
    abstract: str | None
    summary: str | None
    stars: int | None
    short_name: str | None = None


# the fields whose current value remembers the list that gave it (field_source)
OWNED_FIELDS = ("title", "year", "date", "venue", "authors", "abstract", "summary", "arxiv", "doi", "domain")


def merge(
    cur: Current,
    p: NormalizedPaper,
    venue_type: str | None,
    owners: dict[str, str] | None = None,
    list_name: str | None = None,
    fresh: frozenset[str] | set[str] = frozenset(),
) -> dict[str, tuple[object, object]]:
    """The scalar fields the record changes: {field: (old, new)}; 'authors' and 'venue' included.

    ``owners`` maps a field to the list that gave its current value, ``list_name`` is the
    importing list and ``fresh`` the fields this import has set already (a list listing one paper
    twice does not correct itself)."""
    owners = owners or {}
    changes: dict[str, tuple[object, object]] = {}

    def put(name: str, new: object) -> None:
        old = getattr(cur, name)
        if new != old:
            changes[name] = (old, new)

    def locked(name: str) -> bool:
        return owners.get(name) == MANUAL and list_name != MANUAL

    def correctable(name: str) -> bool:
        """Only an earlier revision of this very list gave the value: this revision corrects it."""
        return list_name is not None and owners.get(name) == list_name and name not in fresh

    if p.title and not locked("title") and (not cur.title or (correctable("title") and p.title != cur.title)):
        put("title", p.title)
    if (
        p.year is not None
        and not locked("year")
        and (cur.year is None or (cur.year_from_date and not p.year_from_date) or correctable("year"))
    ):
        put("year", p.year)
        if cur.year_from_date != p.year_from_date and "year" in changes:
            changes["year_from_date"] = (cur.year_from_date, p.year_from_date)
    for name in ("date", "abstract", "summary", "stars", "arxiv", "doi", "short_name"):
        new = getattr(p, name, None) if name != "stars" else p.record.stars
        if new is not None and not locked(name) and (getattr(cur, name) is None or correctable(name)):
            put(name, new)
    if (
        p.venue
        and p.venue != cur.venue
        and not locked("venue")
        and (
            cur.venue is None
            or (cur.venue_type == "preprint" and venue_type not in (None, "preprint"))
            or correctable("venue")
        )
    ):
        put("venue", p.venue)
    new_authors = [n.full for n in p.authors]
    if (
        new_authors
        and new_authors != cur.authors
        and not locked("authors")
        and _shares_family(cur.authors, new_authors)
        and (
            correctable("authors")
            or _better_authors(cur.authors, cur.authors_truncated, new_authors, p.authors_truncated)
        )
    ):
        changes["authors"] = (cur.authors, new_authors)
        if cur.authors_truncated != p.authors_truncated:
            changes["authors_truncated"] = (cur.authors_truncated, p.authors_truncated)
    if (
        p.domain
        and p.domain != cur.domain
        and not locked("domain")
        and (cur.domain is None or (cur.domain == "general" and p.domain in SPECIFIC_DOMAINS) or correctable("domain"))
    ):
        put("domain", p.domain)
    return changes


def _family(full_name: str) -> str:
    from adbib.normalize.text import title_key

    words = title_key(full_name).split()
    return words[-1] if words else ""


def _shares_family(old: list[str], new: list[str]) -> bool:
    """An empty list is replaced by anything; otherwise the two must share a family name."""
    if not old:
        return True
    return bool({_family(n) for n in old} & {_family(n) for n in new})


def _better_authors(old: list[str], old_trunc: bool, new: list[str], new_trunc: bool) -> bool:
    if not old:
        return True
    if old_trunc and not new_trunc:
        return True
    if new_trunc and not old_trunc:
        return False
    return len(new) > len(old)
