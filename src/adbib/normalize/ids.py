"""Canonical forms of identifiers and URLs: arXiv ids, DOIs, link validation."""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, unquote, urlsplit

if TYPE_CHECKING:
    from adbib.records import LinkRecord

_ARXIV_NEW = r"(\d{4}\.\d{4,5})(?:v\d+)?"
_ARXIV_OLD = r"([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf|html)/(?:" + _ARXIV_NEW + r"|" + _ARXIV_OLD + r")(?:\.pdf)?", re.I)
_ARXIV_BARE = re.compile(r"^(?:arxiv:\s*)?" + _ARXIV_NEW + r"$", re.I)
_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s]*(?:preprint\s*)?(?:arxiv:)?\s*" + _ARXIV_NEW, re.I)
_DOI = re.compile(r"(10\.\d{4,9}/[^\s\"<>{}]+)")
_DOI_RESOLVER = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/", re.I)
_DOI_LABEL = re.compile(r"^doi:\s*", re.I)
_SPRINGER_PATH = re.compile(r"/(?:chapter|article)/(10\.\d{4,9}/.+)$")
_ACM_PATH = re.compile(r"/doi/(?:abs/|pdf/|full/)?(10\.\d{4,9}/.+)$")


def arxiv_from_url(url: str) -> str | None:
    m = _ARXIV_URL.search(url or "")
    if not m:
        return None
    return m.group(1) or m.group(2)


def normalize_arxiv(value: str | None) -> str | None:
    """'arXiv:2403.09303v2', 'https://arxiv.org/pdf/2403.09303v1.pdf' -> '2403.09303'."""
    if not value:
        return None
    value = value.strip()
    got = arxiv_from_url(value)
    if got:
        return got
    m = _ARXIV_BARE.match(value)
    if m:
        return m.group(1)
    m = _ARXIV_IN_TEXT.search(value)
    if m:
        return m.group(1)
    return None


def normalize_doi(value: str | None) -> str | None:
    """'https://doi.org/10.1016/J.MEDIA.2023.102967' -> '10.1016/j.media.2023.102967'.

    DOIs are case-insensitive; the canonical form is lowercase without resolver prefix.
    """
    if not value:
        return None
    value = unquote(value.strip())
    value = _DOI_RESOLVER.sub("", value)
    value = _DOI_LABEL.sub("", value)
    m = _DOI.search(value)
    if not m:
        return None
    doi = m.group(1).rstrip(".,;)")
    return doi.lower()


_DOI_HOSTS = ("doi.org", "link.springer.com", "dl.acm.org")


def doi_from_url(url: str) -> str | None:
    """DOIs derivable from a URL: doi.org, link.springer.com/chapter|article/10.…, dl.acm.org/doi/10.…"""
    if not url:
        return None
    # The host, lowercased, is a piece of the URL lowercased (unless urlsplit drops a tab or line
    # break from inside it): a URL without any of the hosts is not split at all.
    if "\t" not in url and "\r" not in url and "\n" not in url:
        lowered = url.lower()
        if not any(host in lowered for host in _DOI_HOSTS):
            return None
    try:
        netloc, path = _netloc_and_path(url)
    except ValueError:  # 'Invalid IPv6 URL': no DOI in it
        return None
    host = netloc.lower()
    path = unquote(path)
    if host.endswith("doi.org"):
        return normalize_doi(path.lstrip("/"))
    if host == "link.springer.com":
        m = _SPRINGER_PATH.match(path)
        if m:
            return normalize_doi(m.group(1))
    if host == "dl.acm.org":
        m = _ACM_PATH.match(path)
        if m:
            return normalize_doi(m.group(1))
    return None


_SPACE = re.compile(r"\s")
# A URL that check_url() returns unchanged, told by one regex: http(s), a host of URL characters
# with a dot (no IPv6 brackets), a path without spaces, no query or fragment (which clean_url
# might shorten).  The same pattern as adbib.exporters._PLAIN_URL (tests/test_fast_paths.py).
PLAIN_URL = re.compile(r"(?i:https?)://[A-Za-z0-9._~:@!$&'()*+,;=%-]*\.[A-Za-z0-9._~:@!$&'()*+,;=%-]*(?:/[^\s?#]*)?")


def _netloc_and_path(url: str) -> tuple[str, str]:
    """``urlsplit(url)``'s netloc and path; read off directly for a :data:`PLAIN_URL` (scheme,
    ``://``, a host without ``/ ? #``, then a path without ``? #``), where urlsplit finds the same."""
    if PLAIN_URL.fullmatch(url):
        netloc, slash, path = url.split("://", 1)[1].partition("/")
        return netloc, slash + path
    parts = urlsplit(url)
    return parts.netloc, parts.path


class BadLink(ValueError):
    """A link that cannot be stored as a URL; the message says why."""


def check_url(url: str | None) -> str:
    """Return the URL stripped, or raise BadLink naming what is wrong with it."""
    if url is not None and PLAIN_URL.fullmatch(url):
        return url
    return _checked_url(url)


def _checked_url(url: str | None) -> str:
    """:func:`check_url` without its fast path: urlsplit, then clean_url."""
    if url is None or not url.strip():
        raise BadLink("empty link")
    url = url.strip()
    if _SPACE.search(url):
        raise BadLink(f"space inside URL {url!r}")
    try:
        parts = urlsplit(url)
    except ValueError as e:  # 'Invalid IPv6 URL' and the like
        raise BadLink(f"malformed URL {url!r} ({e})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or "." not in parts.netloc:
        raise BadLink(f"not an http(s) URL: {url!r}")
    return clean_url(url, parts)


# Query parameters that only say where a click came from: never part of what a link points to.
_TRACKING = re.compile(r"utm_\w*|fbclid|gclid|dclid|msclkid|mc_eid|mc_cid|_hsenc|_hsmi|igshid|spm", re.I)
# GitHub's own: which tab of a repository page is open (?tab=readme-ov-file), a link's origin.
_GITHUB_VIEW = re.compile(r"tab|ref_type|source", re.I)


def clean_url(url: str, parts: SplitResult | None = None) -> str:
    """``url`` without tracking: ``utm_*``, ``fbclid``, ``gclid`` … query parameters anywhere;
    on github.com also ``?tab=…`` and, on a repository's front page, the README anchor
    (``#readme``, ``#readme-ov-file``, ``#installation``: the repository is the link).  The rest of
    the URL is kept byte for byte (no re-encoding)."""
    if "?" not in url and "#" not in url:
        return url
    parts = parts or urlsplit(url)
    github = parts.netloc.lower().removeprefix("www.") == "github.com"
    query, fragment = parts.query, parts.fragment
    if query:
        kept = []
        for piece in query.split("&"):
            name = piece.split("=", 1)[0]
            if _TRACKING.fullmatch(name) or (github and _GITHUB_VIEW.fullmatch(name)):
                continue
            kept.append(piece)
        query = "&".join(kept)
    if (
        fragment
        and github
        and (len([s for s in parts.path.split("/") if s]) == 2 or fragment.lower() in ("readme", "readme-ov-file"))
    ):
        fragment = ""
    if (query, fragment) == (parts.query, parts.fragment):
        return url
    base = url.split("#", 1)[0].split("?", 1)[0]
    return base + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")


def link_role(label: str, url: str) -> str:
    """Map a link label ('Paper', 'ArXiv', 'Code', 'Unoff-Code', ':octocat:', 'Dataset & Code',
    'No code, 251128', 'MIDL', 'code', 'arxiv') and its URL to a stored role.

    Raises BadLink when the label contradicts the URL (an 'ArXiv' link to GitHub)."""
    lab = label.strip().lower()
    host = _netloc_and_path(url)[0].lower()
    if lab in ("arxiv",) or lab.startswith("arxiv"):
        if "arxiv.org" not in host:
            raise BadLink(f"link labelled {label!r} points to {host or url!r}, not arXiv")
        return "arxiv"
    if "unoff" in lab:
        return "code-unofficial"
    if lab.startswith("no code"):
        return "project"
    if lab.startswith("dataset"):
        return "dataset"
    if lab in ("code", ":octocat:") or lab.startswith("code"):
        return "code"
    if lab in ("project", "project page", "homepage"):
        return "project"
    if "arxiv.org" in host:
        return "arxiv"
    if host.endswith("doi.org"):
        return "doi"
    return "paper"


def make_link(label: str, url: str | None, problems: list[str], role_label: str | None = None) -> LinkRecord | None:
    """A LinkRecord for a link as a list writes it, or None with the reason appended to
    ``problems`` (empty, not http(s), a space inside, a label contradicting its URL).
    ``role_label`` overrides the label when choosing the role (a venue tag's link is a 'Paper')."""
    from adbib.records import LinkRecord

    try:
        url = check_url(url)
        return LinkRecord(role=link_role(role_label or label, url), url=url, label=label)
    except BadLink as e:
        problems.append(f"link [{label}] not stored: {e}")
        return None


def link_key(url: str) -> str:
    """What makes two URLs the same link: an arXiv id whatever the page (abs, pdf, version),
    GitHub paths case-insensitively, and no trailing slash."""
    aid = arxiv_from_url(url)
    if aid:
        return f"arxiv:{aid}"
    if PLAIN_URL.fullmatch(url):  # clean_url keeps it as it is, and it has no query
        netloc, path, query = *_netloc_and_path(url), ""
    else:
        with contextlib.suppress(ValueError):  # not a URL clean_url can read: compared as it is
            url = clean_url(url)
        parts = urlsplit(url)
        netloc, path, query = parts.netloc, parts.path, parts.query
    host = netloc.lower().removeprefix("www.")
    path = path.rstrip("/")
    if host == "github.com":
        path = path.lower().removesuffix(".git")
    return f"{host}{path}{'?' + query if query else ''}"
