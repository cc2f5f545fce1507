"""Reader for the LGC list dialect ("Awesome Industrial & Medical Anomaly Detection").

An entry is a top-level bullet with sub-bullets::

    - ⭐⭐ *(2022-MICCAI)* **Title** [[Paper]](url), [[ArXiv]](url), [[Code]](url)
      - Authors: Given Family, Given Family
      - a one-line summary
      - Datasets: RSNA, VinDr-CXR          (or nested bullets, one dataset each)
      - Extension: *(2023-MedIA) Title of the extension* [[Paper]](url)

H1 headings name the domain (industrial / medical), H2 headings the method category.  The
``Datasets`` appendix and the ``Updates`` log are not papers; bullets without paper markup
(navigation, prose) are ignored; empty ``****`` template entries are reported as skipped.
Bullets may be written with ``-``, ``*`` or ``+`` (markdown-it reads all three).

Nested papers.  A sub-bullet that reads ``LABEL TITLE [[Label]](url)…`` is a paper of its own,
recorded right after its parent with ``parent`` set (``Extension:``, ``Extend to PAMI:``,
``Further extension to PAMI:``, ``Similar to``, or any other label):

* LABEL is plain text of at most six words without sentence punctuation (``.;!?``), optionally
  ending with a colon, written before the first ``*``; it may be empty;
* TITLE is the italic or bold span that follows it, in any shape a paper line has
  (``*(2023-MedIA) Title*``, ``*(2019-X)* **Title**``, ``*Title*``);
* the bullet *looks like a paper* when its title carries a ``(YEAR-VENUE)`` tag, or when the
  title is followed by links with nothing but separators in between;
* the label says how the paper relates to its parent: the word ``extend`` (``extends``,
  ``extended``) or ``extension`` -> ``extension_of`` (and ``… to/in VENUE`` names the venue
  when the title has no tag), the word ``similar`` -> ``similar_to``.  Such a bullet is a
  nested paper when it looks like one or when its label leads in to the title -- ends with a
  colon or a preposition (``Extend to PAMI:``, ``Similar to``); then one whose title cannot be
  read is a failure of its own.  ``Extends *PatchCore* with a memory bank`` is a summary: its
  label leads nowhere;
* any other label (``Journal version:``, ``See also``) names no relation adbib stores: the
  bullet is a nested paper only when it looks like one (and its label is not empty when it has
  no tag), and it is then read as a related paper of its own (``relation`` None, ``parent``
  set) with a problem saying the relation was not stored.
* Otherwise the bullet is a summary, as prose with emphasis is.

The list is UTF-8 text once decoded as Mac Roman, so every non-ASCII line is repaired before
parsing, while ``PaperRecord.raw`` keeps the lines exactly as in the file.  markdown-it-py gives
the structure as GitHub renders it (headings, nested bullets with their lines, emphasis, bold,
links); this module only reads the dialect's conventions off that structure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from adbib.normalize.ids import BadLink, check_url, make_link
from adbib.normalize.text import clean_spaces, fold, repair
from adbib.records import DOMAINS, LinkRecord, PaperRecord, ParseFailure, ParseResult, Skipped

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from markdown_it import MarkdownIt
    from markdown_it.token import Token

STAR = "⭐"

# A paper bullet: "- ⭐⭐ *(2024-MICCAI)* **" -- the stars, mojibake or not, are one word.
_DETECT = re.compile(r"^[-*+][ \t]+(?:\S+[ \t]+)?\*\(\d{4}-[^)\n]+\)\*[ \t]*\*\*", re.M)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the line breaks markdown-it counts
# Bullets that may be papers: a venue tag, bold text or a [[Label]] link.
_PAPERISH = re.compile(r"\*\(|\*\*|\[\[")
_EMPTY_TITLE = re.compile(r"\*\*\*\*")
_TAG = re.compile(r"\(\s*(?P<year>\d{4})\s*-\s*(?P<venue>[^()]*?)\s*\)\s*(?P<rest>.*)", re.S)
_FIELD = re.compile(r"(?P<name>authors|datasets)\s*:(?P<value>.*)", re.I | re.S)
# The label introducing a nested paper: the text before its italic or bold title.
_NESTED_LABEL = re.compile(r"(?P<label>[^*\[\]\n]*?)\s*\*")
_LABEL_SHAPE = re.compile(r"[^.;!?:]*:?")  # no sentence punctuation; a colon only at the end
_LABEL_MAX_WORDS = 6
_EXTENDS = re.compile(r"\b(?:extend(?:s|ed|ing)?|extensions?)\b", re.IGNORECASE)
_SIMILAR = re.compile(r"\bsimilar(?:ly)?\b", re.IGNORECASE)
_LABEL_VENUE = re.compile(r"\b(?:extend\w*|extension|version)\s+(?:to|in|at)\s+(?P<venue>[^:]+?)\s*:?$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,;:|/&\-–—]*")
_LEAD_IN = re.compile(r"(?::|\b(?:to|of|in|with|on|from|by))$", re.IGNORECASE)
# [[Label]](url) left as plain text by markdown-it: a space in the URL, or no closing parenthesis.
_UNPARSED_LINK = re.compile(r"\[\[(?P<label>[^\[\]]*)\]\]\((?P<url>[^()\n]*)(?P<close>\))?")
_APPENDICES = frozenset({"datasets", "updates"})


def detect(text: str) -> bool:
    """True when the text has at least one LGC paper bullet (``- ⭐ *(2024-X)* **Title**``).

    A bullet lies within one line: this is true of a text when it is of one of its lines (a
    file read in pieces is tested piece by piece).  A text without a line that starts with a
    bullet marker is not searched (a big .bib has none)."""
    if text[:1] not in ("-", "*", "+") and "\n-" not in text and "\n*" not in text and "\n+" not in text:
        return False
    return _DETECT.search(text) is not None


def read(text: str) -> ParseResult:
    """Parse an LGC list into paper records, failures and skipped entries (never raises)."""
    source = _Source(text)
    repaired = "\n".join(line if line.isascii() else repair(line) for line in source.lines)
    result = ParseResult()
    for item, headings, domain in _top_items(_parser().parse(repaired)):
        if not any(h.casefold() in _APPENDICES for h in headings):
            _read_entry(item, _Context(source, headings, domain), result)
    return result


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """CommonMark parser that keeps link destinations exactly as written (check_url judges them)."""
    from adbib.readers.markdown_links import KeptAnyLinks  # imported lazily: detect() must stay cheap

    return KeptAnyLinks("commonmark")


# --- block structure ----------------------------------------------------------------------


@dataclass
class _Item:
    """A bullet: its 0-based first line, the line after its last text, its first paragraph."""

    start: int
    end: int
    inline: Token | None = None
    children: list[_Item] = field(default_factory=list)

    @property
    def content(self) -> str:
        """The bullet's first paragraph as written (markdown source, repaired)."""
        return self.inline.content if self.inline is not None else ""

    def descendants(self) -> Iterator[_Item]:
        for child in self.children:
            yield child
            yield from child.descendants()


class _Source:
    """The text as given, split into lines the way markdown-it counts them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _LINE_BREAK.split(text)
        self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]

    def raw(self, item: _Item) -> str:
        """The item's lines exactly as in the text, line breaks included."""
        last = item.end - 1
        return self.text[self.starts[item.start] : self.starts[last] + len(self.lines[last])]


@dataclass
class _Context:
    source: _Source
    headings: list[str]
    domain: str | None

    def raw(self, item: _Item) -> str:
        return self.source.raw(item)


def _top_items(tokens: Sequence[Token]) -> Iterator[tuple[_Item, list[str], str | None]]:
    """Yield each top-level bullet with the heading path above it and the domain of its H1."""
    levels: dict[int, str] = {}
    stack: list[_Item] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and not stack:
            level = int(tok.tag[1:])
            levels = {k: v for k, v in levels.items() if k < level}
            levels[level] = "".join(s.text for s in _spans(tokens[i + 1].children or [])).strip()
        elif tok.type == "list_item_open":
            assert tok.map is not None  # markdown-it gives every block token its lines
            item = _Item(tok.map[0], tok.map[0])
            if stack:
                stack[-1].children.append(item)
            stack.append(item)
        elif tok.type == "list_item_close":
            item = stack.pop()
            if stack:
                stack[-1].end = max(stack[-1].end, item.end)
            else:
                yield item, [levels[k] for k in sorted(levels)], _domain(levels.get(1))
        elif tok.type == "inline" and stack:
            if stack[-1].inline is None:
                stack[-1].inline = tok
            assert tok.map is not None  # an inline token of a block has the block's lines
            stack[-1].end = max(stack[-1].end, tok.map[1])


def _domain(h1: str | None) -> str | None:
    """The one domain an H1 names ('Medical Anomaly Detection' -> 'medical'), else None."""
    named = [d for d in DOMAINS if d in fold(h1 or "")]
    return named[0] if len(named) == 1 else None


# --- inline structure ---------------------------------------------------------------------


@dataclass
class _Span:
    kind: str  # 'text', 'em', 'strong' or 'link'
    text: str = ""
    href: str = ""


def _spans(children: Sequence[Token]) -> list[_Span]:
    """Flatten inline tokens into top-level spans; markup nested in a span only adds its text."""
    spans: list[_Span] = []
    current: _Span | None = None
    depth = 0
    for tok in children:
        if tok.nesting == 1:
            if depth == 0:
                current = _Span(tok.type.removesuffix("_open"), href=str(tok.attrGet("href") or ""))
                spans.append(current)
            depth += 1
        elif tok.nesting == -1:
            depth -= 1
            if depth == 0:
                current = None
        else:
            if current is None:
                current = _Span("text")
                spans.append(current)
            current.text += " " if tok.type.endswith("break") else tok.content
    return spans


@dataclass
class _Head:
    """What the first line of a paper bullet says."""

    lead: str  # text before the first markup: the stars, or a relation phrase
    title: str
    year: int | None
    venue: str | None
    links: list[LinkRecord]
    problems: list[str]


def _head(inline: Token | None) -> _Head:
    """Read a paper line in any of its shapes: ``*(2024-X)* **Title**``, ``*(2024-X) Title*``,
    ``*Title*``, each followed by ``[[Label]](url)`` links."""
    spans = _spans(inline.children or []) if inline is not None else []
    lead = spans[0].text if spans and spans[0].kind == "text" else ""
    em = next((s for s in spans if s.kind == "em"), None)
    strong = next((s for s in spans if s.kind == "strong"), None)
    tag = _TAG.fullmatch(em.text.strip()) if em else None
    if strong:
        title = strong.text
    elif em:
        title = tag["rest"] if tag else em.text
    else:
        title = ""
    links, problems = _links(spans)
    return _Head(
        lead=lead,
        title=clean_spaces(title),
        year=int(tag["year"]) if tag else None,
        venue=(tag["venue"] or None) if tag else None,
        links=links,
        problems=problems,
    )


def _links(spans: list[_Span]) -> tuple[list[LinkRecord], list[str]]:
    """Stored links, and one problem per link that cannot be stored (label and reason)."""
    links: list[LinkRecord] = []
    problems: list[str] = []
    for span in spans:
        if span.kind != "link":
            continue
        link = make_link(_label(span.text), span.href, problems)
        if link is not None:
            links.append(link)
    plain = "".join(s.text for s in spans if s.kind == "text")
    for m in _UNPARSED_LINK.finditer(plain):
        problems.append(f"link [{m['label'].strip()}] not stored: {_unparsed_reason(m)}")
    return links, problems


def _label(text: str) -> str:
    """'[Paper]' -> 'Paper': the dialect's labels carry their own brackets."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return text.strip()


def _unparsed_reason(m: re.Match[str]) -> str:
    if not m["close"]:
        return "no closing parenthesis"
    try:
        check_url(m["url"])
    except BadLink as e:
        return str(e)
    return f"not a markdown link: {m[0]!r}"


# --- entries ------------------------------------------------------------------------------


def _read_entry(item: _Item, ctx: _Context, result: ParseResult) -> None:
    """Add the paper of one top-level bullet (and its nested papers), or say why not."""
    if not _PAPERISH.search(item.content):
        return  # navigation or prose, not a paper
    head = _head(item.inline)
    line = item.start + 1
    authors, summary, datasets, nested = _sub_bullets(item)
    if not head.title:
        if _EMPTY_TITLE.search(item.content) and not head.links and not authors:
            result.skipped.append(Skipped(line, "empty template entry"))
        else:
            result.failures.append(ParseFailure(line, "paper entry without a title", ctx.raw(item)))
        return
    parent = len(result.records)
    result.records.append(
        PaperRecord(
            title=head.title,
            line=line,
            raw=ctx.raw(item),
            year=head.year,
            venue_raw=head.venue,
            authors_raw=authors,
            links=head.links,
            datasets_raw=datasets,
            headings=list(ctx.headings),
            section=ctx.headings[-1] if ctx.headings else None,
            domain=ctx.domain,
            summary=summary,
            stars=head.lead.count(STAR) or None,
            problems=head.problems,
        )
    )
    for child, label in nested:
        _read_nested(child, label, parent, ctx, result)


@dataclass
class _Nested:
    """What the label of a nested paper bullet says."""

    label: str  # as written, spaces collapsed: 'Extend to PAMI:'
    relation: str | None  # 'extension_of' | 'similar_to' | None (a label naming no relation)
    venue: str | None  # 'PAMI' of 'Extend to PAMI:'


def _sub_bullets(
    item: _Item,
) -> tuple[str | None, str | None, list[str], list[tuple[_Item, _Nested]]]:
    """(authors_raw, summary, datasets_raw, [(nested paper bullet, what its label says)])."""
    authors: str | None = None
    summary: str | None = None
    datasets: list[str] = []
    nested: list[tuple[_Item, _Nested]] = []
    for child in item.children:
        field_ = _FIELD.match(child.content)
        if field_ and field_["name"].lower() == "authors":
            authors = field_["value"].strip() or None
        elif field_:
            items = [field_["value"], *(d.content for d in child.descendants())]
            datasets = [d.strip() for d in items if d.strip()]
        elif label := _nested_label(child):
            nested.append((child, label))
        elif summary is None:
            summary = child.content.strip() or None
    return authors, summary, datasets, nested


def _nested_label(child: _Item) -> _Nested | None:
    """The label of a sub-bullet that names a paper (see the module docstring), else None."""
    m = _NESTED_LABEL.match(child.content)
    if m is None:
        return None
    label = clean_spaces(m["label"])
    if len(label.split()) > _LABEL_MAX_WORDS or not _LABEL_SHAPE.fullmatch(label):
        return None
    head = _head(child.inline)
    looks_like_paper = bool(head.title) and (head.year is not None or (bool(label) and _title_then_links(child)))
    relation = "extension_of" if _EXTENDS.search(label) else "similar_to" if _SIMILAR.search(label) else None
    if relation and (looks_like_paper or _LEAD_IN.search(label)):
        venue = _LABEL_VENUE.search(label) if relation == "extension_of" else None
        return _Nested(label, relation, venue["venue"] if venue else None)
    if relation is None and looks_like_paper:
        return _Nested(label, None, None)
    return None


def _title_then_links(child: _Item) -> bool:
    """True when the bullet is its label, its title, then at least one link and nothing but
    separators between the title and the first link."""
    spans = _spans(child.inline.children or []) if child.inline is not None else []
    kinds = [s.kind for s in spans]
    if "link" not in kinds:
        return False
    between = spans[1 : kinds.index("link")]  # spans[0] is the label
    titles = [s for s in between if s.kind in ("em", "strong")]
    texts = [s.text for s in between if s.kind == "text"]
    return bool(titles) and all(_SEPARATORS.fullmatch(t) for t in texts)


def _read_nested(item: _Item, label: _Nested, parent: int, ctx: _Context, result: ParseResult) -> None:
    """A paper named in a sub-bullet: ``Extension: *(2023-MedIA) Title* [[Paper]](…)``."""
    head = _head(item.inline)
    line = item.start + 1
    if not head.title:
        result.failures.append(ParseFailure(line, "nested paper without a title", ctx.raw(item)))
        return
    problems = list(head.problems)
    if label.relation is None:
        problems.append(
            f"nested paper: the label {label.label!r} names no relation adbib stores"
            " (extension or similar); read as a paper of its own"
        )
    result.records.append(
        PaperRecord(
            title=head.title,
            line=line,
            raw=ctx.raw(item),
            year=head.year,
            venue_raw=head.venue or label.venue,
            links=head.links,
            headings=list(ctx.headings),
            section=ctx.headings[-1] if ctx.headings else None,
            domain=ctx.domain,
            parent=parent,
            relation=label.relation,
            problems=problems,
        )
    )
