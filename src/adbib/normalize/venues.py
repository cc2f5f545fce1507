"""Venues: every spelling a list uses -> one canonical venue from ``data/vocab/venues.toml``.

>>> parse_venue_tag("2019-Medical Image Analysis ")
('Medical Image Analysis', 2019)
>>> resolve_venue("Medical Image Analysis")[0].short, resolve_venue("MIA")[0].short
('MedIA', 'MedIA')
>>> venue, more = resolve_venue("CVPR&PAMI"); venue.short, [v.short for v in more]
('CVPR', ['PAMI'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from adbib.normalize.text import clean_spaces, fold
from adbib.normalize.vocab import load, match_key, per_vocabulary

VENUE_TYPES = ("conference", "journal", "workshop", "preprint")


@dataclass(frozen=True)
class Venue:
    short: str  # canonical short name: 'MedIA'
    name: str  # full name: 'Medical Image Analysis'
    type: str  # one of VENUE_TYPES
    aliases: tuple[str, ...] = ()  # further spellings: ('MIA', 'Med. Image Anal.')


# What a venue string may carry besides the venue: an arXiv identifier ("arXiv preprint
# arXiv:2303.00609"), "Proceedings of the", a year, an ordinal ("26th").  Applied to folded text.
_NOISE = re.compile(
    r"(?:arxiv:\s*|abs/)?\d{4}\.\d{4,5}(?:v\d+)?"
    r"|^\s*(?:in\s+)?proceedings\s+of\s+(?:the\s+)?"
    r"|\b(?:19|20)\d\d\b"
    r"|\b\d+(?:st|nd|rd|th)\b"
)
# Separators of a combined tag: "CVPR&PAMI".
_COMBINED = re.compile(r"\s*[&+]\s*")
# "2024-MICCAI", "MedIA 2023", "2023-CVPR&PAMI", "Nature Communications 2025", "(2019 TMI)".
_TAG = re.compile(
    r"(?:(?P<year1>(?:19|20)\d\d)(?:\s*[-–:,]\s*|\s+|$))?"
    r"(?P<venue>.*?)"
    r"(?:[\s,'-]*(?P<year2>(?:19|20)\d\d))?",
    re.S,
)


def _key(text: str) -> str:
    return match_key(_NOISE.sub(" ", fold(text)))


@cache
def _vocabulary() -> tuple[tuple[Venue, ...], dict[str, Venue]]:
    """(venues in file order, lookup key -> venue); raises ValueError on a bad vocabulary."""
    venues: list[Venue] = []
    index: dict[str, Venue] = {}
    for entry in load("venues")["venue"]:
        venue = Venue(entry["short"], entry["name"], entry["type"], tuple(entry.get("aliases", ())))
        if venue.type not in VENUE_TYPES:
            raise ValueError(f"venues.toml: {venue.short}: type {venue.type!r} is not one of {VENUE_TYPES}")
        venues.append(venue)
        for spelling in (venue.short, venue.name, *venue.aliases):
            key = _key(spelling)
            other = index.setdefault(key, venue)
            if other is not venue:
                raise ValueError(f"venues.toml: {spelling!r} names both {other.short} and {venue.short}")
    return tuple(venues), index


def all_venues() -> list[Venue]:
    """Every venue of the vocabulary, in file order."""
    return list(_vocabulary()[0])


def resolve_venue(raw: str | None) -> tuple[Venue | None, list[Venue]]:
    """(venue, further venues of a combined tag) for a venue as written; (None, []) if unknown.

    Matching ignores case, accents, punctuation, spacing, years and "Proceedings of the".
    A combined tag ('CVPR&PAMI') resolves only when every part is known.
    """
    if not raw or not raw.strip():
        return None, []
    index = _vocabulary()[1]
    venue = index.get(_key(raw))
    if venue is not None:
        return venue, []
    parts = [p for p in _COMBINED.split(raw.strip()) if p]
    if len(parts) > 1:
        found = [v for p in parts if (v := index.get(_key(p))) is not None]
        if len(found) == len(parts):
            return found[0], found[1:]
    return None, []


# A trailing "(ACRONYM)": "2023 IEEE/CVF International Conference on Computer Vision (ICCV)".
_ACRONYM = re.compile(r"\s*\(\s*([A-Za-z][A-Za-z0-9&/+\-]{1,15}(?:\s+[A-Za-z0-9]{1,8})?)\s*\)\s*$")
# What is dropped from an unknown venue's display name: "Proceedings of the", "In", years, ordinals.
_DISPLAY_NOISE = re.compile(
    r"^\s*(?:in\s*:?\s+)?(?:(?:the\s+)?proceedings\s+of\s+(?:the\s+)?)?"
    r"|(?<![\w/])(?:19|20)\d\d(?![\w/])"
    r"|\b\d+(?:st|nd|rd|th)\b",
    re.I,
)
_TYPE_WORDS = (
    ("workshop", re.compile(r"\bworkshops?\b", re.I)),
    ("journal", re.compile(r"\b(?:journal|transactions|letters|review|magazine|annals)\b", re.I)),
    ("conference", re.compile(r"\b(?:conference|symposium|congress|meeting)\b", re.I)),
    ("preprint", re.compile(r"\b(?:preprint|arxiv|biorxiv|medrxiv)\b", re.I)),
)


@dataclass(frozen=True)
class VenueMatch:
    """What a venue as written resolves to: a vocabulary venue (known) or, for one the vocabulary
    does not know, its cleaned form with the type its name says (or None)."""

    short: str
    name: str
    type: str | None
    known: bool
    more: tuple[str, ...] = ()  # further known venues of a combined tag ('PAMI' of 'CVPR&PAMI')


def infer_type(name: str) -> str | None:
    """The venue type a name states: Workshop -> workshop, Journal/Transactions -> journal,
    Conference/Symposium -> conference, arXiv -> preprint; None when it says none."""
    for vtype, pattern in _TYPE_WORDS:
        if pattern.search(name):
            return vtype
    return None


def open_venue(raw: str | None) -> VenueMatch | None:
    """Resolve a venue as written, keeping one the vocabulary does not know.

    Tried in order: the whole text; its trailing "(ACRONYM)"; the text without it.  An unknown
    venue keeps its cleaned text (no "Proceedings of the", years, ordinals or trailing acronym)
    as its name and the acronym, if it gave one, as its short name:
    'Proceedings of the Asian Conference on Computer Vision (ACCV)' -> ACCV, 'Asian Conference
    on Computer Vision', conference, unknown.
    """
    return _open_venue(raw) if raw else None


@per_vocabulary(lambda: _vocabulary()[1])  # venues repeat: a thousand papers, a few dozen venues
def _open_venue(raw: str) -> VenueMatch | None:
    if not clean_spaces(raw):
        return None
    text = clean_spaces(raw)
    venue, more = resolve_venue(text)
    if venue is not None:
        return VenueMatch(venue.short, venue.name, venue.type, True, tuple(v.short for v in more))
    acronym = None
    if (m := _ACRONYM.search(text)) and m.start() > 0:
        acronym = clean_spaces(_DISPLAY_NOISE.sub(" ", m.group(1))) or m.group(1).strip()
        venue, more = resolve_venue(acronym)
        if venue is None:
            venue, more = resolve_venue(text[: m.start()])
        if venue is not None:
            return VenueMatch(venue.short, venue.name, venue.type, True, tuple(v.short for v in more))
        text = text[: m.start()]
    name = clean_spaces(_DISPLAY_NOISE.sub(" ", text)).strip(" ,.;:-–")
    if not name:
        name = clean_spaces(text).strip(" ,.;:-–") or clean_spaces(raw)
    return VenueMatch(acronym or name, name, infer_type(name), False)


def parse_venue_tag(tag: str) -> tuple[str | None, int | None]:
    """Split a venue tag into (venue text, year): '2024-MICCAI' -> ('MICCAI', 2024),
    'Nature Communications 2025' -> ('Nature Communications', 2025), '2024' -> (None, 2024)."""
    m = _TAG.fullmatch(tag.strip(" \t\r\n()[]*"))
    assert m is not None  # always matches: the venue takes the rest
    year = m["year1"] or m["year2"]
    venue = clean_spaces(m["venue"]).strip(" -–:,")
    return venue or None, int(year) if year else None
