"""The fast paths of reading and normalizing give exactly what the slow ones they stand in for give.

Each is compared with its reference on tricky values (accents, LaTeX, mojibake, braces, odd
whitespace) with exact expected values, and on generated ones:

- ``clean_spaces`` splits with ``str.split()`` instead of ``re.sub(r"\\s+", ...)``: both must
  treat the same characters as whitespace;
- ``split_persons`` splits an author list without braces or backslashes with one regex instead of
  bibtexparser's character-by-character splitter;
- ``revisions._repo_matches`` tries the repository pattern only where a ``.com/`` is, instead of
  ``_REPO.findall`` over the whole text.
"""

from __future__ import annotations

import re
import sys

from bibtexparser.middlewares.names import split_multiple_persons_names
from hypothesis import given, settings
from hypothesis import strategies as st

from adbib.importer import revisions
from adbib.normalize.names import split_persons
from adbib.normalize.text import clean_spaces


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
    st.lists(st.sampled_from(["and", "AnD", " ", "  ", "\t", "Ruff", "L.", "{and}", "\\'e", "{", "}", "a"])).map(
        "".join
    )
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
