"""The normalize layer: a reader's :class:`PaperRecord` -> a :class:`NormalizedPaper`.

Names, venues, datasets and categories are resolved against the vocabularies in
``data/vocab/``; identifiers take their canonical forms (:mod:`adbib.normalize.ids`).
:func:`normalize_record` runs once per imported entry, so everything it needs is compiled once.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from adbib import limits
from adbib.normalize import ids
from adbib.normalize.text import clean_spaces, needs_stripping, strip_controls, title_key
from adbib.records import DatasetMention, LinkRecord, NormalizedPaper, PaperRecord

# The vocabulary modules (categories, datasets, names, venues) are imported by the functions that
# use them: importing a light helper such as adbib.normalize.text runs this file first, and the
# read-only commands (query, show, stats) must not pay for the vocabularies they never consult.

__all__ = ["clean_title", "normalize_record"]

# Markdown emphasis around words: **bold**, *italic*, __bold__, _italic_ (not snake_case).
_EMPHASIS = re.compile(r"(?<![\w*])(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_YEAR = re.compile(r"(\d{4})")
# Inline HTML, read as a browser renders it: a tag shows its content, never itself.  Only the
# elements of HTML itself are tags: "x<y and z>w" in a title is text.
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HTML_TAG = re.compile(r"</?(?P<name>[A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")
# Tags that break the line or end a block: their place becomes a space ("A<br>B" -> "A B").
_BREAKING_TAGS = frozenset(
    {
        "br",
        "hr",
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "caption",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "details",
        "summary",
        "center",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
    }
)
# ... and the elements a title may hold inline.
_HTML_ELEMENTS = _BREAKING_TAGS | frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "big",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "img",
        "ins",
        "kbd",
        "mark",
        "nobr",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
    }
)
# Character references: named (&amp;), decimal (&#179;), hexadecimal (&#xB3;) -- with their
# semicolon only, so that "R&D" or "&param" in a title stays as written.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def clean_title(title: str) -> str:
    """Inline HTML removed (tags and comments go, their text stays), HTML character references
    decoded, markdown emphasis removed, spaces collapsed, one trailing period dropped.

    'Real-IAD D<sup>3</sup>: …' -> 'Real-IAD D3: …'; 'A<br>B' -> 'A B'; 'A &amp; B' -> 'A & B'.
    Escaped markup is markup too ('&lt;sup&gt;3&lt;/sup&gt;' -> '3'): decoding and removing
    repeat until nothing changes (up to :data:`_HTML_PASSES` times), so a cleaned title holds
    neither a tag nor a reference and cleaning it again -- after an export and an import, say --
    changes nothing.  Only HTML's own elements are tags: 'x<y and z>w' and '<script>' stay text.
    """
    text = _without_html(title)
    text = clean_spaces(_EMPHASIS.sub(r"\2", text))
    return text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text


# Markup escaped up to twice over (``&amp;lt;b&amp;gt;``) is still found.
_HTML_PASSES = 3


def _without_html(text: str) -> str:
    """References decoded, then comments and tags removed, until the text stops changing."""
    for _ in range(_HTML_PASSES):
        if "<" not in text and "&" not in text:
            break
        decoded = _ENTITY.sub(lambda m: html.unescape(m.group()), text) if "&" in text else text
        new = _strip_html(decoded) if "<" in decoded else decoded
        if new == text:
            break
        text = new
    return text


def _strip_html(text: str) -> str:
    """HTML comments and tags removed; a line-breaking tag leaves a space."""
    text = _HTML_COMMENT.sub("", text)
    return _HTML_TAG.sub(_tag_replacement, text)


def _tag_replacement(m: re.Match[str]) -> str:
    name = m["name"].lower()
    if name not in _HTML_ELEMENTS:
        return m.group()
    return " " if name in _BREAKING_TAGS else ""


def normalize_record(rec: PaperRecord, list_title: str | None = None) -> NormalizedPaper:
    """Resolve one record: canonical title key, year, venue, authors, identifiers, links,
    datasets (from its Datasets line, then abstract mentions) and categories (from headings;
    the heading that is the list's own title, ``list_title`` as a title key, is none)."""
    from adbib.normalize.categories import open_categories
    from adbib.normalize.names import parse_authors, parse_bibtex_authors
    from adbib.normalize.venues import open_venue

    rec = sanitize_record(rec)
    title = clean_title(rec.title)
    year, year_from_date = rec.year, False
    if year is None and rec.date and (m := _YEAR.match(rec.date)):
        year, year_from_date = int(m.group(1)), True
    venue = open_venue(rec.venue_raw)
    authors = parse_bibtex_authors(rec.authors_raw) if rec.authors_bibtex else parse_authors(rec.authors_raw)
    links = _unique_links(rec.links)
    headings = [h for h in rec.headings if not list_title or title_key(h) != list_title]
    categories = open_categories(headings)
    return NormalizedPaper(
        record=rec,
        title=title,
        title_key=title_key(title),
        year=year,
        year_from_date=year_from_date,
        date=rec.date,
        venue=venue.short if venue else None,
        venue_extra=list(venue.more) if venue else [],
        authors=authors.names,
        authors_truncated=authors.truncated,
        arxiv=next(filter(None, (ids.arxiv_from_url(link.url) for link in links)), None),
        doi=next(filter(None, map(_doi, links)), None),
        links=links,
        datasets=_datasets(rec),
        categories=[slug for slug, _, _ in categories],
        domain=rec.domain,
        abstract=rec.abstract,
        summary=rec.summary,
        problems=[*rec.problems, *authors.notes],
        venue_name=venue.name if venue else None,
        venue_type=venue.type if venue else None,
        venue_known=venue.known if venue else True,
        new_categories={slug: title for slug, title, known in categories if not known},
        fields=dict(rec.fields),
        short_name=rec.short_name,
    )


def sanitize_record(rec: PaperRecord) -> PaperRecord:
    """The record with every value it will store cleaned and bounded, whatever reader made it.

    Escape sequences, C0/C1 controls, NUL and bidi overrides are removed
    (:func:`~adbib.normalize.text.strip_controls`; the abstract keeps its line breaks); a value
    longer than its bound (:mod:`adbib.limits`) is cut there and the cut is a reported problem;
    so is an author list beyond ``MAX_NAMES`` names (see :func:`parse_authors`).  ``raw`` — the
    entry as the file has it — is kept as it is: it is escaped wherever it is shown."""
    if _already_clean(rec):
        return rec
    problems = list(rec.problems)

    def clean(name: str, value: str | None, bound: int = limits.MAX_FIELD, keep_lines: bool = False) -> str | None:
        if value is None:
            return None
        value = strip_controls(value, keep_lines=keep_lines)
        if len(value) > bound:
            problems.append(f"{name}: {len(value):,} characters, cut to the first {bound:,}")
            value = value[:bound]
        return value

    def clean_all(name: str, values: list[str]) -> list[str]:
        return [v for v in (clean(name, v) for v in values) if v is not None]

    links = [
        replace(link, url=clean("url", link.url) or "", label=clean("link label", link.label) or "")
        for link in rec.links
    ]
    cleaned = replace(
        rec,
        title=clean("title", rec.title) or "",
        date=clean("date", rec.date),
        venue_raw=clean("venue", rec.venue_raw),
        authors_raw=clean("authors", rec.authors_raw, limits.MAX_LONG_FIELD),
        links=links,
        datasets_raw=clean_all("dataset", rec.datasets_raw),
        headings=clean_all("heading", rec.headings),
        section=clean("section", rec.section),
        abstract=clean("abstract", rec.abstract, limits.MAX_LONG_FIELD, keep_lines=True),
        summary=clean("summary", rec.summary),
        short_name=clean("short name", rec.short_name),
        fields={k: v for k, v in ((k, clean(k, v)) for k, v in rec.fields.items()) if v is not None},
        problems=[strip_controls(p) for p in problems],
    )
    return rec if cleaned == rec else cleaned  # the same object when there was nothing to do


def _already_clean(rec: PaperRecord) -> bool:
    """Whether :func:`sanitize_record` would give a record equal to ``rec`` (and so ``rec``
    itself): every value it cleans is there (not None where it makes one ""), within its bound
    and without controls to strip, and the problems too.  Most records are: this spares building
    the copy (a ``replace`` per link and one for the record) only to compare it, and tests all
    one-line values in one search over them joined by spaces."""
    required = [rec.title, *rec.datasets_raw, *rec.headings, *rec.fields.values()]
    for link in rec.links:
        required += (link.url, link.label)
    if any(v is None for v in required):
        return False
    optional = [v for v in (rec.date, rec.venue_raw, rec.section, rec.summary, rec.short_name) if v is not None]
    if any(len(v) > limits.MAX_FIELD for v in required) or any(len(v) > limits.MAX_FIELD for v in optional):
        return False
    if rec.authors_raw is not None:
        if len(rec.authors_raw) > limits.MAX_LONG_FIELD:
            return False
        optional.append(rec.authors_raw)
    if rec.abstract is not None and (
        len(rec.abstract) > limits.MAX_LONG_FIELD or needs_stripping(rec.abstract, keep_lines=True)
    ):
        return False
    return not needs_stripping(" ".join([*required, *optional, *rec.problems]))


def _unique_links(links: list[LinkRecord]) -> list[LinkRecord]:
    """The links without repeats of the same (role, URL), in their order."""
    seen: dict[tuple[str, str], LinkRecord] = {}
    for link in links:
        seen.setdefault((link.role, link.url), link)
    return list(seen.values())


def _doi(link: LinkRecord) -> str | None:
    if doi := ids.doi_from_url(link.url):
        return doi
    return ids.normalize_doi(link.url) if link.role == "doi" else None


def _datasets(rec: PaperRecord) -> list[DatasetMention]:
    """Datasets named on the Datasets line, then those the abstract mentions that are not."""
    from adbib.normalize.datasets import is_known, resolve_dataset, scan_text, split_dataset_items

    found: dict[str, DatasetMention] = {}
    for item in split_dataset_items(rec.datasets_raw):
        name, family = resolve_dataset(item)
        found.setdefault(name, DatasetMention(name, family, "datasets-line", item, is_known(item)))
    for dataset, spelling in scan_text(rec.abstract):
        mention = DatasetMention(dataset.name, dataset.family, "abstract", spelling)
        found.setdefault(dataset.name, mention)
    return list(found.values())
