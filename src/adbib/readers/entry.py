"""Reading one paper entry of a list, whatever its dialect (shared by the generic readers).

A reader (markdown, reStructuredText) turns the markup of one entry — a bullet, a numbered
item, a table row, a multi-line block — into :class:`Seg` pieces: plain text, links (label,
URL), bold text, code spans and line breaks.  :func:`read_entry` finds the paper in them:

* **title**: the text of the first link whose label is neither a venue tag nor a link role
  (``[Title](url)``); else bold text (``**Title**``) that is not a label (``**LOF:**``); else
  the quoted title of a citation string (``Family, Given, et al. "Title." Venue Year``); else
  the text before the first link or tag;
* **short name** (the nickname a list adds): a leading ``[ALOCC]``, a bold ``**NAME:**``
  label, ``(**AnoGAN**)``, or a trailing ``(NSA)`` after the title;
* **venue and year**: a link label, code span, bold text or bracket that is a whole tag
  (``[[CVPR 2025]](url)``, `` `ICCV 2017` ``, ``**[arXiv' 19]**``, ``[TKDE-2018]``), else the
  first tag in the free text after the title (``- NIPS 2018``, ``(WACV 2023)``, ``CVPR '25``);
  presentation words (Oral, Spotlight, Poster) are dropped, other words kept (``Workshop``);
* **links**: by label when it names a role (paper, pdf, code, git, project, data, supp, …),
  otherwise by host (arxiv.org → arXiv, doi.org → DOI, github/gitlab → code);
* **detail lines** of a multi-line block or nested items: ``Authors:``, ``Datasets:``,
  ``Summary:`` / ``TL;DR:``, ``Abstract:``.

Two-digit years (``CVPR '25``, ``arXiv' 19``, ``CVPR 16``) use a sliding pivot: ``yy`` is
``20yy`` when that is no later than next year, else ``19yy`` (so in 2026 ``'27`` is 2027 and
``'28`` is 1928).  A bare two-digit year (no apostrophe) counts only where the whole text is
a tag (a code span, a link label, a table cell), never in free text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from adbib.normalize.ids import make_link
from adbib.normalize.text import clean_spaces, repair
from adbib.records import LinkRecord, PaperRecord

# -------------------------------------------------------------------- segments


@dataclass
class Seg:
    kind: str  # 'text' | 'link' | 'strong' | 'code' | 'br'
    text: str = ""
    href: str = ""
    in_strong: bool = False


# -------------------------------------------------------------------- years and tags

_NEXT_YEAR = dt.date.today().year + 1


def two_digit_year(yy: int) -> int:
    """``25`` -> 2025, ``99`` -> 1999: 20yy when that is no later than next year, else 19yy."""
    return 2000 + yy if 2000 + yy <= _NEXT_YEAR else 1900 + yy


_APOS = "'’‘`´"
_YEAR4 = r"(?:19[5-9]\d|20\d\d)"
_YEAR_APOS = rf"(?:[{_APOS}]\s?\d\d(?!\d)|(?<!\d)\d\d\s?[{_APOS}])"
_VWORD = r"[A-Za-z][\w&.+/\-]*"
_CONNECT = r"(?:of|on|and|for|the|in|with|&|de|at)"
# a whole tag: [category] VENUE? sep YEAR suffix
_TAG_FULL = re.compile(
    rf"^\s*(?:\([^()]*\)\s*)?(?P<venue>{_VWORD}(?:[\s\-]+(?:{_VWORD}|{_CONNECT}))*?)?[\s,\-]*"
    rf"(?P<year>{_YEAR4}|{_YEAR_APOS}|(?<![\w.])\d\d)(?![\w])(?P<suffix>(?:[\s,]+[\w.\-&]+)*?)\s*[.,;]?\s*$"
)
# a tag inside free text: the venue starts with a capital or holds one (arXiv), the year has
# four digits or an apostrophe
# (every repetition bounded: the search runs over free text of any length, and must stay linear)
_VSTART = r"(?:[A-Z][\w&.+/\-]{0,30}|[a-z]{1,10}[A-Z][\w&.+/\-]{0,30})"
_TAG_IN_TEXT = re.compile(
    rf"(?<![\w])(?P<venue>{_VSTART}(?:[\s\-]{{1,3}}(?:{_VSTART}|{_CONNECT})){{0,9}}?)[\s,\-]{{0,3}}"
    rf"(?P<year>{_YEAR4}|{_YEAR_APOS})(?![\w])(?P<suffix>(?:\s{{1,3}}[A-Z][\w.\-]{{0,30}}){{0,4}})"
)
_YEAR_ONLY = re.compile(rf"^\s*\(?\s*(?P<year>{_YEAR4})\s*\)?\s*[.,]?\s*$")
_PRESENTATION = frozenset({"oral", "spotlight", "poster", "highlight", "accepted", "best", "paper", "award"})
# venue words that are no venue ("Last Update: June 2025")
_NOT_VENUE = frozenset(
    {
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "updated",
        "update",
        "last",
        "since",
        "in",
        "year",
    }
)


def _year_value(text: str) -> int | None:
    digits = re.sub(r"\D", "", text)
    if len(digits) == 4:
        return int(digits)
    if len(digits) == 2:
        return two_digit_year(int(digits))
    return None


def _venue_text(venue: str | None, suffix: str | None) -> str | None:
    words = (venue or "").split() + [
        w for w in re.split(r"[\s,]+", suffix or "") if w and w.strip(".").casefold() not in _PRESENTATION
    ]
    text = clean_spaces(" ".join(words)).strip(" -,.;:()[]")
    if not text or text.casefold() in _NOT_VENUE or not re.search(r"[A-Za-z]", text):
        return None
    return text


@dataclass
class Tag:
    venue: str | None
    year: int | None


def parse_tag(text: str) -> Tag | None:
    """A text that is a whole venue/year tag: 'CVPR 2025', "arXiv' 19", 'CVPR 16', 'TKDE-2018',
    '(OCC)ICCV 2021', '2019', 'CVPR 2025 SyntaGen Workshop', 'ECCV 2020 Spotlight'."""
    text = text.strip().strip("[]`*_ ").strip()
    if not text or len(text) > 60:
        return None
    if m := _YEAR_ONLY.match(text):
        return Tag(None, int(m["year"]))
    m = _TAG_FULL.match(text)
    if not m or not m["venue"]:
        return None
    suffix_words = re.split(r"[\s,]+", (m["suffix"] or "").strip())
    if len([w for w in suffix_words if w]) > 3:
        return None
    year = _year_value(m["year"])
    if year is None or not 1950 <= year <= _NEXT_YEAR:
        return None
    return Tag(_venue_text(m["venue"], m["suffix"]), year)


def find_tag(text: str) -> tuple[Tag, int, int] | None:
    """The first venue/year tag inside free text (its first 2,000 characters), with its span."""
    for m in _TAG_IN_TEXT.finditer(text, 0, 2000):
        year = _year_value(m["year"])
        if year is None or not 1950 <= year <= _NEXT_YEAR:
            continue
        # a venue does not run across a sentence end ('… in Complex Events. ACM MM 2020')
        words = m["venue"]
        start = m.start()
        if ends := list(re.finditer(r"(?<=[a-z]{3})[.:;]\s+", words)):
            start += ends[-1].end()
            words = words[ends[-1].end() :]
        if len(words.split()) > 8:
            continue
        venue = _venue_text(words, m["suffix"])
        if venue is None:
            continue
        return Tag(venue, year), start, m.end()
    return None


# -------------------------------------------------------------------- links

# label (lowercase, brackets and punctuation stripped) -> the role label make_link understands
_ROLE_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:unofficial|unoff)\b.*code|^code\s*\(unofficial\)"), "Unoff-Code"),
    (
        re.compile(
            r"^(?:code|git\d*|github|gitlab|repo|repository|implementation|official code|"
            r"pytorch|tensorflow|:octocat:)\b"
        ),
        "Code",
    ),
    (re.compile(r"^(?:data|dataset|datasets|annotation|annotations|benchmark|download)\b|download"), "Dataset"),
    (
        re.compile(
            r"^(?:project|project page|homepage|home|page|website|demo|blog|video|slides|"
            r"poster|tutorial|link|openreview|supp|supplementary|supplemental|appendix)\b"
        ),
        "Project",
    ),
    (re.compile(r"^(?:paper|pdf|arxiv|doi|abs|abstract|preprint|article|springer|ieee|acm)\b"), "Paper"),
]


def link_role_label(label: str) -> str | None:
    """'code', '[code]', 'Git1', 'unofficial code', 'Download link', 'paper', 'pdf' -> the
    role label for make_link; None when the label names no role (it may be a title)."""
    lab = clean_spaces(re.sub(r"[\[\]()`*_]", " ", label)).casefold().strip(" .:")
    if not lab or len(lab.split()) > 4:
        return None
    for pattern, role in _ROLE_WORDS:
        if pattern.search(lab):
            return role
    return None


def _role_by_host(url: str) -> str:
    host = re.sub(r"^[a-z]+://", "", url.casefold()).split("/", 1)[0]
    if host.endswith(("github.com", "gitlab.com", "bitbucket.org", "github.io")) and not host.endswith("github.io"):
        return "Code"
    if "arxiv.org" in host:
        return "Paper"  # make_link turns an arXiv URL into role 'arxiv'
    return "Paper"


# -------------------------------------------------------------------- the entry

_DETAIL = re.compile(
    r"^\s*(?:\*\*|__)?(?P<label>authors?|datasets?|summary|tl;?dr|abstract|keywords?|venue|"
    r"conference|journal|year|code)(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_NICK_LEAD = re.compile(r"^\s*\[\s*(?P<nick>[^\[\]]{0,40}?)\s*\][\])]*\s*")
_NICK_TRAIL = re.compile(r"\s*\((?P<nick>[A-Za-z][\w\-+.&]{0,15})\)\s*$")
_QUOTE = re.compile(r"[\"“”„«](?P<title>[^\"“”„»]{8,}?)[\"“”»]")
_SEPARATORS = " \t-–—|,;:.·•"


@dataclass
class Entry:
    title: str
    short_name: str | None = None
    venue: str | None = None
    year: int | None = None
    authors: str | None = None
    links: list[LinkRecord] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    summary: str | None = None
    abstract: str | None = None
    problems: list[str] = field(default_factory=list)

    def record(self, line: int, raw: str, path: list[str], year: int | None, parent: int | None) -> PaperRecord:
        """The reader's record of this entry, filed under the heading ``path``; ``year`` (a year
        heading above it) is used only when the entry names none."""
        return PaperRecord(
            title=self.title,
            line=line,
            raw=raw,
            year=self.year if self.year is not None else year,
            venue_raw=self.venue,
            authors_raw=self.authors,
            links=self.links,
            datasets_raw=self.datasets,
            headings=path,
            section=path[-1] if path else None,
            abstract=self.abstract,
            summary=self.summary,
            parent=parent,
            problems=self.problems,
            short_name=self.short_name,
        )


class NotAnEntry(Exception):
    """The markup is not a paper entry at all (a table-of-contents line, a badge, a news line)."""


class Unreadable(Exception):
    """The markup looks like a paper entry, but no title could be read from it."""


def detail_lines(segs: list[Seg]) -> tuple[list[Seg], dict[str, str]]:
    """Split ``Authors: …`` / ``Datasets: …`` lines off a multi-line block."""
    lines: list[list[Seg]] = [[]]
    for s in segs:
        if s.kind == "br":
            lines.append([])
        else:
            lines[-1].append(s)
    kept: list[Seg] = []
    details: dict[str, str] = {}
    for i, line in enumerate(lines):
        plain = clean_spaces("".join(s.text for s in line))
        m = _DETAIL.match(plain) if i > 0 or len(lines) == 1 else None
        if m and m["value"] and (i > 0 or m["label"].casefold().startswith(("author", "dataset"))):
            details.setdefault(_detail_key(m["label"]), m["value"].strip(" *_"))
            continue
        if kept:
            kept.append(Seg("br"))
        kept.extend(line)
    return kept, details


def _detail_key(label: str) -> str:
    label = label.casefold()
    if label.startswith("author"):
        return "authors"
    if label.startswith("dataset"):
        return "datasets"
    if label.startswith(("summary", "tl")):
        return "summary"
    return label.rstrip("s")


def read_entry(segs: list[Seg], details: dict[str, str] | None = None) -> Entry:
    """The paper in one entry's pieces; raises NotAnEntry or Unreadable."""
    segs, found = detail_lines(segs)
    details = {**found, **(details or {})}
    problems: list[str] = []
    links: list[LinkRecord] = []
    tags: list[Tag] = []
    title: str | None = None
    title_index: int | None = None
    short: str | None = None
    evidence = False  # a paper link, a title link or a venue/year tag

    # 1. links, tags written as a whole unit, and the title link
    for i, s in enumerate(segs):
        if s.kind == "link":
            label = clean_spaces(s.text)
            href = s.href.strip()
            if not href or href.startswith("#"):
                continue  # an anchor: tables of contents, cross references
            if (tag := parse_tag(label)) is not None:
                tags.append(tag)
                _add_link(links, label, href, "Paper", problems)
                evidence = True
            elif (role := link_role_label(label)) is not None:
                _add_link(links, label, href, role, problems)
                evidence = evidence or role == "Paper"
            elif title is None and _title_like(label):
                title, title_index = label, i
                _add_link(links, label, href, _role_by_host(href), problems)
                evidence = True
            else:
                _add_link(links, label, href, _role_by_host(href), problems)
        elif s.kind in ("code", "strong") and (tag := parse_tag(s.text)) is not None:
            tags.append(tag)
            s.kind = "tag"
            evidence = True

    # 2. the title as bold text, or the quoted title of a citation string
    text_before = _plain(segs[:title_index]) if title_index is not None else None
    if title is None:
        for i, s in enumerate(segs):
            if s.kind != "strong":
                continue
            bold = clean_spaces(s.text)
            after = _plain(segs[i + 1 : i + 2])
            if bold.endswith((":", "：")) or after.lstrip().startswith((":", "：")):
                short = short or _nick(bold)  # **LOF:** [Title](url)
                continue
            if re.fullmatch(r"\(?\[?[^\s\[\]]{1,20}\]?\)?", bold) and _plain(segs[i - 1 : i]).rstrip().endswith("("):
                short = short or _nick(bold)  # (**AnoGAN**)
                continue
            if _title_like(bold):
                title, title_index = bold, i
                break
    elif title_index is not None:
        for s in segs[:title_index]:
            if s.kind == "strong" and clean_spaces(s.text).rstrip(" :：") and short is None:
                short = _nick(s.text)
        for i in range(title_index + 1, len(segs) - 1):  # [Title](url) (**AnoGAN**)
            s = segs[i]
            if (
                s.kind == "strong"
                and short is None
                and _plain(segs[i - 1 : i]).rstrip().endswith("(")
                and _plain(segs[i + 1 : i + 2]).lstrip().startswith(")")
            ):
                short = _nick(s.text)

    plain_all = _plain(segs)
    citation = _QUOTE.search(plain_all) if title is None or (text_before and _QUOTE.search(text_before)) else None
    authors = details.get("authors")
    rest: str
    if citation and (title is None or title_index is not None):
        title = citation["title"].strip().rstrip(".,").strip()
        lead = plain_all[: citation.start()]
        if (m := _NICK_LEAD.match(lead)) and m["nick"] and short is None:
            short = _nick(m["nick"])
            lead = lead[m.end() :]
        authors = authors or _citation_authors(lead)
        rest = plain_all[citation.end() :]
        evidence = True
        if tag_year := _citation_venue(rest):
            tags.insert(0, tag_year)
    elif title_index is not None:  # set with title
        before = _plain(segs[:title_index])
        if (m := _NICK_LEAD.search(before)) and m["nick"] and short is None:
            short = _nick(m["nick"])
        rest = _plain(segs[title_index + 1 :])
    else:
        # 3. the text before the first link or tag
        head: list[Seg] = []
        start = 0
        while (
            start < len(segs)
            and (segs[start].kind == "tag" or not segs[start].text.strip())
            and segs[start].kind != "link"
        ):
            start += 1  # a leading venue tag: '**[arXiv' 19]** Title [[pdf]](url)'
        head = segs[:start]
        for s in segs[start:]:
            if s.kind in ("link", "tag"):
                break
            head.append(s)
        rest = _plain(segs[len(head) :])
        text = _plain(head)
        lines = [ln for ln in text.split("\n") if ln.strip()]
        text = lines[0] if lines else ""
        rest = "\n".join(lines[1:]) + " " + rest
        if (m := _NICK_LEAD.match(text)) and m["nick"]:
            short = _nick(m["nick"])
            text = text[m.end() :]
        text = text.strip()
        if parse_tag(text) is not None:
            raise NotAnEntry("only a venue tag (a news line)")
        if text.startswith("[") and text.rstrip(" .,").endswith("]"):
            text = text.rstrip(" .,")[1:-1]
        if not tags and (t := _trailing_tag(text)):
            tag, cut = t
            tags.append(tag)
            text = text[:cut]
            evidence = True
        elif (
            not tags and (found_tag := find_tag(text)) and text[: found_tag[1]].rstrip().endswith((".", ",", " -", "("))
        ):
            tags.append(found_tag[0])  # 'Title. ACM MM 2020 workshop.'
            text = text[: found_tag[1]].rstrip(" (")
            evidence = True
        title = text.strip(_SEPARATORS + "[]")
    title = clean_spaces(title or "").strip(" -–—|,;:")
    if title.startswith("[") and title.endswith("]"):
        title = title[1:-1].strip()
    # a trailing (NICK) the list adds after the title
    if (m := _NICK_TRAIL.search(title)) and re.search(r"[A-Z]", m["nick"]) and " " in title[: m.start()]:
        short = short or m["nick"]
        title = title[: m.start()].rstrip()
    if not tags and (in_rest := find_tag(rest)):
        tags.append(in_rest[0])
        evidence = True
    if not evidence:
        raise NotAnEntry("no paper link, venue or year")
    if not title or not re.search(r"[^\W\d_]", title):
        raise Unreadable("no title found")
    if len(title.split()) > 40:
        raise Unreadable("no title found (the text is a paragraph, not a title)")
    if parse_tag(title) is not None:
        raise Unreadable("only a venue tag, no title")
    venue = next((t.venue for t in tags if t.venue), None)
    year = next((t.year for t in tags if t.year), None)
    if details.get("venue") or details.get("conference") or details.get("journal"):
        venue = venue or (details.get("venue") or details.get("conference") or details.get("journal"))
    if year is None and (y := details.get("year")) and re.fullmatch(r"\d{4}", y.strip()):
        year = int(y)
    for url in re.findall(r"https?://\S+", details.get("code", "")):
        _add_link(links, "code", url.rstrip(").,"), "Code", problems)
    return Entry(
        title=repair(title),
        short_name=repair(short) if short else None,
        venue=repair(clean_spaces(venue)) if venue else None,
        year=year,
        authors=repair(authors) if authors else None,
        links=links,
        datasets=[d.strip() for d in re.split(r"[,;]", details.get("datasets", "")) if d.strip()],
        summary=details.get("summary"),
        abstract=details.get("abstract"),
        problems=problems,
    )


def _add_link(links: list[LinkRecord], label: str, href: str, role: str, problems: list[str]) -> None:
    if link := make_link(label, href, problems, role):
        links.append(link)


def _title_like(text: str) -> bool:
    """Text that can be a title: a letter in it, not a bare URL, not a role word, not a tag."""
    text = text.strip()
    if not re.search(r"[^\W\d_]", text) or re.match(r"https?://", text):
        return False
    return link_role_label(text) is None and parse_tag(text) is None


def _plain(segs: list[Seg]) -> str:
    return "".join("\n" if s.kind == "br" else s.text for s in segs if s.kind != "tag")


def _nick(text: str) -> str | None:
    nick = clean_spaces(text).strip(" :：[]()'\"*_")
    if not nick or len(nick) > 40 or nick.islower():
        return None  # '[survey]', '[code]' are labels, not names
    return nick


def _trailing_tag(text: str) -> tuple[Tag, int] | None:
    """', J. Image, 2018.' / '. ICME 2019.' / ' (WACV 2023)' at the end of a text title, and where
    the title ends.  No regular expression spans the text: a tag is short, and this must stay
    linear in the text's length (spaces, brackets)."""
    stripped = text.rstrip(" \t.)")
    m = re.search(rf"(?:{_YEAR4}|{_YEAR_APOS})$", stripped[-8:])
    if not m:
        return None
    year_start = len(stripped) - len(stripped[-8:]) + m.start()
    window_start = max(0, year_start - 60)
    window = stripped[window_start:year_start]
    cut = max(window.rfind(sep) for sep in (", ", ". ", " - ", " (", " – ", " — "))
    if cut < 0:
        last = window.rstrip().rsplit(" ", 1)  # 'Title CVPR 2020': an acronym right before the year
        if len(last) < 2 or not re.fullmatch(r"[A-Z][A-Z0-9&\-]{1,15}", last[1]):
            return None
        cut = len(last[0])
    sep_end = (
        cut + 2
        if window[cut : cut + 2] in (", ", ". ", " (")
        else cut + 3
        if window[cut : cut + 3] in (" - ", " – ", " — ")
        else cut + 1
    )
    tag = parse_tag(window[sep_end:] + stripped[year_start:])
    if tag is None:
        return None
    title_end = window_start + cut
    # 'J. Image, 2018': the comma split the venue from its year; the venue is the part before it
    if tag.venue is None and window[cut : cut + 2] == ", ":
        before = window[:cut]
        sep = max(
            before.rfind(", "),
            before.rfind(". ") if not re.search(r"(?:^| )[A-Z]\.$", before[: before.rfind(". ") + 1]) else -1,
        )
        venue = before[sep + 2 :] if sep >= 0 else ""
        if re.fullmatch(r"[A-Z][\w. &\-]{0,30}", venue):
            return Tag(venue.strip(" ."), tag.year), window_start + sep
    return tag, title_end


def _citation_authors(lead: str) -> str | None:
    """'Lee, Kimin, et al.' -> 'Kimin Lee, et al.'; 'Chalapathy, Raghavendra, and Sanjay Chawla'
    -> 'Raghavendra Chalapathy, and Sanjay Chawla'."""
    lead = clean_spaces(lead).strip(" .,")
    if not lead:
        return None
    parts = [p.strip() for p in lead.split(",")]
    if (
        len(parts) >= 2
        and re.fullmatch(r"[^\W\d_][\w'\-]*", parts[0])
        and re.fullmatch(r"(?!and\b|et al)[^\W\d_][\w.'\-]*(?: [^\W\d_][\w.'\-]*)?", parts[1])
    ):
        parts = [f"{parts[1]} {parts[0]}", *parts[2:]]
    return ", ".join(p for p in parts if p)


def _citation_venue(rest: str) -> Tag | None:
    """The venue and year after a citation's quoted title: '. ICLR 2017 ', ' arXiv preprint
    arXiv:1901.03407 (2019)', ' International Conference on … Springer, Cham, 2019'."""
    text = rest.split("|")[0].split("\n")[0]
    years = list(re.finditer(r"(?<![\d.:])" + _YEAR4 + r"(?![\d.])", text))
    if not years:
        return None
    y = years[-1]
    venue = clean_spaces(text[: y.start()]).strip(" .,;:()-")
    if re.match(r"arxiv\b", venue, re.IGNORECASE):
        venue = "arXiv"
    return Tag(venue or None, int(y.group(0)))
