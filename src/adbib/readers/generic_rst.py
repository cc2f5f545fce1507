"""The generic reader for reStructuredText paper lists (dialect ``rst``).

docutils parses the text; bullet and enumerated list items are entries (nested items are
papers of their own or detail lines of their parent, as in the markdown reader), section
titles are the heading path, and each entry's inline markup — ```Title <url>`_`` links,
``**bold**``, ````literal````, plain text — goes to :func:`adbib.readers.entry.read_entry`.
docutils' own warnings (a bad indent, an unknown role) are not fatal: the text around them is
still read.  Sections called Contents or Datasets are skipped, as in the markdown reader.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from adbib.normalize.text import repair
from adbib.readers.entry import NotAnEntry, Seg, Unreadable, detail_lines, read_entry
from adbib.readers.generic import _SKIP_SECTIONS, _YEAR_HEADING, clean_heading
from adbib.records import ParseFailure, ParseResult, Skipped

if TYPE_CHECKING:  # docutils is imported when a list is read, not when one is detected
    from docutils import nodes

# a section title underlined (and maybe overlined) with one punctuation character
_UNDERLINE = re.compile(r"^(?P<title>[^\s].*)\n(?P<u>([=\-~^\"'`#*+:.])\3{2,})[ \t]*$", re.MULTILINE)
_RST_LINK = re.compile(r"`[^`<>]+<https?://[^>]+>`__?")


def detect(text: str) -> bool:
    """True when section titles are underlined rST-style, or ```text <url>`_`` links appear, and
    no markdown heading (``# …``) does."""
    head = text[:65536]
    if re.search(r"^#{1,6}\s+\S", head, re.MULTILINE):
        return False
    underlined = sum(1 for m in _UNDERLINE.finditer(head) if len(m["u"]) >= len(m["title"].rstrip()) - 1)
    return underlined >= 1 or _RST_LINK.search(head) is not None


def read(text: str) -> ParseResult:
    import docutils.frontend
    import docutils.parsers.rst
    import docutils.utils
    from docutils import nodes

    parser = docutils.parsers.rst.Parser()
    settings = docutils.frontend.get_default_settings(docutils.parsers.rst.Parser)
    settings.report_level = 5  # silence: problems show as failures, not on stderr
    settings.halt_level = 5
    settings.file_insertion_enabled = False
    settings.raw_enabled = False
    doc = docutils.utils.new_document("<list>", settings)
    parser.parse(text, doc)
    reader = _Reader()
    top = [c for c in doc.children if isinstance(c, nodes.section)]
    reader.walk(doc, [], title=top[0] if len(top) == 1 else None)  # the list's own title
    return reader.result


class _Reader:
    def __init__(self) -> None:
        self.result = ParseResult()

    def walk(self, node: nodes.Element, headings: list[str], title: nodes.section | None = None) -> None:
        from docutils import nodes as n

        for child in node.children:
            if isinstance(child, n.section):
                title_node = child.next_node(n.title)
                heading = clean_heading(repair(title_node.astext())) if title_node and child is not title else ""
                path = [*headings, heading]
                if heading.casefold() in _SKIP_SECTIONS:
                    self.result.skipped.append(Skipped(_line(title_node), f"section {heading!r}: not a paper list"))
                    continue
                self.walk(child, path)
            elif isinstance(child, (n.bullet_list, n.enumerated_list)):
                for item in child.children:
                    if isinstance(item, n.Element):  # list_item, always
                        self.item(item, headings, None)
            elif isinstance(child, (n.block_quote, n.container)):
                self.walk(child, headings)

    def item(self, item: nodes.Element, headings: list[str], parent: int | None) -> None:
        from docutils import nodes as n

        paras = [c for c in item.children if isinstance(c, n.paragraph)]
        lists = [c for c in item.children if isinstance(c, (n.bullet_list, n.enumerated_list))]
        segs: list[Seg] = []
        for p in paras:
            if segs:
                segs.append(Seg("br"))
            segs += self.segments(p)
        line = _line(paras[0]) if paras else _line(item)
        raw = paras[0].rawsource if paras else item.rawsource
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
                path = [h for h in headings if h and not _YEAR_HEADING.match(h)]
                years = [int(h) for h in headings if _YEAR_HEADING.match(h)]
                self.result.records.append(entry.record(line, raw, path, years[-1] if years else None, parent))
                index = len(self.result.records) - 1
        for lst in lists:
            for child in lst.children:
                if not isinstance(child, n.Element):  # list_item, always
                    continue
                if index is not None and self.detail(child, index):
                    continue
                self.item(child, headings, index if index is not None else parent)

    def detail(self, child: nodes.Element, index: int) -> bool:
        from docutils import nodes as n

        segs: list[Seg] = []
        for p in child.children:
            if isinstance(p, n.paragraph):
                segs += self.segments(p)
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
        return True

    def segments(self, node: nodes.Element, in_strong: bool = False) -> list[Seg]:
        from docutils import nodes as n

        out: list[Seg] = []
        for c in node.children:
            if isinstance(c, n.Text):
                parts = str(c).split("\n")
                for i, part in enumerate(parts):
                    if i:
                        out.append(Seg("text", " ") if in_strong else Seg("br"))
                    out.append(Seg("text", part))
            elif isinstance(c, n.reference):
                label = " ".join(c.astext().split())
                href = c.get("refuri") or ("#" + c.get("refid", "")) if not c.get("refuri") else c.get("refuri")
                if label:
                    out.append(Seg("link", label, href or "#"))
            elif isinstance(c, n.strong):
                inner = self.segments(c, True)
                if any(s.kind == "link" for s in inner):
                    out += inner
                else:
                    out.append(Seg("strong", " ".join(c.astext().split()), in_strong=True))
            elif isinstance(c, n.literal):
                out.append(Seg("code", c.astext()))
            elif isinstance(c, (n.image, n.target, n.system_message, n.substitution_reference)):
                continue
            else:
                out += (
                    self.segments(c, in_strong)
                    if isinstance(c, n.Element) and c.children
                    else [Seg("text", c.astext())]
                )
        return out


def _line(node: nodes.Node | None) -> int:
    """The 1-based line where a node starts (docutils gives the line after a paragraph's
    first line for some nodes; the nearest known line is used)."""
    while node is not None:
        if node.line:
            return node.line
        node = node.parent
    return 0
