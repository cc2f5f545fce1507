"""Reader for diaoquesang's "Paper List for Medical Anomaly Detection" (dialect ``diaoquesang-md``).

One entry looks like this (the blank lines and the figure between the parts vary)::

    - *[[NeurIPS 2022]](https://…Conference.pdf) **A Unified Model for …** [:octocat:](https://…)

      *You, Zhiyuan and Cui, Lei and Shen, Yujun and …*

    <div align="center"><img src="…"></div>

    <details close>
    <summary><b>📋 Abstract (Click to Expand)</b></summary>
    Despite the rapid advance of unsupervised anomaly detection, …
    </details>

* the bullet may be ``-``, ``*`` or ``+``;
* a leading ``*`` before the tag marks a non-medical paper (domain ``general``, else ``medical``);
* the tag gives venue and year (``MedIA 2023``, ``Nature Communications 2025``); its link is the
  paper, ``[:octocat:](url)`` the official code;
* the italic line is a BibTeX-style author list, kept as written (LaTeX accents included);
* sections are ``##`` headings such as ``🕒 3. AE-Based Approaches <div id = "s5"></div>``;
  the ``#`` heading is the list's title, not a section.

Bullets without a ``[[VENUE YEAR]](url)`` tag (table of contents, the Tips legend) are not papers.

The underscore helpers in the first part (``_scan``, ``_next_line``, ``_paper``,
``_section_title``) are shared with :mod:`adbib.readers.diaoquesang_text`, the same list saved as
rendered plain text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from adbib.normalize.ids import make_link
from adbib.normalize.text import clean_spaces, repair
from adbib.records import LinkRecord, PaperRecord, ParseFailure, ParseResult

# ------------------------------------------------------------------------------------------------
# Shared with diaoquesang_text

#: ``heading_of(line)`` -> (level, section title) when the line is a heading; an empty title
#: closes deeper sections without opening one of its own.
_HeadingOf = Callable[[str], tuple[int, str] | None]
#: ``parse_entry(lines, i)`` -> None when line i does not start an entry, else the record (or
#: the failure) and the index of the first line after the entry.
_ParseEntry = Callable[[list[str], int], tuple[PaperRecord | ParseFailure, int] | None]


def _scan(text: str, heading_of: _HeadingOf, parse_entry: _ParseEntry) -> ParseResult:
    """Walk the lines once, tracking the heading path, and collect what ``parse_entry`` finds."""
    lines = text.split("\n")  # not splitlines(): a U+2028 in an abstract is no line break
    result = ParseResult()
    path: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        heading = heading_of(lines[i])
        if heading is not None:
            path = [h for h in path if h[0] < heading[0]] + [heading]
            i += 1
            continue
        found = parse_entry(lines, i)
        if found is None:
            i += 1
            continue
        item, i = found
        if isinstance(item, ParseFailure):
            result.failures.append(item)
            continue
        item.headings = [title for _, title in path if title]
        item.section = item.headings[-1] if item.headings else None
        result.records.append(item)
    return result


def _next_line(lines: list[str], j: int, extract: Callable[[str], str | None]) -> tuple[str | None, int]:
    """What ``extract`` finds in the next non-blank line from ``j``, and the index after that
    line (``j`` itself when it finds nothing)."""
    k = j
    while k < len(lines) and not lines[k].strip():
        k += 1
    value = extract(lines[k].rstrip()) if k < len(lines) else None
    return (value, k + 1) if value is not None else (None, j)


_TAG = re.compile(r"(?P<venue>.*?)(?:(?:^|\s+)(?P<year>(?:19|20)\d\d))?")


def _paper(
    lines: list[str],
    start: int,
    end: int,
    *,
    star: bool,
    tag: str,
    title: str,
    authors: str | None,
    abstract: str | None,
    links: list[LinkRecord],
    problems: list[str],
) -> PaperRecord:
    """The record of the entry spanning ``lines[start:end]``; values are repaired here."""
    m = _TAG.fullmatch(clean_spaces(tag))
    assert m is not None  # both groups may be empty: the pattern matches any one-line text
    return PaperRecord(
        title=repair(clean_spaces(title)),
        line=start + 1,
        raw="\n".join(lines[start:end]),
        year=int(m["year"]) if m["year"] else None,
        venue_raw=repair(m["venue"]) or None,
        authors_raw=repair(clean_spaces(authors)) if authors else None,
        abstract=repair(clean_spaces(abstract)) if abstract and abstract.strip() else None,
        links=links,
        domain="general" if star else "medical",
        problems=problems,
    )


_NUMBERING = re.compile(r"\d+(?:\.\d+)*\.?\s+")
_HTML_TAG = re.compile(r"<[^>]*>")


def _section_title(heading: str) -> str:
    """'🕒 3. AE-Based Approaches <div id = "s5"></div>' -> 'AE-Based Approaches'."""
    text = repair(_HTML_TAG.sub("", heading)).strip()
    # emoji with their variation selectors and joiners: symbols, marks, separators, format chars
    while text and unicodedata.category(text[0])[0] in "SMZC":
        text = text[1:]
    return clean_spaces(_NUMBERING.sub("", text, count=1))


# ------------------------------------------------------------------------------------------------
# The markdown dialect

_HEADING = re.compile(r"(#{1,6})\s+(.*?)(?:\s+#+)?\s*")
# The bullet may be any of CommonMark's three markers (``-``, ``*``, ``+``); the ``*`` that marks a
# non-medical paper is the one written right before ``[[`` (``* *[[NeurIPS 2022]](…)``).
_ENTRY_START = re.compile(r"[-*+]\s+\*?\[\[")  # an entry, or a broken attempt at one, starts so
_URL = r"(?:[^()]|\([^()]*\))*"  # a link target; may hold balanced parentheses, as in CommonMark
_ENTRY = re.compile(
    r"[-*+]\s+(?P<star>\*)?"
    rf"\[\[(?P<tag>[^\[\]]*)\]\]\((?P<url>{_URL})\)"
    r"\s*\*\*(?P<title>.+?)\*\*(?P<rest>.*)"
)
# Links are flat ``[label](url)``.  A regex rather than markdown-it: markdown-it refuses a URL with
# a space inside and would drop it silently, where check_url() reports it.
_LINK = re.compile(rf"\[(?P<label>[^\[\]]*)\]\((?P<url>{_URL})\)")
_BULLET = re.compile(r"[-*+]\s")
_AUTHORS = re.compile(r"\*(?P<authors>[^*].*?)\*")
_DETECT = re.compile(r"^[-*+]\s+\*?\[\[[^\[\]\n]+\]\]\(", re.M)


def detect(text: str) -> bool:
    """True when a bullet opens with a ``[[VENUE YEAR]](url)`` tag (first 64 KiB)."""
    return _DETECT.search(text, 0, 65536) is not None


def read(text: str) -> ParseResult:
    return _scan(text, _heading, _entry)


def _heading(line: str) -> tuple[int, str] | None:
    m = _HEADING_MARK.match(line.rstrip())
    if m is None:
        return None
    level = len(m[1])
    return level, "" if level == 1 else _section_title(
        _heading_text(line.rstrip()[m.end() :])
    )  # H1 is the list's title


# `#{1,6}` and one space; the text is found without a regex: `\s+(.*?)(?:\s+#+)?\s*` backtracked
# quadratically on a long run of spaces (found by the fuzz campaign: 290k characters, minutes)
_HEADING_MARK = re.compile(r"(#{1,6})\s")


def _heading_text(rest: str) -> str:
    """A heading's text: an optional closing run of ``#`` after a space dropped, spaces stripped."""
    rest = rest.strip()
    stripped = rest.rstrip("#")
    if stripped != rest and stripped and stripped[-1].isspace():
        rest = stripped
    return rest.strip()


def _entry(lines: list[str], i: int) -> tuple[PaperRecord | ParseFailure, int] | None:
    line = lines[i].rstrip()
    if not _ENTRY_START.match(line):
        return None
    m = _ENTRY.fullmatch(line)
    if m is None or not m["title"].strip():
        reason = "entry without a [[VENUE YEAR]](url) tag and a **title**"
        return ParseFailure(i + 1, reason, line), i + 1
    problems: list[str] = []
    found = [(m["tag"], m["url"], "Paper")]  # the tag's link is the paper
    found += [(lm["label"], lm["url"], lm["label"]) for lm in _LINK.finditer(m["rest"])]
    links = [link for args in found if (link := make_link(*args[:2], problems, args[2]))]
    if leftover := _LINK.sub("", m["rest"]).strip():
        problems.append(f"unreadable text after the title {leftover!r}")
    authors, end = _next_line(lines, i + 1, _authors)
    abstract, end = _abstract(lines, end, problems)
    record = _paper(
        lines,
        i,
        end,
        star=bool(m["star"]),
        tag=m["tag"],
        title=m["title"],
        authors=authors,
        abstract=abstract,
        links=links,
        problems=problems,
    )
    return record, end


def _authors(line: str) -> str | None:
    """The author list of the italic line ``  *Cai, Yu and Chen, Hao*``."""
    m = _AUTHORS.fullmatch(line.strip())
    return m["authors"] if m else None


def _ends_entry(line: str) -> bool:
    return _BULLET.match(line) is not None or _HEADING.fullmatch(line.rstrip()) is not None


def _abstract(lines: list[str], j: int, problems: list[str]) -> tuple[str | None, int]:
    """The text after ``<summary>…</summary>`` in the ``<details>`` block that follows the entry
    (searched up to the next bullet or heading), and the index after what was read."""
    k = j
    while k < len(lines) and not _ends_entry(lines[k]) and "</summary>" not in lines[k]:
        k += 1
    if k == len(lines) or "</summary>" not in lines[k]:
        return None, j
    parts = [lines[k].split("</summary>", 1)[1]]
    while "</details>" not in parts[-1]:
        k += 1
        if k == len(lines) or _ends_entry(lines[k]):
            problems.append("abstract: <details> block is not closed")
            return " ".join(parts), k
        parts.append(lines[k])
    parts[-1] = parts[-1].split("</details>", 1)[0]
    return " ".join(parts), k + 1
