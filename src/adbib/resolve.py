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
from collections.abc import Collection
from dataclasses import dataclass, field

from adbib.records import NormalizedPaper

FUZZY_TITLE_MIN = 95
# the blocks of the fuzzy title pass: papers sharing an author family name and the first (or the
# last) END_CHARS characters of their titles; a block holds at most BLOCK_CAP papers, and one that
# would hold more is split by the next END_CHARS characters inward, down to BLOCK_DEPTH × END_CHARS
END_CHARS = 16
BLOCK_CAP = 32
BLOCK_DEPTH = 4
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


@dataclass
class Index:
    by_doi: dict[str, int] = field(default_factory=dict)
    by_arxiv: dict[str, int] = field(default_factory=dict)
    by_title: dict[str, Ids] = field(default_factory=dict)
    # the blocks of the fuzzy pass (see :meth:`candidates`): family name + title end (hashed,
    # :func:`_block_key`) -> ids, or None for a block that outgrew BLOCK_CAP and whose ids moved
    # to the blocks of the longer end
    by_ends: dict[int, Ids | None] = field(default_factory=dict)
    known: dict[int, Known] = field(default_factory=dict)
    # family name -> ids added with ``defer_blocks`` (and later ones of that family), not yet in
    # its blocks: a family's blocks are built the first time a record asks for them (an import
    # into a big database meets few of its families).  Blocks depend on the set of ids and their
    # titles, not on the order they came in, so they are the blocks eager adding makes — provided a
    # paper's families are built before its title changes (a split reads the current titles)
    pending: dict[str, list[int]] = field(default_factory=dict)

    def add(self, k: Known, defer_blocks: bool = False) -> None:
        """Add a stored paper, or replace what is known of it (its identifiers: ``k.doi``, ``k.arxiv``)."""
        old = self.known.get(k.id)
        retitled = old is not None and old.title_key != k.title_key
        if old is not None and retitled:  # its blocks are built before its title changes (a split reads titles)
            for fam in {*old.families, *k.families}:
                self._built(fam)
        self.known[k.id] = k
        if k.doi:
            self.by_doi.setdefault(k.doi, k.id)
        if k.arxiv:
            self.by_arxiv.setdefault(k.arxiv, k.id)
        ids = self.by_title.get(k.title_key)
        if ids is None:
            self.by_title[k.title_key] = k.id
        elif k.id not in ids_of(ids):
            self.by_title[k.title_key] = _with(ids, k.id)
        if k.title_key:
            for fam in k.families:
                if old is not None and not retitled and fam in old.families:
                    continue  # in the family's blocks already, or waiting for them
                if defer_blocks or fam in self.pending:
                    self.pending.setdefault(fam, []).append(k.id)
                    continue
                for side in _SIDES:
                    self._block(k.id, k.title_key, fam, side, 1)

    def _built(self, fam: str) -> None:
        """Put the deferred ids of family ``fam`` in its blocks, in the order they were added."""
        ids = self.pending.pop(fam, None) if self.pending else None
        for pid in ids or ():
            title_key = self.known[pid].title_key
            for side in _SIDES:
                self._block(pid, title_key, fam, side, 1)

    def _block(self, pid: int, title_key: str, fam: str, side: str, level: int) -> None:
        """Put ``pid`` in its block: the one of its title's ``level``-th end that is not split."""
        while True:
            key = _block_key(title_key, fam, side, level)
            if key not in self.by_ends:
                self.by_ends[key] = pid
                return
            block = self.by_ends[key]
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
                for other in (*sorted(ids), pid):
                    other_key = title_key if other == pid else self.known[other].title_key
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
            for side in _SIDES:
                for level in range(1, BLOCK_DEPTH + 1):
                    key = _block_key(title_key, fam, side, level)
                    if key not in self.by_ends:
                        break
                    block = self.by_ends[key]
                    if block is not None:  # a split block sends the search to the longer end
                        found.update(ids_of(block))
                        break
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
            # (:func:`_years_close`, :meth:`_conflict`, spelled out: a record meets up to
            # 2 × BLOCK_CAP of them per family name, and two calls each cost more than the test)
            known, year = self.known, p.year
            choices = {}
            for pid in self.candidates(p.title_key, families):
                k = known[pid]
                if year is not None and k.year is not None and abs(k.year - year) > 1:
                    continue
                if (doi and k.doi and k.doi != doi) or (arxiv and k.arxiv and k.arxiv != arxiv):
                    continue
                choices[pid] = k.title_key
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
