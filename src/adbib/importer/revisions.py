"""Which imported list a file is a revision of.

A list is one source over time (its ``list_name``); each file imported is one revision of it.
Unless the user names the list (``--source``), a file is recognised as the next revision of an
imported list from what it says about itself — its title line, or a repository it links to
outside its entries (a badge, a star-history link) — together with some of its entries being
known from that list, or, failing that, from most of its entries being known from one list and
most of that list being in the file:

* same title line (of at least four words) or a shared repository, and >= 30 % of the file's
  entries already known from the list; or
* >= 60 % of the file's entries known from the list and >= 60 % of the list's papers in the file.

The report says which rule recognised it (``recognised as a new revision of lgc: 71 of 94
entries known, same title line``).  Two lists titled "Awesome Anomaly Detection" that share a
few classic papers stay two lists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from adbib import tables
from adbib.normalize.text import title_key
from adbib.records import PaperRecord

T = {t.name: t for t in tables.metadata.sorted_tables}

_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$|<h1[^>]*>(.*?)</h1>", re.M | re.I)
_REPO = re.compile(r"(?:https?://)?(?:www\.)?github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)", re.I)
# _REPO without its optional scheme and host prefix: what it captures is the same, and it is
# tried only where a ".com/" is (see _repos).
_REPO_AT = re.compile(r"github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)", re.I)
# Every _REPO match holds ".com/" six characters after its start: case-insensitively, but no
# character other than c/C, o/O, m/M matches c, o, m under re.I (only i, k and s have non-ASCII
# equivalents: İ ı K ſ), so this case-sensitive pattern finds them all.
_DOT_COM = re.compile(r"\.[cC][oO][mM]/")
_REPO_END = re.compile(r"\.git$|[.,;:)]+$")
_NOT_REPOS = {"user-attachments", "features", "topics", "sponsors", "orgs", "settings", "apps", "marketplace"}
MIN_TITLE_WORDS = 4
SIGN_SHARE = 0.3
OVERLAP_SHARE = 0.6


@dataclass(frozen=True)
class Signature:
    title: str | None  # the title key of the list's first H1 (or first line)
    repos: tuple[str, ...]  # 'owner/repo', lowercased, linked outside the entries

    def to_columns(self) -> dict[str, str | None]:
        return {"title": self.title, "repos": json.dumps(list(self.repos)) if self.repos else None}


def _repos(text: str) -> set[str]:
    out = set()
    for owner, repo in _repo_matches(text):
        repo = _REPO_END.sub("", repo)
        if owner.lower() not in _NOT_REPOS and repo:
            out.add(f"{owner}/{repo}".lower())
    return out


def _repo_matches(text: str) -> list[tuple[str, str]]:
    """``_REPO.findall(text)``, without running the pattern over the whole text: a regex with
    re.I has no fast literal search, and ``.com/`` is rare.  A match starts six characters
    before a ``.com/`` (``github`` is six characters long whatever its case), and matches do
    not overlap: a candidate inside the previous match is skipped, as findall skips it."""
    found: list[tuple[str, str]] = []
    pos = 0
    for m in _DOT_COM.finditer(text):
        start = m.start() - 6
        if start < pos:
            continue
        got = _REPO_AT.match(text, start)
        if got is not None:
            found.append((got[1], got[2]))
            pos = got.end()
    return found


def signature(text: str, records: Sequence[PaperRecord]) -> Signature:
    """What a file says about which list it is: its title line, and the repositories it links to
    that are not links of its entries (its own repository, badges, star history)."""
    return signature_of(text, entry_repos(records))


def list_title(text: str, first_line: str | None = None) -> str | None:
    """The title key of a file's first H1 (or first line), at most 200 characters.

    ``text``: the file's text, or its first 20,000 characters at least with ``first_line`` its
    first line (``str.splitlines``) that is not blank (a file read in pieces)."""
    m = _H1.search(text[:20000])
    if m:
        title = m.group(1) or m.group(2) or ""
    else:
        title = _first_line(text) if first_line is None else first_line
    return title_key(re.sub(r"\[([^\]]*)\]\([^)]*\)|<[^>]*>", r"\1", title))[:200] or None


def _first_line(text: str) -> str:
    """The first line that is not blank, without splitting all of a big file into lines."""
    head = text[:20000].splitlines()
    for i, line in enumerate(head):
        if line.strip() and (i < len(head) - 1 or len(text) <= 20000):
            return line
    return next((line for line in text.splitlines() if line.strip()), "")


def entry_repos(records: Iterable[PaperRecord]) -> set[str]:
    """The repositories that entries link to (a file read in chunks: the union of its chunks')."""
    out: set[str] = set()
    for r in records:
        out |= _repos(r.raw)
        for link in r.links:
            out |= _repos(link.url)
    return out


def signature_of(text: str, repos_of_entries: set[str]) -> Signature:
    """:func:`signature` given the entries' repositories."""
    return Signature(list_title(text), tuple(sorted(_repos(text) - repos_of_entries)))


def signature_of_lines(title: str | None, lines: Iterable[str], repos_of_entries: set[str]) -> Signature:
    """:func:`signature_of` of a text read in pieces that end at line ends (a repository link
    lies within one line), given its title (:func:`list_title`)."""
    repos: set[str] = set()
    for piece in lines:
        repos |= _repos(piece) - repos_of_entries
    return Signature(title, tuple(sorted(repos)))


@dataclass
class Recognition:
    list_name: str
    known: int
    entries: int
    why: str

    def describe(self) -> str:
        return f"recognised as a new revision of {self.list_name}: {self.known} of {self.entries} entries known, {self.why}"


def recognise(conn: Connection, sig: Signature, matched: Iterable[int | None], entries: int) -> Recognition | None:
    """The imported list this file is a revision of, if the rules above say one."""
    src, prov = T["source"], T["provenance"]
    lists: dict[str, tuple[set[str], set[str]]] = {}
    for r in conn.execute(select(src.c.list_name, src.c.title, src.c.repos)):
        titles, repos = lists.setdefault(r.list_name, (set(), set()))
        if r.title:
            titles.add(r.title)
        repos.update(json.loads(r.repos) if r.repos else ())
    if not lists or not entries:
        return None
    paper_lists: dict[int, set[str]] = {}
    for pid, list_name in conn.execute(
        select(prov.c.paper_id, src.c.list_name).join(src, src.c.id == prov.c.source_id).distinct()
    ):
        paper_lists.setdefault(pid, set()).add(list_name)
    size: dict[str, int] = dict(
        conn.execute(
            select(src.c.list_name, func.count(prov.c.paper_id.distinct()))
            .join(prov, prov.c.source_id == src.c.id)
            .group_by(src.c.list_name)
        ).all()
    )
    known: dict[str, set[int]] = {}
    for pid in matched:
        if pid is None:
            continue
        for list_name in paper_lists.get(pid, ()):
            known.setdefault(list_name, set()).add(pid)
    best: Recognition | None = None
    for list_name, (titles, repos) in lists.items():
        k = len(known.get(list_name, ()))
        if not k:
            continue
        why = []
        if sig.title and sig.title in titles and len(sig.title.split()) >= MIN_TITLE_WORDS:
            why.append("same title line")
        shared = sorted(set(sig.repos) & repos)
        if shared:
            why.append(f"links to {shared[0]}")
        if why and k >= SIGN_SHARE * entries:
            reason = " and ".join(why)
        elif k >= OVERLAP_SHARE * entries and k >= OVERLAP_SHARE * size.get(list_name, 0):
            reason = f"{k} of the list's {size.get(list_name, 0)} papers in the file"
        else:
            continue
        if best is None or k > best.known:
            best = Recognition(list_name, k, entries, reason)
    return best
