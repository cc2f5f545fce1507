"""Reader for MedAIerHHL's "Awesome Medical Image Anomaly Detection" (dialect ``medaierhhl``).

One entry per line::

    - (2024/01/19) Towards Universal Unsupervised Anomaly Detection in Medical Imaging.
      [[MIDL](http://arxiv.org/abs/2401.10637)][[code](https://github.com/ci-ber/RA)][[中文](…)]

(all on one line in the file).  The bullet may be ``-``, ``*`` or ``+`` (CommonMark's three
markers): the list's later revisions write new entries with ``*``.

* the date is the arXiv / "available online" date, not the publication year: it goes to ``date``
  (ISO form) and ``year`` stays None — normalize derives a fallback year from it;
* the title ends with a period, which is not part of it;
* the first link's text is the venue, except ``arxiv`` (an arXiv preprint: venue ``arXiv``) and
  ``paper`` (venue unknown);
* a link's role comes from its label when the label names one (``code``, ``arxiv``), otherwise
  from its URL (doi.org -> ``doi``, arxiv.org -> ``arxiv``, else ``paper``);
* ``中文`` links point to a machine translation of the paper, not to the paper: they are dropped;
* the list has no sections and is all medical imaging.

The introduction (project links, "Last updated", the time recording principle) is not papers.
"""

from __future__ import annotations

import datetime as dt
import re

from adbib.normalize.ids import make_link
from adbib.normalize.text import clean_spaces, repair
from adbib.records import PaperRecord, ParseFailure, ParseResult

# The bullet may be any of CommonMark's three markers: later revisions write ``*`` bullets.
_ENTRY_START = re.compile(r"[-*+]\s+\(\d")  # an entry, or a broken attempt at one, starts so
_ENTRY = re.compile(
    r"[-*+]\s+\((?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})\)\s+(?P<title>.*?)(?P<links>\[\[.*)?"  # no \s* between: quadratic on long runs of spaces
)
# Links are flat ``[label](url)``; a URL may hold balanced parentheses, as in CommonMark.  A regex
# rather than markdown-it: markdown-it refuses a URL with a space inside and would drop it
# silently, where check_url() reports it.
_LINK = re.compile(r"\[(?P<label>[^\[\]]*)\]\((?P<url>(?:[^()]|\([^()]*\))*)\)")
_TRANSLATION_LABELS = frozenset({"中文"})
_NO_VENUE_LABELS = frozenset({"paper"})
_DETECT = re.compile(r"^[-*+]\s+\(\d{4}/\d{1,2}/\d{1,2}\)\s.*\[\[[^\[\]\n]*\]\(", re.M)


def detect(text: str) -> bool:
    """True when a ``- (YYYY/MM/DD) Title. [[label](url)]`` line (any bullet marker) appears
    (first 64 KiB)."""
    return _DETECT.search(text, 0, 65536) is not None


def read(text: str) -> ParseResult:
    result = ParseResult()
    for i, line in enumerate(text.split("\n")):
        line = line.rstrip()
        if not _ENTRY_START.match(line):
            continue
        m = _ENTRY.fullmatch(line)
        title = _title(m["title"]) if m else ""
        if m and title:
            result.records.append(_record(m, title, i + 1, line))
        else:
            reason = "entry without a (YYYY/MM/DD) date and a title"
            result.failures.append(ParseFailure(i + 1, reason, line))
    return result


def _title(text: str) -> str:
    """'Towards Universal … in Medical Imaging.' -> the title without its closing period."""
    return repair(clean_spaces(text).removesuffix("."))


def _record(m: re.Match[str], title: str, line_no: int, raw: str) -> PaperRecord:
    problems: list[str] = []
    date = _iso_date(m["y"], m["m"], m["d"], problems)
    markup = m["links"] or ""
    found = list(_LINK.finditer(markup))
    if leftover := _LINK.sub("", markup).strip("[] "):
        problems.append(f"unreadable link markup {leftover!r}")
    links = [
        link
        for lm in found
        if lm["label"].strip() not in _TRANSLATION_LABELS and (link := make_link(lm["label"], lm["url"], problems))
    ]
    return PaperRecord(
        title=title,
        line=line_no,
        raw=raw,
        date=date,
        venue_raw=_venue(found[0]["label"]) if found else None,
        links=links,
        domain="medical",
        problems=problems,
    )


def _iso_date(y: str, m: str, d: str, problems: list[str]) -> str | None:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        problems.append(f"not a date: {y}/{m}/{d}")
        return None


def _venue(label: str) -> str | None:
    """The venue the first link's label names: 'MIDL', 'arxiv' -> 'arXiv', 'paper' -> None."""
    label = repair(label.strip())
    if label.casefold() == "arxiv":
        return "arXiv"
    return None if label.casefold() in _NO_VENUE_LABELS else label or None
