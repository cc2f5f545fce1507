"""Method categories and domains from ``data/vocab/categories.toml``.

Lists file papers under headings ('🕒 3. AE-Based Approaches <div id = "s5"></div>',
'Supervised/Openset/Noise Anomaly Detection Methods'); the vocabulary says which canonical
category ('autoencoder', 'supervised') or domain ('industrial', 'medical') each heading names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from adbib.normalize.text import title_key
from adbib.normalize.vocab import load


@dataclass(frozen=True)
class Category:
    name: str  # canonical slug: 'diffusion'
    title: str  # display name: 'Diffusion-based approaches'
    aliases: tuple[str, ...] = ()  # words a user may type: ('ddpm', ...)
    headings: tuple[str, ...] = ()  # list headings filed under it, as written


_HTML_TAG = re.compile(r"<[^>]*>")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_NUMBERING = re.compile(r"^(?:\d+ )+")


def heading_key(heading: str) -> str:
    """A heading reduced to its words: HTML anchors, link syntax, emoji, punctuation, case and a
    leading numbering dropped.  '🕐 1. Solving "Identical Shortcut" <div id = "s3"></div>' ->
    'solving identical shortcut'; '[Industrial Anomaly Detection](#industrial-anomaly-detection)'
    -> 'industrial anomaly detection'."""
    text = _MD_LINK.sub(r"\1", _HTML_TAG.sub(" ", heading))
    return _NUMBERING.sub("", title_key(text))


def _key(text: str) -> str:
    """Lookup key: the heading key without spaces ('Multi-Modal' = 'multimodal')."""
    return heading_key(text).replace(" ", "")


def _add(index: dict[str, str], spelling: str, target: str, what: str) -> None:
    other = index.setdefault(_key(spelling), target)
    if other != target:
        raise ValueError(f"categories.toml: {what} {spelling!r} names both {other} and {target}")


@cache
def _vocabulary() -> tuple[tuple[Category, ...], dict[str, str], dict[str, str], dict[str, str]]:
    """(categories, heading key -> category, any spelling -> category, heading key -> domain)."""
    data = load("categories")
    categories = tuple(
        Category(c["name"], c["title"], tuple(c.get("aliases", ())), tuple(c.get("headings", ())))
        for c in data["category"]
    )
    by_heading: dict[str, str] = {}
    by_term: dict[str, str] = {}
    for c in categories:
        for h in c.headings:
            _add(by_heading, h, c.name, "heading")
        for spelling in (c.name, c.title, *c.aliases, *c.headings):
            _add(by_term, spelling, c.name, "spelling")
    domains: dict[str, str] = {}
    for d in data.get("domain", ()):
        for h in d["headings"]:
            _add(domains, h, d["name"], "domain heading")
    return categories, by_heading, by_term, domains


def all_categories() -> list[Category]:
    """Every category of the vocabulary, in file order."""
    return list(_vocabulary()[0])


def category_for_heading(heading: str) -> str | None:
    """The category a list heading files its papers under ('GAN-Based Approaches' -> 'gan'),
    None for headings that are not categories ('Tips', 'Datasets', a domain heading)."""
    return _vocabulary()[1].get(_key(heading))


def resolve_category(term: str) -> str | None:
    """The category a user means by a name, title, alias or heading, case-insensitive:
    'DDPM' -> 'diffusion', 'vlm' -> 'vision-language'; None if unknown."""
    return _vocabulary()[2].get(_key(term))


_YEARISH = re.compile(r"^[\d ]+$")


@cache
def _ignored() -> frozenset[str]:
    """Keys of headings that structure a list rather than name a category ('Papers', 'Contents')."""
    return frozenset(_key(h) for h in load("categories").get("ignore", {}).get("headings", ()))


def category_slug(heading: str) -> str:
    """The slug of a category a heading names: 'One-class Classification Methods' ->
    'one-class-classification-methods'."""
    return heading_key(heading).replace(" ", "-")


def open_categories(headings: list[str]) -> list[tuple[str, str, bool]]:
    """(slug, title, known) of every category a heading path names, outermost first.

    A heading the vocabulary maps is its category; one it does not know is kept as a category of
    its own (marked unknown) unless it names a domain, a known venue, a year, the list itself
    ('Awesome …') or one of the structural headings of categories.toml's [ignore] table.
    """
    from adbib.normalize.venues import resolve_venue

    out: dict[str, tuple[str, str, bool]] = {}
    for heading in headings:
        slug = category_for_heading(heading) or resolve_category(heading)
        if slug is not None:
            out.setdefault(slug, (slug, slug, True))
            continue
        key = _key(heading)
        words = heading_key(heading)
        if (
            not key
            or key in _ignored()
            or _YEARISH.match(words)
            or words.startswith("awesome")
            or domain_for_heading(heading) is not None
            or resolve_venue(heading)[0] is not None
        ):
            continue
        title = clean_heading(heading)
        slug = category_slug(heading)
        out.setdefault(slug, (slug, title, False))
    return list(out.values())


def clean_heading(heading: str) -> str:
    """A heading as a category title: HTML, link syntax, emoji and leading numbering removed,
    its words and case kept ('🕒 3. AE-Based Approaches <div id="s5"></div>' -> 'AE-Based Approaches')."""
    text = _MD_LINK.sub(r"\1", _HTML_TAG.sub(" ", heading))
    text = "".join(c for c in text if c.isalnum() or c.isspace() or c in "-/&'\",.:()+")
    text = re.sub(r"^\s*(?:\d+[.)]?\s*)+", "", text)
    return " ".join(text.split()).strip(" .:-")


def domain_for_heading(heading: str) -> str | None:
    """'Industrial Anomaly Detection' -> 'industrial', 'Medical Anomaly Detection' -> 'medical'."""
    return _vocabulary()[3].get(_key(heading))
