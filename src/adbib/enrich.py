"""``adbib enrich``: metadata for the gaps, from Crossref (by DOI) and arXiv (by arXiv id).

For each selected paper that lacks authors, a venue, a year or pages (and, from Crossref, a
volume, issue or publisher), the paper's DOI is looked up in Crossref's REST API
(``GET {ADBIB_CROSSREF_URL}/works/{doi}``, JSON) and its arXiv id in the arXiv API
(``GET {ADBIB_ARXIV_URL}/api/query?id_list={id}``, Atom).  What a service says is turned into
one record per paper — the paper's own title and identifier, plus only the values the paper
lacks — and imported with :func:`adbib.store.ingest_records` as a source of its own (``crossref``,
``arxiv``): the one writer does the writing, merge rules and provenance are those of any import.

Politeness: responses (also "not found") are cached on disk (``ADBIB_CACHE_DIR`` or the
platformdirs user cache dir, ``enrich/``), requests to one service are at least
``ADBIB_ENRICH_DELAY`` seconds apart (default 1 s for Crossref, 3 s for arXiv, as its terms
ask), each has a timeout (``ADBIB_ENRICH_TIMEOUT``, default 15 s) and a User-Agent naming adbib
(with ``ADBIB_MAILTO`` for Crossref's polite pool when set).  A service that cannot be reached
stops the command with one line; nothing is written then.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypedDict
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen

from adbib.backend import Target
from adbib.errors import AdbibError
from adbib.records import LinkRecord, PaperRecord

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# the stored fields a service's record can fill as they are
_FieldName = Literal["pages", "volume", "number", "publisher"]
_FIELD_NAMES: tuple[_FieldName, ...] = ("pages", "volume", "number", "publisher")


class Found(TypedDict, total=False):
    """What a service's answer gives for a paper (only what it has)."""

    authors: str  # a BibTeX name list: 'Family, Given and …'
    venue: str
    year: int
    date: str  # YYYY-MM-DD, the online date (arXiv's first version)
    pages: str
    volume: str
    number: str
    publisher: str


CROSSREF = "https://api.crossref.org"
ARXIV = "https://export.arxiv.org"
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV_NS = "{http://arxiv.org/schemas/atom}"
_DELAYS = {"crossref": 1.0, "arxiv": 3.0}
_CAN_FILL = {"crossref": {"authors", "venue", "year", "pages", "volume", "number", "publisher"},
             "arxiv": {"authors", "venue", "year"}}  # fmt: skip
_TAGS = re.compile(r"<[^>]+>")  # Crossref titles and abstracts carry JATS markup


@dataclass
class Gap:
    """A paper and what it lacks."""

    id: int
    citekey: str
    title: str
    doi: str | None
    arxiv: str | None
    missing: set[str]


@dataclass
class Filled:
    citekey: str
    service: str
    fields: list[str]


@dataclass
class EnrichReport:
    looked_up: int = 0
    filled: list[Filled] = field(default_factory=list)
    not_found: list[tuple[str, str]] = field(default_factory=list)  # (citekey, service)
    complete: int = 0  # selected papers that lack nothing enrich can fill
    no_identifier: int = 0  # papers with gaps but neither DOI nor arXiv id


# ---------------------------------------------------------------- what is missing


def gaps(con: sqlite3.Connection, ids: list[int]) -> list[Gap]:
    """The selected papers that lack authors, venue, year or pages, with their identifiers."""
    out = []
    for pid in ids:
        row = con.execute(
            "SELECT citekey, title, doi, arxiv_id, year, venue_id FROM paper WHERE id = ?", (pid,)
        ).fetchone()
        if row is None:
            continue
        citekey, title, doi, arxiv, year, venue_id = row
        missing = set()
        if not con.execute("SELECT 1 FROM authorship WHERE paper_id = ?", (pid,)).fetchone():
            missing.add("authors")
        if venue_id is None:
            missing.add("venue")
        if year is None:
            missing.add("year")
        have = {r[0] for r in con.execute("SELECT name FROM paper_field WHERE paper_id = ?", (pid,))}
        missing |= {"pages", "volume", "number", "publisher"} - have
        out.append(Gap(pid, citekey, title, doi, arxiv, missing))
    return out


# ---------------------------------------------------------------- the services


class _Client:
    """GET with a disk cache, a minimum delay between requests and a timeout."""

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        self.last: dict[str, float] = {}
        self.timeout = float(os.environ.get("ADBIB_ENRICH_TIMEOUT", "15"))

    def get(self, service: str, url: str) -> str | None:
        """The body, or None when the service says the record does not exist (404)."""
        path = self.cache_dir / service / (hashlib.sha256(url.encode()).hexdigest() + ".json")
        if path.exists():
            cached: str | None = json.loads(path.read_text(encoding="utf-8"))["body"]
            return cached
        delay = float(os.environ.get("ADBIB_ENRICH_DELAY", _DELAYS[service]))
        wait = self.last.get(service, 0.0) + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        agent = "adbib/0.1 (https://github.com/adbib; bibliography enrichment)"
        if os.environ.get("ADBIB_MAILTO") and service == "crossref":
            agent += f" mailto:{os.environ['ADBIB_MAILTO']}"
        body: str | None  # None: the service has no such record
        try:
            with urlopen(Request(url, headers={"User-Agent": agent}), timeout=self.timeout) as response:
                body = response.read().decode("utf-8", errors="replace")
        except HTTPError as e:
            if e.code != 404:
                raise AdbibError(f"{service}: {url} answered HTTP {e.code} {e.reason}; nothing was written") from None
            body = None
        except (URLError, TimeoutError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise AdbibError(
                f"cannot reach {service} ({_host(url)}): {reason}; enrich needs the network, nothing was written"
            ) from None
        finally:
            self.last[service] = time.monotonic()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"url": url, "body": body}), encoding="utf-8")
        return body


def _host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0]


def crossref_values(body: str) -> Found:
    """authors (BibTeX name list), venue, year, pages, volume, number, publisher of a Crossref
    ``/works/{doi}`` response (``{"status": "ok", "message-type": "work", "message": {…}}``)."""
    try:
        msg = json.loads(body)["message"]
    except (ValueError, KeyError, TypeError):
        return {}
    out: Found = {}
    people = [a for a in msg.get("author") or [] if isinstance(a, dict)]
    names: list[str] = []
    for a in people:
        if a.get("family"):
            names.append(f"{a['family']}, {a['given']}" if a.get("given") else a["family"])
        elif a.get("name"):
            names.append("{" + a["name"] + "}")
    if names:
        out["authors"] = " and ".join(names)
    venue = next(iter(msg.get("container-title") or []), None)
    if venue:
        out["venue"] = _TAGS.sub("", venue)
    for key in ("published-print", "published", "issued", "published-online"):
        parts = ((msg.get(key) or {}).get("date-parts") or [[None]])[0]
        if parts and isinstance(parts[0], int):
            out["year"] = parts[0]
            break
    crossref_names: tuple[tuple[str, _FieldName], ...] = (
        ("page", "pages"),
        ("volume", "volume"),
        ("issue", "number"),
        ("publisher", "publisher"),
    )
    for src, dst in crossref_names:
        if msg.get(src):
            out[dst] = str(msg[src])
    return out


def arxiv_values(body: str) -> Found:
    """authors, year (of the first version, as an online date), venue (the journal reference's
    text) of an arXiv API Atom feed with one entry."""
    try:
        entry = ET.fromstring(body).find(f"{_ATOM}entry")
    except ET.ParseError:
        return {}
    # an id arXiv does not have: a feed without entries; a malformed one: an entry whose id is
    # http://arxiv.org/api/errors#…, titled "Error"
    if entry is None or "/api/errors" in (entry.findtext(f"{_ATOM}id") or "/api/errors"):
        return {}
    out: Found = {}
    names = [(a.findtext(f"{_ATOM}name") or "").strip() for a in entry.findall(f"{_ATOM}author")]
    if any(names):
        out["authors"] = " and ".join(n for n in names if n)
    published = (entry.findtext(f"{_ATOM}published") or "").strip()
    if re.match(r"\d{4}-\d{2}-\d{2}", published):
        out["date"] = published[:10]
    ref = (entry.findtext(f"{_ARXIV_NS}journal_ref") or "").strip()
    if ref:
        out["venue"] = ref
    return out


# ---------------------------------------------------------------- records


def record(gap: Gap, service: str, values: Found, line: int) -> tuple[PaperRecord, list[str]] | None:
    """The record that fills the paper's gaps (its own title and identifier, plus what it lacks)."""
    links: list[LinkRecord] = []
    if gap.doi:
        links.append(LinkRecord("doi", f"https://doi.org/{gap.doi}", service))
    if gap.arxiv:
        links.append(LinkRecord("arxiv", f"https://arxiv.org/abs/{gap.arxiv}", service))
    rec = PaperRecord(title=gap.title, line=line, raw=json.dumps(values, ensure_ascii=False), links=links,
                      authors_bibtex=True)  # fmt: skip
    filled: list[str] = []
    if "authors" in gap.missing and values.get("authors"):
        rec.authors_raw = values["authors"]
        filled.append("authors")
    if "venue" in gap.missing and values.get("venue"):
        rec.venue_raw = values["venue"]
        filled.append("venue")
    if "year" in gap.missing and values.get("year"):
        rec.year = values["year"]
        filled.append("year")
    elif "year" in gap.missing and values.get("date"):
        rec.date = values["date"]
        filled.append("year")
    for name in _FIELD_NAMES:
        if name in gap.missing and (value := values.get(name)):
            rec.fields[name] = value
            filled.append(name)
    return (rec, filled) if filled else None


def enrich(
    engine: Engine, db_path: Target, con: sqlite3.Connection, ids: list[int], cache_dir: Path | None = None
) -> EnrichReport:
    """Look the selected papers up and import what fills their gaps (one import per service)."""
    from adbib import store

    cache = cache_dir or Path(os.environ.get("ADBIB_CACHE_DIR") or _default_cache())
    client = _Client(cache / "enrich")
    crossref = os.environ.get("ADBIB_CROSSREF_URL", CROSSREF).rstrip("/")
    arxiv = os.environ.get("ADBIB_ARXIV_URL", ARXIV).rstrip("/")
    report = EnrichReport()
    batches: dict[str, list[tuple[PaperRecord, Gap, list[str]]]] = {"crossref": [], "arxiv": []}
    for gap in gaps(con, ids):
        if not gap.missing:
            report.complete += 1
            continue
        if not gap.doi and not gap.arxiv:
            report.no_identifier += 1
            continue
        for service, ident, url in (
            ("crossref", gap.doi, f"{crossref}/works/{quote(gap.doi or '', safe='/:;()')}"),
            ("arxiv", gap.arxiv, f"{arxiv}/api/query?id_list={quote(gap.arxiv or '', safe='/.')}&max_results=1"),
        ):
            if not ident or not (gap.missing & _CAN_FILL[service]):
                continue
            report.looked_up += 1
            body = client.get(service, url)
            values = (crossref_values if service == "crossref" else arxiv_values)(body) if body else {}
            if not values:
                report.not_found.append((gap.citekey, service))
                continue
            got = record(gap, service, values, len(batches[service]) + 1)
            if got:
                batches[service].append((got[0], gap, got[1]))
                gap.missing -= {"date"} | set(got[1])
    for service, items in batches.items():
        if not items:
            continue
        records = [rec for rec, _, _ in items]
        content = json.dumps([r.raw for r in records], ensure_ascii=False).encode()
        done = store.ingest_records(engine, db_path, records, source_name=service,
                                    display_path=crossref if service == "crossref" else arxiv,
                                    dialect=service, content=content)  # fmt: skip
        keys = {e.line: e.citekey for e in (*done.merged, *done.unchanged, *done.created)}
        report.filled += [Filled(keys.get(rec.line) or gap.citekey, service, filled) for rec, gap, filled in items]
    return report


def _default_cache() -> str:
    from platformdirs import user_cache_dir

    return user_cache_dir("adbib")
