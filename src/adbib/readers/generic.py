"""The generic list reader (dialect ``generic``): any markdown paper list no known dialect claims.

Built on markdown-it-py's token tree, it finds paper entries by their shape, not by one list's
conventions:

* bullets (``-``, ``*``, ``+``) and numbered items, one entry each, multi-line blocks included
  (a title line, badge lines, a ``CVPR '25 [[paper](url)][[code](url)]`` line); a nested item
  is a paper of its own when it reads as one, otherwise a detail line of its parent
  (``Authors: …``, ``Datasets: …``, ``Summary: …``);
* table rows whose header names the columns — Title/Paper/Method, Venue/Publication/Conference/
  Journal, Year/Date, Code/GitHub, Authors, Name/Abbreviation/Nickname, arXiv, DOI, Link/URL —
  in any order; a table without a title column (results, datasets) is skipped;
* within an entry, :func:`adbib.readers.entry.read_entry` finds title, nickname, venue, year,
  links and detail lines.

The heading path is the entry's section (the list's own title — a single level-1 heading
before all others — left out; emoji, numbering and anchors removed); a heading that
is only a year (``### 2019``) is not a section but the year of entries that give none.
Sections that are not paper lists are skipped: a table of contents (``Contents``) and a
dataset list (``Datasets``), as are HTML blocks and comments, badges and items with no paper
link, venue or year (news lines, requirements, plain words).

What looks like a paper entry but cannot be read is returned as a ParseFailure with its line:
an item with links or a venue tag but no title, a table row without a title, and a paragraph
outside any list that names a venue and year (``Title, IROS 2019.``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from adbib.normalize.text import clean_spaces, repair
from adbib.readers.entry import (
    Entry,
    NotAnEntry,
    Seg,
    Unreadable,
    find_tag,
    link_role_label,
    parse_tag,
    read_entry,
)
from adbib.records import ParseFailure, ParseResult, Skipped

if TYPE_CHECKING:
    from markdown_it.token import Token
    from markdown_it.tree import SyntaxTreeNode

_LIST_ITEM = re.compile(r"^[ \t]{0,3}(?:[-*+]|\d{1,3}[.)])[ \t]+\S", re.MULTILINE)
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.MULTILINE)
_SKIP_SECTIONS = frozenset({"contents", "table of contents", "toc", "datasets", "dataset", "data sets"})
_YEAR_HEADING = re.compile(r"^(?:19|20)\d\d$")

# table header (casefolded, spaces collapsed) -> field
_COLUMNS: list[tuple[str, re.Pattern[str]]] = [
    ("title", re.compile(r"^(?:title|paper|paper title|papers|publication title|article)$")),
    ("method", re.compile(r"^(?:method|methods|approach)$")),
    ("short", re.compile(r"^(?:name|abbr\.?|abbreviation|nickname|short name|alias|acronym)$")),
    (
        "venue",
        re.compile(
            r"^(?:venue|publication|published|conference|journal|conf\.?|source|"
            r"conference/journal|journal/conference|venue/year|pub\.?)$"
        ),
    ),
    ("year", re.compile(r"^(?:year|date|published date|publication year)$")),
    ("code", re.compile(r"^(?:code|github|repo|repository|implementation|official code|source code)$")),
    ("authors", re.compile(r"^(?:authors?|author\(s\))$")),
    ("arxiv", re.compile(r"^(?:arxiv|arxiv id)$")),
    ("doi", re.compile(r"^doi$")),
    ("url", re.compile(r"^(?:url|link|links|pdf|paper link)$")),
]


def detect(text: str) -> bool:
    """True for any text with a markdown list item or table row (the fallback reader)."""
    return _LIST_ITEM.search(text) is not None or _TABLE_ROW.search(text) is not None


def read(text: str) -> ParseResult:
    from markdown_it.token import Token
    from markdown_it.tree import SyntaxTreeNode

    from adbib.readers.markdown_links import KeptAnyLinks

    md = KeptAnyLinks("commonmark").enable("table")  # URLs kept as written
    tokens = md.parse(text)
    for token in tokens:
        if token.type == "inline" and token.children and _depth(token.children) > _MAX_INLINE_DEPTH:
            # emphasis nested hundreds deep ('*' * 3000): read as plain text, not recursed into
            token.children = [Token("text", "", 0, content=token.content)]
    tree = SyntaxTreeNode(tokens)
    reader = _Reader(text.split("\n"))
    headings = [n for n in tree.children if n.type == "heading"]
    h1 = [n for n in headings if n.tag == "h1"]
    if len(h1) == 1 and headings[0] is h1[0]:
        reader.list_title = h1[0]  # the list's own title, not a section of it
    reader.blocks(tree.children)
    return reader.result


_MAX_INLINE_DEPTH = 30


def _depth(children: Sequence[Token]) -> int:
    """How deep the inline tokens nest (emphasis in links in emphasis …)."""
    depth = deepest = 0
    for t in children:
        depth += t.nesting
        deepest = max(deepest, depth)
    return deepest


def clean_heading(text: str) -> str:
    """'📃 Weakly-supervised VAD Papers' -> 'Weakly-supervised VAD Papers'; '1.3.1 Text-based
    Generation' -> 'Text-based Generation'; '(1) Multivariate' -> 'Multivariate'."""
    text = text[:300]  # a heading is short; the category lookup after it is not linear in its length
    text = "".join(
        c
        for c in text
        if unicodedata.category(c) not in ("So", "Sk", "Cn", "Co", "Cf") and not 0xFE00 <= ord(c) <= 0xFE0F
    )
    text = re.sub(r"\{#[^}]*\}", "", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"^\s*(?:\(\d+\)|\d+(?:\.\d+)*[.)]?)\s+", "", text)
    return clean_spaces(text).strip(" :-")


class _Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.result = ParseResult()
        self.headings: list[tuple[int, str]] = []
        self.list_title: SyntaxTreeNode | None = None

    # -- the block structure

    def blocks(self, nodes: Sequence[SyntaxTreeNode]) -> None:
        for node in nodes:
            if node.type == "heading":
                self.heading(node)
            elif self.skipping():
                continue
            elif node.type in ("bullet_list", "ordered_list"):
                for item in node.children:
                    self.item(item, parent=None)
            elif node.type == "table":
                self.table(node)
            elif node.type == "paragraph":
                self.paragraph(node)
            elif node.type == "blockquote":
                self.blocks(node.children)

    def heading(self, node: SyntaxTreeNode) -> None:
        level = int(node.tag[1:])
        text = clean_heading(repair(_inline_plain(node.children[0]) if node.children else ""))
        if node is self.list_title:
            text = ""
        self.headings = [(lv, h) for lv, h in self.headings if lv < level] + [(level, text)]
        if text.casefold() in _SKIP_SECTIONS:
            line = node.map[0] + 1 if node.map else 0
            self.result.skipped.append(Skipped(line, f"section {text!r}: not a paper list"))

    def skipping(self) -> bool:
        return any(h.casefold() in _SKIP_SECTIONS for _, h in self.headings)

    def path(self) -> tuple[list[str], int | None]:
        """The section path (year headings left out) and the year a year heading gives."""
        path = [h for _, h in self.headings if h and not _YEAR_HEADING.match(h)]
        years = [int(h) for _, h in self.headings if _YEAR_HEADING.match(h)]
        return path, (years[-1] if years else None)

    # -- list items

    def item(self, item: SyntaxTreeNode, parent: int | None) -> None:
        own = [c for c in item.children if c.type in ("paragraph", "heading")]
        nested = [c for c in item.children if c.type in ("bullet_list", "ordered_list")]
        segs: list[Seg] = []
        for para in own:
            if segs:
                segs.append(Seg("br"))
            for child in para.children:
                segs += _segments(child.children if child.type == "inline" else [])
        line = (item.map[0] + 1) if item.map else 0
        end = nested[0].map[0] if nested and nested[0].map else (item.map[1] if item.map else line)
        raw = "\n".join(self.lines[line - 1 : max(end, line)]).rstrip()
        index: int | None = None
        if segs:
            try:
                entry = read_entry(segs)
            except NotAnEntry:
                entry = None
            except Unreadable as e:
                self.result.failures.append(ParseFailure(line, str(e), raw))
                entry = None
            if entry is not None:
                index = self.add(entry, line, raw, parent)
        for lst in nested:
            for child in lst.children:
                if index is not None and (self.detail(child, index) or self.summary(child, index)):
                    continue
                self.item(child, parent=index if index is not None else parent)

    def detail(self, child: SyntaxTreeNode, index: int) -> bool:
        """A nested item that is a detail line of entry ``index`` (Authors:, Datasets:, …)."""
        from adbib.readers.entry import detail_lines

        segs: list[Seg] = []
        for para in child.children:
            if para.type == "paragraph":
                for inl in para.children:
                    segs += _segments(inl.children)
        if not segs:
            return False
        _, details = detail_lines([Seg("text", "x"), Seg("br"), *segs])
        if not details:
            return False
        rec = self.result.records[index]
        if "authors" in details and not rec.authors_raw:
            rec.authors_raw = repair(details["authors"])
        if "datasets" in details:
            rec.datasets_raw += [d.strip() for d in re.split(r"[,;]", details["datasets"]) if d.strip()]
        if "summary" in details and not rec.summary:
            rec.summary = repair(details["summary"])
        if "abstract" in details and not rec.abstract:
            rec.abstract = repair(details["abstract"])
        return True

    def summary(self, child: SyntaxTreeNode, index: int) -> bool:
        """A nested item of plain text (no link, venue or year, no items of its own) under an
        entry: the entry's summary, when it has none yet."""
        if any(c.type in ("bullet_list", "ordered_list") for c in child.children):
            return False
        segs: list[Seg] = []
        for para in child.children:
            if para.type == "paragraph":
                for inl in para.children:
                    segs += _segments(inl.children)
        text = clean_spaces("".join(s.text for s in segs if s.kind != "br"))
        rec = self.result.records[index]
        if not text or rec.summary or any(s.kind in ("link", "code") for s in segs):
            return False
        try:
            read_entry(segs)
        except NotAnEntry:
            rec.summary = repair(text)
            return True
        except Unreadable:
            return False
        return False

    def add(self, entry: Entry, line: int, raw: str, parent: int | None) -> int:
        path, year = self.path()
        self.result.records.append(entry.record(line, raw, path, year, parent))
        return len(self.result.records) - 1

    # -- paragraphs outside lists

    def paragraph(self, node: SyntaxTreeNode) -> None:
        """A paragraph line naming a venue and year, or with a paper or code link, looks like an entry
        written outside any list: it is reported, not read (prose would give false papers)."""
        if not node.map:
            return
        segs = _segments(node.children[0].children if node.children else [])
        lines: list[list[Seg]] = [[]]
        for s in segs:
            if s.kind == "br":
                lines.append([])
            else:
                lines[-1].append(s)
        first = node.map[0]
        for offset, line_segs in enumerate(lines):
            plain = clean_spaces("".join(s.text for s in line_segs if s.kind != "link"))
            paper_link = any(
                s.kind == "link" and not s.href.startswith("#") and link_role_label(s.text) in ("Paper", "Code")
                for s in line_segs
            )
            tag = find_tag(plain)
            if len(plain.split()) >= 4 and (paper_link or (tag and re.search(r"[A-Z]{2}", tag[0].venue or ""))):
                # a break markdown-it did not take from a "\n" (an HTML <br>, a line break
                # character) must not move the line past the paragraph's own lines
                n = min(first + offset, node.map[1] - 1)
                raw = self.lines[n] if n < len(self.lines) else plain
                self.result.failures.append(
                    ParseFailure(n + 1, "looks like a paper entry outside a list or table; not read", raw)
                )

    # -- tables

    def table(self, node: SyntaxTreeNode) -> None:
        head = [c for c in node.children if c.type == "thead"]
        body = [c for c in node.children if c.type == "tbody"]
        if not head or not body:
            return
        header_row = head[0].children[0]
        names = [
            clean_spaces(_inline_plain(th.children[0]) if th.children else "").casefold() for th in header_row.children
        ]
        fields: dict[str, int] = {}
        for i, name in enumerate(names):
            for field, pattern in _COLUMNS:
                if pattern.match(name) and field not in fields:
                    fields[field] = i
                    break
        if "title" not in fields and "method" in fields:
            fields["title"] = fields.pop("method")
        elif "method" in fields and "short" not in fields:
            fields["short"] = fields.pop("method")
        line = node.map[0] + 1 if node.map else 0
        if "title" not in fields:
            shown = ", ".join(n for n in names if n) or "none"
            self.result.skipped.append(Skipped(line, f"table without a title column (columns: {shown})"))
            return
        for tr in body[0].children:
            self.row(tr, fields)

    def row(self, tr: SyntaxTreeNode, fields: dict[str, int]) -> None:
        cells = [(_segments(td.children[0].children) if td.children else []) for td in tr.children]
        line = tr.map[0] + 1 if tr.map else 0
        raw = self.lines[line - 1] if 0 < line <= len(self.lines) else ""

        def cell(name: str) -> list[Seg]:
            i = fields.get(name)
            return cells[i] if i is not None and i < len(cells) else []

        def plain(name: str) -> str:
            text = clean_spaces("".join(s.text for s in cell(name)))
            return "" if text in ("-", "–", "—", "/", "N/A", "n/a", "×", "x") else text

        title_segs = cell("title")
        links = [s for s in title_segs if s.kind == "link"]
        if links and all(s.href.startswith("#") for s in links):
            return  # a cross reference to an entry elsewhere in the list (a results table)
        if not any(s.text.strip() for s in title_segs):
            if any(clean_spaces("".join(s.text for s in c)) for c in cells):
                self.result.failures.append(ParseFailure(line, "table row without a title", raw))
            return
        others: list[Seg] = []
        for name in ("venue", "year"):
            text = plain(name)
            links = [s for s in cell(name) if s.kind == "link"]
            if text:
                others += [Seg("text", " "), Seg("code", text)]
            for s in links:
                others += [Seg("text", " "), Seg("link", s.text if parse_tag(s.text) else "paper", s.href)]
        for name, role in (("code", "code"), ("url", "paper"), ("arxiv", "arxiv"), ("doi", "doi")):
            for s in cell(name):
                if s.kind == "link":
                    others += [Seg("text", " "), Seg("link", role, s.href)]
            for url in re.findall(r"https?://\S+", plain(name)):
                others += [Seg("text", " "), Seg("link", role, url)]
            text = plain(name)
            if name == "arxiv" and re.fullmatch(r"(?:arxiv:)?\d{4}\.\d{4,5}(?:v\d+)?", text, re.IGNORECASE):
                others += [Seg("text", " "), Seg("link", "arxiv", "https://arxiv.org/abs/" + text.split(":")[-1])]
            if name == "doi" and text.startswith("10."):
                others += [Seg("text", " "), Seg("link", "doi", "https://doi.org/" + text)]
        # the title cell: a plain text title is a title (the header says so)
        segs = list(title_segs)
        if not any(s.kind == "link" and not s.href.startswith("#") for s in segs) and not any(
            s.kind == "strong" for s in segs
        ):
            segs = [Seg("link", clean_spaces("".join(s.text for s in segs if s.kind != "br")), "#title")]
        try:
            entry = _title_cell_entry(segs, others)
        except (NotAnEntry, Unreadable) as e:
            self.result.failures.append(ParseFailure(line, f"table row: {e}", raw))
            return
        if not entry.short_name and (short := plain("short")):
            entry.short_name = repair(short)
        if (authors := plain("authors")) and not entry.authors:
            entry.authors = repair(authors)
        if entry.venue is None and (v := plain("venue")) and not re.fullmatch(r"[\d\s'’]+", v):
            entry.venue = repair(v)
        if entry.year is None and (m := re.search(r"(?:19|20)\d\d", plain("year"))):
            entry.year = int(m.group(0))
        self.add(entry, line, raw, None)


def _title_cell_entry(title_segs: list[Seg], others: list[Seg]) -> Entry:
    """A table row's entry: the title cell read as an entry's start, the other cells after it.
    The header says the row is a paper: a missing link or tag does not make it less of one."""
    fake = [s for s in title_segs if s.kind == "link" and s.href == "#title"]
    if fake:
        return _read_with_title(fake[0].text, others)
    try:
        return read_entry([*title_segs, *others])
    except NotAnEntry:
        text = "".join(s.text for s in title_segs if s.kind in ("text", "strong", "link"))
        return _read_with_title(clean_spaces(text), others)


def _read_with_title(title: str, others: list[Seg]) -> Entry:
    """An entry whose title is known; venue, year and links from the other cells."""
    try:
        probe = read_entry([Seg("text", "x "), *others])
    except (NotAnEntry, Unreadable):
        probe = Entry(title="x")
    from adbib.readers.entry import _NICK_LEAD, _NICK_TRAIL

    short = None
    if (m := _NICK_LEAD.match(title)) and m["nick"] and m.end() < len(title):
        short, title = m["nick"], title[m.end() :]
    title = clean_spaces(title).strip(" -|,;")
    if (m := _NICK_TRAIL.search(title)) and " " in title[: m.start()] and re.search(r"[A-Z]", m["nick"]):
        short, title = short or m["nick"], title[: m.start()].rstrip()
    if not title or not re.search(r"[^\W\d_]", title):
        raise Unreadable("no title found")
    probe.title = repair(title)
    probe.short_name = probe.short_name or (repair(short) if short else None)
    return probe


def _inline_plain(node: SyntaxTreeNode) -> str:
    return "".join(s.text for s in _segments(node.children) if s.kind != "br")


def _segments(nodes: Sequence[SyntaxTreeNode], in_strong: bool = False) -> list[Seg]:
    """markdown-it inline nodes -> Seg pieces (images and HTML tags dropped, ``<br>`` a break)."""
    out: list[Seg] = []
    for n in nodes:
        t = n.type
        if t == "text":
            out.append(Seg("text", n.content, in_strong=in_strong))
        elif t in ("softbreak", "hardbreak"):
            out.append(Seg("text", " ") if in_strong else Seg("br"))
        elif t == "code_inline":
            out.append(Seg("code", n.content))
        elif t == "html_inline":
            if re.match(r"<br\s*/?>", n.content, re.IGNORECASE):
                out.append(Seg("br"))
        elif t == "image":
            continue
        elif t == "link":
            label = clean_spaces("".join(s.text for s in _segments(n.children, True) if s.kind != "br"))
            if label:  # a link around an image only is a badge
                out.append(Seg("link", label, str(n.attrs.get("href", "")), in_strong=in_strong))
        elif t == "strong":
            inner = _segments(n.children, True)
            if any(s.kind == "link" for s in inner):
                out += inner
            else:
                out.append(Seg("strong", "".join(s.text for s in inner), in_strong=True))
        else:  # em, s and others: their text
            out += _segments(n.children, in_strong)
    return out
