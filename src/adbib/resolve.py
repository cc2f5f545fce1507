"""Identity and merge policy: which stored paper a record is, and which values win.

Identity, strongest first (never on title alone):

1. the same DOI (canonical: lowercase, no resolver prefix);
2. the same arXiv id (without version);
3. (unless both carry different DOIs or arXiv ids) the same title key (folded, punctuation-free) — or a title that differs by a typo
   (rapidfuzz ratio >= 95, among titles sharing their first or last 16 characters) — with a year at most one apart and at least one shared author family
   name; when one side names no authors at all (a nested "Extension:" entry, the MedAIerHHL list),
   the exact title key with the same known venue or the same online date (and a year at most one
   apart) is required instead.

So "Diffusion Models for Medical Anomaly Detection" never merges into "Diffusion Models with
Implicit Guidance for Medical Anomaly Detection" (different titles), nor AnoGAN (IPMI 2017) into
f-AnoGAN (MedIA 2019).

Precedence when sources disagree (the losing values stay visible in each provenance row):

* title, abstract, summary, date, stars, short name: the first source that gave one keeps it;
* year: a year from a venue tag replaces a year derived from an online date;
* venue: a real venue replaces none or a preprint (arXiv -> MICCAI);
* authors: a complete list replaces a truncated one ("and others"); otherwise a longer list
  replaces a shorter one;
* arxiv / doi: filled when missing;
* domain: a specific domain (industrial, medical) replaces 'general';
* links, datasets, relations: the union of all sources;
* categories: each list's own filing; a list's next revision replaces that list's categories.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from adbib.records import NormalizedPaper

FUZZY_TITLE_MIN = 95


@dataclass
class Known:
    """What identity needs to know about a stored paper."""

    id: int
    title_key: str
    year: int | None
    venue: str | None
    families: frozenset[str]
    date: str | None = None


@dataclass
class Index:
    by_doi: dict[str, int] = field(default_factory=dict)
    by_arxiv: dict[str, int] = field(default_factory=dict)
    by_title: dict[str, list[int]] = field(default_factory=dict)
    by_family: dict[str, set[int]] = field(default_factory=dict)
    # title ends -> ids: the fuzzy pass looks only at titles that share their first or their last
    # 16 characters (a typo leaves one end intact); scanning every paper of a common family name
    # ("Wang", "Zhang") made big imports quadratic
    by_ends: dict[tuple[str, str], set[int]] = field(default_factory=dict)  # (title end, family)
    known: dict[int, Known] = field(default_factory=dict)
    idents: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)  # id -> (doi, arxiv)

    def add(self, k: Known, doi: str | None = None, arxiv: str | None = None) -> None:
        self.known[k.id] = k
        self.idents[k.id] = (doi, arxiv)
        if doi:
            self.by_doi.setdefault(doi, k.id)
        if arxiv:
            self.by_arxiv.setdefault(arxiv, k.id)
        ids = self.by_title.setdefault(k.title_key, [])
        if k.id not in ids:
            ids.append(k.id)
        for fam in k.families:
            self.by_family.setdefault(fam, set()).add(k.id)
        for end in _ends(k.title_key):
            for fam in k.families:
                self.by_ends.setdefault((end, fam), set()).add(k.id)

    def match(self, p: NormalizedPaper, families: frozenset[str]) -> tuple[int | None, str]:
        """(paper id, the rule that matched) or (None, '')."""
        if p.doi and p.doi in self.by_doi:
            return self.by_doi[p.doi], "doi"
        if p.arxiv and p.arxiv in self.by_arxiv:
            return self.by_arxiv[p.arxiv], "arxiv"
        for pid in self.by_title.get(p.title_key, ()):
            if self._compatible(self.known[pid], p, families, exact_title=True) and not self._conflict(pid, p):
                return pid, "title"
        if families and p.title_key:
            candidates: set[int] = set()
            for end in _ends(p.title_key):
                for fam in families:
                    candidates |= self.by_ends.get((end, fam), set())
            choices = {
                pid: self.known[pid].title_key
                for pid in candidates
                if _years_close(self.known[pid].year, p.year)
                and not self._conflict(pid, p)
            }
            if choices:
                from rapidfuzz import fuzz, process

                best = process.extractOne(
                    p.title_key, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_TITLE_MIN
                )
                if best is not None:
                    return best[2], "title~"
        return None, ""

    def _conflict(self, pid: int, p: NormalizedPaper) -> bool:
        """Two different DOIs (or arXiv ids) are two different papers, whatever their titles."""
        doi, arxiv = self.idents.get(pid, (None, None))
        return bool((doi and p.doi and doi != p.doi) or (arxiv and p.arxiv and arxiv != p.arxiv))

    @staticmethod
    def _compatible(k: Known, p: NormalizedPaper, families: frozenset[str], exact_title: bool) -> bool:
        if not _years_close(k.year, p.year):
            return False
        if k.families and families:
            return bool(k.families & families)
        # one side names no authors: demand the same known venue, or the same online date
        same_venue = k.venue is not None and k.venue == p.venue
        same_date = k.date is not None and k.date == p.date
        return exact_title and (same_venue or same_date)


def _ends(title_key: str) -> tuple[str, str]:
    return ("<" + title_key[:16], ">" + title_key[-16:])


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


def merge(cur: Current, p: NormalizedPaper, venue_type: str | None) -> dict[str, tuple[object, object]]:
    """The scalar fields the record changes: {field: (old, new)}; 'authors' and 'venue' included."""
    changes: dict[str, tuple[object, object]] = {}

    def put(name: str, new) -> None:
        old = getattr(cur, name)
        if new != old:
            changes[name] = (old, new)

    if not cur.title and p.title:
        put("title", p.title)
    if p.year is not None and (
        cur.year is None or (cur.year_from_date and not p.year_from_date)
    ):
        put("year", p.year)
        if cur.year_from_date != p.year_from_date:
            changes["year_from_date"] = (cur.year_from_date, p.year_from_date)
    for name in ("date", "abstract", "summary", "stars", "arxiv", "doi", "short_name"):
        new = getattr(p, name, None) if name != "stars" else p.record.stars
        if new is not None and getattr(cur, name) is None:
            put(name, new)
    if p.venue and p.venue != cur.venue:
        if cur.venue is None or (cur.venue_type == "preprint" and venue_type not in (None, "preprint")):
            put("venue", p.venue)
    new_authors = [n.full for n in p.authors]
    if new_authors and new_authors != cur.authors and _better_authors(
        cur.authors, cur.authors_truncated, new_authors, p.authors_truncated
    ):
        changes["authors"] = (cur.authors, new_authors)
        if cur.authors_truncated != p.authors_truncated:
            changes["authors_truncated"] = (cur.authors_truncated, p.authors_truncated)
    if p.domain and p.domain != cur.domain:
        if cur.domain is None or (cur.domain == "general" and p.domain in SPECIFIC_DOMAINS):
            put("domain", p.domain)
    return changes


def _better_authors(old: list[str], old_trunc: bool, new: list[str], new_trunc: bool) -> bool:
    if not old:
        return True
    if old_trunc and not new_trunc:
        return True
    if new_trunc and not old_trunc:
        return False
    return len(new) > len(old)
