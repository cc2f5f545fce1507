"""The fast paths of reading and normalizing give exactly what the slow ones they stand in for give.

Each is compared with its reference on tricky values (accents, LaTeX, mojibake, braces, odd
whitespace) with exact expected values, and on generated ones:

- ``clean_spaces`` splits with ``str.split()`` instead of ``re.sub(r"\\s+", ...)``: both must
  treat the same characters as whitespace;
- ``split_persons`` splits an author list without braces or backslashes with one regex instead of
  bibtexparser's character-by-character splitter;
- ``revisions._repo_matches`` tries the repository pattern only where a ``.com/`` is, instead of
  ``_REPO.findall`` over the whole text;
- ``names._name_parts`` reads ``Family, Given`` and ``Given Family`` without bibtexparser's parser;
- ``sanitize_record`` returns a record with nothing to clean without building its cleaned copy;
- venue and dataset results are cached per vocabulary, and forgotten with it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from unittest import mock

from bibtexparser.middlewares.names import split_multiple_persons_names
from hypothesis import given, settings
from hypothesis import strategies as st

from adbib import limits, normalize
from adbib.importer import revisions
from adbib.normalize import ids, names
from adbib.normalize.names import split_persons
from adbib.normalize.text import clean_spaces
from adbib.records import LinkRecord, PaperRecord


def reference_clean_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- clean_spaces ------------------------------------------------------------------------------


def test_clean_spaces_whitespace_is_that_of_the_regex_for_every_code_point():
    for code in range(sys.maxunicode + 1):
        text = f"a{chr(code)}\u00a0{chr(code)}b"
        assert clean_spaces(text) == reference_clean_spaces(text), hex(code)
        assert clean_spaces(chr(code)) == reference_clean_spaces(chr(code)), hex(code)


def test_clean_spaces_on_tricky_values():
    cases = {
        "  M\u00fcller,\u2003 Klaus\u2028Robert \x1c ": "M\u00fcller, Klaus Robert",
        "M\u221a\u00bcller\t\n  and  {\\'e}": "M\u221a\u00bcller and {\\'e}",
        "\u00a0\u3000": "",
        "a\u200bb": "a\u200bb",  # a zero-width space is no whitespace to either
    }
    for text, expected in cases.items():
        assert clean_spaces(text) == expected == reference_clean_spaces(text)


@given(st.text(alphabet=st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\u00a0\u2028\u200bab\u00e9\u221a~{}")))
def test_clean_spaces_matches_the_regex(text):
    assert clean_spaces(text) == reference_clean_spaces(text)


# --- split_persons -----------------------------------------------------------------------------


def test_split_persons_on_tricky_values():
    cases = {
        "M\u00fcller, Klaus-Robert and G\u00f6rnitz, Nico": ["M\u00fcller, Klaus-Robert", "G\u00f6rnitz, Nico"],
        "M\u221a\u00bcller, Tao C. AND Zhang,\tLei\nand\r\nothers": [
            "M\u221a\u00bcller, Tao C.",
            "Zhang,\tLei",
            "others",
        ],
        "Anderson and Andrews and and Sandy": ["Anderson", "Andrews", "and Sandy"],
        "x and  and y": ["x", "and y"],
        "x a and y": ["x a", "y"],
        "Brand\u00a0and\u00a0Land and": ["Brand\u00a0and\u00a0Land and"],  # a no-break space is no separator
        " \t\n ": [],
        # the slow path: braces and backslashes
        'G{\\"o}rnitz, Nico and {MONAI and Friends}': ['G{\\"o}rnitz, Nico', "{MONAI and Friends}"],
        "x \\{and y": ["x", "y"],
        "Gu, C{\\'e}line and Williams, I{\\~n}aki G.": ["Gu, C{\\'e}line", "Williams, I{\\~n}aki G."],
        "{{MONAI} and {Friends}} and {\\c{S}}ahin and{x}": ["{{MONAI} and {Friends}}", "{\\c{S}}ahin and{x}"],
        "a and {b\\} and c": ["a", "{b\\} and c"],  # an escaped brace does not close: unbalanced
        "x and \\'a": ["x", "a"],  # bibtexparser drops an escape that starts a person
        "A {and} B and } C": ["A {and} B and } C"],  # a stray closing brace ends no "and"
        "a } b {c and d": ["a } b {c and d"],  # a stray closing brace, then an open group
        ("Ruff, L. and " * 200) + "{G}": ["Ruff, L."] * 200 + ["{G}"],  # a long list
    }
    for text, expected in cases.items():
        assert split_persons(text) == expected == split_multiple_persons_names(text), text


@settings(max_examples=500)
@given(
    st.text(
        alphabet=st.sampled_from(
            [" ", "\t", "\n", "\r", "\u00a0", "a", "A", "n", "N", "d", "D", "x", "\u00e9", ",", "~"]
        )
    )
)
def test_split_persons_matches_bibtexparser(text):
    assert split_persons(text) == split_multiple_persons_names(text)


@given(
    st.lists(
        st.sampled_from(
            [
                "and",
                "AnD",
                " ",
                "  ",
                "\t",
                "Ruff",
                "L.",
                "{and}",
                "\\'e",
                "{",
                "}",
                "a",
                "{{",
                "}}",
                "\\{",
                "\\}",
                "\\",
            ]
        )
    ).map("".join)
)
def test_split_persons_matches_bibtexparser_with_braces(text):
    assert split_persons(text) == split_multiple_persons_names(text)


# --- revisions._repo_matches ---------------------------------------------------------------------


def test_repo_matches_on_tricky_values():
    text = (
        "[![stars](https://img.shields.io/github/stars/Owner/Repo.svg)](https://GitHub.COM/Owner/Repo.git) "
        "see github.com/a/github.com/x/y and https://www.github.com/M-3LAB/awesome-anomaly-synthesis), "
        "g\u0131thub.com/dotless/i and xgithub.com/q/r gitlab.com/no/no github.com/only-owner"
    )
    expected = [
        ("Owner", "Repo.git"),
        ("a", "github.com"),
        ("M-3LAB", "awesome-anomaly-synthesis"),
        ("dotless", "i"),
        ("q", "r"),
    ]
    assert revisions._repo_matches(text) == expected == revisions._REPO.findall(text)
    assert revisions._repos(text) == {
        "owner/repo",
        "a/github.com",
        "m-3lab/awesome-anomaly-synthesis",
        "dotless/i",
        "q/r",
    }


@settings(max_examples=500)
@given(
    st.lists(
        st.sampled_from(
            [
                "github.com/",
                "GITHUB.COM/",
                "g\u0131thub.com/",
                "https://",
                "www.",
                "a",
                "B-",
                ".",
                "/",
                " ",
                ".com/",
                "\u00e9",
            ]
        )
    ).map("".join)
)
def test_repo_matches_equal_findall(text):
    assert revisions._repo_matches(text) == revisions._REPO.findall(text)


# --- names._name_parts ---------------------------------------------------------------------------


def reference_name_parts(person: str) -> tuple[str, str, str, str]:
    return names._parsed_name_parts.__wrapped__(person)


def test_name_parts_on_tricky_values():
    cases = {
        "M\u00fcller, Klaus-Robert": ("Klaus-Robert", "", "M\u00fcller", ""),
        "M\u221a\u00bcller,  Tao\tC.": ("Tao C.", "", "M\u221a\u00bcller", ""),
        "\u00c7a\u011fr\u0131 Hartmann": ("\u00c7a\u011fr\u0131", "", "Hartmann", ""),
        "Lei\u00a0Wang, Li": ("Li", "", "Lei\u00a0Wang", ""),  # a no-break space joins words
        "van den Hengel, Anton": ("Anton", "van den", "Hengel", ""),  # the slow path: von
        "Ludwig van Beethoven": ("Ludwig", "van", "Beethoven", ""),
        "Beeblebrox, IV, Zaphod": ("Zaphod", "", "Beeblebrox", "IV"),
        "Fauser,": ("", "", "Fauser", ""),
        'G{\\"o}rnitz, Nico': ("Nico", "", "G\u00f6rnitz", ""),
        "Donald~Knuth": ("Donald", "", "Knuth", ""),
        "Knuth, Donald~E.": ("Donald E.", "", "Knuth", ""),  # a tie separates words
    }
    for person, expected in cases.items():
        assert names._name_parts(person) == expected == reference_name_parts(person), person


@settings(max_examples=500)
@given(
    st.lists(
        st.sampled_from(["M\u00fcller", "van", "de", "Li", "L.", ",", " ", "\t", "\u00a0", "Jr", "O'Neil", "-", "~"])
    ).map("".join)
)
def test_name_parts_match_bibtexparser(person):
    assert names._name_parts(person) == reference_name_parts(person)


# --- sanitize_record -----------------------------------------------------------------------------


def slow_sanitize(rec: PaperRecord) -> PaperRecord:
    with mock.patch.object(normalize, "_already_clean", lambda rec: False):
        return normalize.sanitize_record(rec)


def test_a_record_with_nothing_to_clean_is_returned_as_it_is():
    rec = PaperRecord(
        title="D\u00e9j\u00e0 vu: {\\'e}t\u00e9\u2003anomalies",
        line=3,
        raw="@misc{x,\n\ttitle = {\u202eevil}}",  # raw is never cleaned
        authors_raw="M\u221a\u00bcller, Tao",
        abstract="line one\nline two",
        links=[LinkRecord("code", "https://github.com/a/b", "code")],
        datasets_raw=["MVTec AD"],
        fields={"pages": "1-2"},
        problems=["year 'x' is not a year"],
    )
    assert normalize._already_clean(rec)
    assert normalize.sanitize_record(rec) is rec
    assert slow_sanitize(rec) is rec


def test_a_record_with_something_to_clean_takes_the_slow_path():
    base = PaperRecord(title="Title", line=1, raw="")
    cases = [
        replace(base, title="Ti\x1b[31mtle"),
        replace(base, abstract="a\u202eb"),
        replace(base, summary="one\ntwo"),  # a line break outside the abstract
        replace(base, links=[LinkRecord("paper", "https://x.org/\x00", "")]),
        replace(base, links=[LinkRecord("paper", None, "")]),  # type: ignore[arg-type]
        replace(base, datasets_raw=["A\tB"]),
        replace(base, headings=["H\x07"]),
        replace(base, fields={"note": "x" * (limits.MAX_FIELD + 1)}),
        replace(base, fields={"note": None}),  # type: ignore[dict-item]
        replace(base, authors_raw="a" * (limits.MAX_LONG_FIELD + 1)),
        replace(base, problems=["bad \x1b]0;title\x07"]),
        replace(base, venue_raw="MIC\u202eCAI"),
        replace(base, date="2024\n"),
        replace(base, section="S\x85"),
        replace(base, short_name="\x7fN"),
        replace(base, authors_raw="A\tB"),
        replace(base, abstract="x" * (limits.MAX_LONG_FIELD + 1)),
        replace(base, links=[LinkRecord("paper", "https://x.org/", "l\u2066")]),
    ]
    for rec in cases:
        assert not normalize._already_clean(rec), rec
        cleaned = normalize.sanitize_record(rec)
        assert cleaned == slow_sanitize(rec) != rec
    assert normalize.sanitize_record(cases[0]).title == "Title"
    assert normalize.sanitize_record(cases[3]).links == [LinkRecord("paper", "https://x.org/", "")]


# --- per_vocabulary caches -------------------------------------------------------------------------


def test_vocabulary_caches_are_forgotten_with_the_vocabulary(monkeypatch):
    from adbib.normalize import datasets, venues

    assert venues.open_venue("MICCAI").known
    assert datasets.resolve_dataset("BRATS17") == ("BraTS 2017", "BraTS")
    monkeypatch.setattr(venues, "_vocabulary", lambda: ((), {}))
    known, index = (), {}
    monkeypatch.setattr(datasets, "_vocabulary", lambda: (known, index))
    assert not venues.open_venue("MICCAI").known
    assert datasets.resolve_dataset("BRATS17") == ("BRATS17", "BRATS17")
    assert not datasets.is_known("BRATS17")
    monkeypatch.undo()
    assert venues.open_venue("MICCAI").known
    assert datasets.is_known("BRATS17")


# --- ids.check_url and ids.doi_from_url ----------------------------------------------------------

URL_PIECES = [
    "http://", "HTTPS://", "ftp://", "javascript:", "doi.org", "dx.DOI.org", "link.springer.com", "dl.acm.org",
    "github.com", "/", "/chapter/", "/doi/abs/", "10.1007/978-3-030", "?utm_source=x", "?tab=readme", "#readme",
    "&", "=", " ", "\t", "\n", "[::1]", ".", "a", "\u00e9", "%20", "lin\u212a.springer.com", "\u0130",
]  # fmt: skip


def checked_or_error(check, url):
    try:
        return check(url)
    except ids.BadLink as e:
        return f"BadLink: {e}"


def test_check_url_and_doi_from_url_on_tricky_values():
    cases = {
        "https://doi.org/10.1016/J.MEDIA.2023.102967": (
            "https://doi.org/10.1016/J.MEDIA.2023.102967",
            "10.1016/j.media.2023.102967",
        ),
        "https://dl.acm.org/doi/abs/10.1145/3394486.3403392": (
            "https://dl.acm.org/doi/abs/10.1145/3394486.3403392",
            "10.1145/3394486.3403392",
        ),
        "https://lin\u212a.springer.com/chapter/10.1007/978-3-030-00934-2_1": (
            "https://lin\u212a.springer.com/chapter/10.1007/978-3-030-00934-2_1",
            "10.1007/978-3-030-00934-2_1",  # the Kelvin sign lowercases to k
        ),
        " https://github.com/a/b?tab=readme-ov-file#readme ": ("https://github.com/a/b", None),
        "https://do\ti.org/10.1000/x": ("BadLink: space inside URL 'https://do\\ti.org/10.1000/x'", "10.1000/x"),
        "https://M\u00fcller.de/paper": ("https://M\u00fcller.de/paper", None),
        "http://[::1/x": ("BadLink: malformed URL 'http://[::1/x' (Invalid IPv6 URL)", None),
        "https://x.org/p?utm_source=x&a=1": ("https://x.org/p?a=1", None),
        "https://github.com/a/b#readme": ("https://github.com/a/b", None),
        "HTTP://Doi.Org/10.1000/X.": ("HTTP://Doi.Org/10.1000/X.", "10.1000/x"),
    }
    for url, (checked, doi) in cases.items():
        assert checked_or_error(ids.check_url, url) == checked == checked_or_error(ids._checked_url, url), url
        assert ids.doi_from_url(url) == doi


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(URL_PIECES)).map("".join))
def test_check_url_fast_path_equals_the_slow_one(url):
    assert checked_or_error(ids.check_url, url) == checked_or_error(ids._checked_url, url)


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(URL_PIECES)).map("".join))
def test_doi_from_url_host_test_misses_no_doi(url):
    with mock.patch.object(ids, "_DOI_HOSTS", ("",)):  # every URL "has" a host: always split
        slow = ids.doi_from_url(url)
    assert ids.doi_from_url(url) == slow


@settings(max_examples=1000)
@given(
    st.sampled_from(["http://", "HTTPS://", "https:/", "ftp://", ""]),
    st.lists(st.sampled_from(["doi.org", "github.com", "a", ".", "-", ":80", "@", "[", "\u00e9", " "]), max_size=4),
    st.lists(st.sampled_from(["/", "/10.1000/x", "?utm_source=x", "?tab=1", "&a=1", "#readme", "#x", " ", "\t", "%"])),
)
def test_check_url_fast_path_equals_the_slow_one_on_url_shapes(scheme, host, path):
    url = scheme + "".join(host) + "".join(path)
    assert checked_or_error(ids.check_url, url) == checked_or_error(ids._checked_url, url)


def split_or_error(url):
    try:
        return ids._netloc_and_path(url), None
    except ValueError as e:
        return None, str(e)


def urlsplit_or_error(url):
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        return (parts.netloc, parts.path), None
    except ValueError as e:
        return None, str(e)


def test_netloc_and_path_on_tricky_values():
    cases = {
        "https://GitHub.com/a/b": ("GitHub.com", "/a/b"),
        "HTTP://user@x.org:80": ("user@x.org:80", ""),
        "https://x.org/M\u00fcller/%20(1)": ("x.org", "/M\u00fcller/%20(1)"),
        "https://x.org/a?b#c": ("x.org", "/a"),  # the slow path
        " https://x.org/a": ("x.org", "/a"),
    }
    for url, expected in cases.items():
        assert split_or_error(url) == (expected, None) == urlsplit_or_error(url), url


@settings(max_examples=1000)
@given(
    st.sampled_from(["http://", "HTTPS://", "https:/", "ftp://", ""]),
    st.lists(
        st.sampled_from(["doi.org", "github.com", "a", ".", "-", ":80", "@", "[", "]", "\u00e9", " "]), max_size=4
    ),
    st.lists(st.sampled_from(["/", "/10.1000/x", "?utm_source=x", "#x", " ", "\t", "%", "\u00e9", ":"])),
)
def test_netloc_and_path_equal_urlsplit(scheme, host, path):
    url = scheme + "".join(host) + "".join(path)
    assert split_or_error(url) == urlsplit_or_error(url)


# --- ids.link_key ---------------------------------------------------------------------------------


def reference_link_key(url: str) -> str:
    """link_key as it was: clean_url and urlsplit for every URL."""
    import contextlib
    from urllib.parse import urlsplit

    aid = ids.arxiv_from_url(url)
    if aid:
        return f"arxiv:{aid}"
    with contextlib.suppress(ValueError):
        url = ids.clean_url(url)
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    if host == "github.com":
        path = path.lower().removesuffix(".git")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"


def key_or_error(key, url):
    try:
        return key(url)
    except ValueError as e:
        return f"ValueError: {e}"


def test_link_key_on_tricky_values():
    cases = {
        "https://WWW.GitHub.com/Owner/Repo.git/": "github.com/owner/repo",
        "https://github.com/Owner/Repo?tab=readme-ov-file#readme": "github.com/owner/repo",
        "https://x.org/M\u00fcller/?utm_source=a&b=1": "x.org/M\u00fcller?b=1",
        "http://arxiv.org/pdf/2403.09303v2.pdf": "arxiv:2403.09303",
        "https://Doi.org/10.1000/ABC/": "doi.org/10.1000/ABC",
        "http://[::1/x": "ValueError: Invalid IPv6 URL",
    }
    for url, expected in cases.items():
        assert key_or_error(ids.link_key, url) == expected == key_or_error(reference_link_key, url), url


@settings(max_examples=1000)
@given(
    st.sampled_from(["http://", "HTTPS://", "https:/", "ftp://", ""]),
    st.lists(st.sampled_from(["www.", "github.com", "GitHub.com", "a", ".", ":80", "@", "[", "\u00e9"]), max_size=4),
    st.lists(st.sampled_from(["/", "/Repo", ".git", "?utm_source=x", "?tab=1", "&a=1", "#readme", "#x", " ", "%"])),
)
def test_link_key_fast_path_equals_the_slow_one(scheme, host, path):
    url = scheme + "".join(host) + "".join(path)
    assert key_or_error(ids.link_key, url) == key_or_error(reference_link_key, url)


# ---- files._long_line: looks only at the windows without a newline instead of splitting the file


def _long_line_by_split(text: str, limit: int) -> tuple[int, int] | None:
    for number, line in enumerate(text.split("\n"), 1):
        if len(line) > limit:
            return number, len(line)
    return None


def test_long_line_exact_values():
    from adbib.importer.files import _long_line

    assert _long_line("ab\ncdefgh\nij", 5) == (2, 6)
    assert _long_line("ab\ncdefg\nij", 5) is None  # exactly the limit is allowed
    assert _long_line("abcdefgh", 5) == (1, 8)
    assert _long_line("ab\n\nabcdef", 5) == (3, 6)  # the last line, without a newline after it
    assert _long_line("abcde\n" * 10 + "x" * 9 + "\n" + "y" * 30, 5) == (11, 9)  # the first of two


@settings(max_examples=500)
@given(st.text(alphabet="ab\n", max_size=80), st.integers(min_value=1, max_value=12))
def test_long_line_agrees_with_splitting_the_text(text, limit):
    from adbib.importer.files import _long_line

    assert _long_line(text, limit) == _long_line_by_split(text, limit)
