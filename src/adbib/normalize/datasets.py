"""Datasets: canonical names and families from ``data/vocab/datasets.toml``.

Three jobs: split a ``Datasets:`` line into items (:func:`split_dataset_items`), map an item to
its canonical (name, family) (:func:`resolve_dataset`), and find known datasets mentioned in an
abstract (:func:`find_in_text`), conservatively: only spellings the vocabulary marks as safe.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from adbib.normalize.text import clean_spaces
from adbib.normalize.vocab import load, match_key, per_vocabulary
from adbib.records import DOMAINS

IN_HOUSE = ("in-house", "in-house")


@dataclass(frozen=True)
class Dataset:
    name: str  # canonical name: 'BraTS 2021'
    family: str  # benchmark family: 'BraTS'
    aliases: tuple[str, ...] = ()  # further spellings: ('BraTS2021', 'BRATS21', ...)
    text_search: tuple[str, ...] = ()  # spellings looked for in abstracts


# Separators between items: commas, semicolons, "and" (also ", and"), "+" between two names
# ("BTCV+LiTS", not the "+" ending "fastMRI+") -- never inside parentheses.
_SEPARATOR = re.compile(r"(?:\s*(?:[,;]|\+(?=\s*\w))\s*(?:and\s+)?|\s+and\s+)(?![^()]*\))")
_LABEL = re.compile(r"^\s*datasets?\s*:\s*", re.I)
# A period between two items: "DTD-Synthetic. CVC-ClinicDB", "IST-3. LiTS", "Valeo (VAD). VisA".
# Not after a one-letter word (an initial, "e.g."), not before punctuation, never inside
# parentheses.
_ITEM_PERIOD = re.compile(r"(?:(?<=[^\W_]{2})|(?<=[\d)]))\.\s+(?=[^\W_])(?![^()]*\))")
# "Kvasir (Medical)": a name, then one trailing parenthesised tag.
_TAGGED = re.compile(r"(?P<head>.*?\S)\s*\((?P<tag>[^()]*)\)")
_PLAIN_WORDS = re.compile(r"[^\W\d_]+(?:[\s/&-]+[^\W\d_]+)*")  # letters only: no year, no digit
_ACRONYM = re.compile(r"\w*[A-Z]\w*[A-Z]")  # a word with two capitals: VAD, MRI, MVTec
_DOMAIN_KEYS = frozenset(match_key(d) for d in DOMAINS)
_TRAILING_DATASET = re.compile(r"datasets?$")
_IN_HOUSE = re.compile(r"\bin[- ]house\b", re.I)
# Letter and digit runs of a spelling, for the abstract search pattern.
_RUNS = re.compile(r"\d+|[^\W\d_]+")


@cache
def _vocabulary() -> tuple[tuple[Dataset, ...], dict[str, Dataset]]:
    """(datasets in file order, lookup key -> dataset); raises ValueError on a bad vocabulary."""
    datasets: list[Dataset] = []
    index: dict[str, Dataset] = {}
    for entry in load("datasets")["dataset"]:
        name, aliases = entry["name"], tuple(entry.get("aliases", ()))
        search = entry.get("text_search", False)
        if search is True:
            search = (name, *aliases)
        dataset = Dataset(name, entry["family"], aliases, tuple(search or ()))
        datasets.append(dataset)
        for spelling in (name, *aliases):
            other = index.setdefault(match_key(spelling), dataset)
            if other is not dataset:
                raise ValueError(f"datasets.toml: {spelling!r} names both {other.name} and {name}")
    return tuple(datasets), index


def all_datasets() -> list[Dataset]:
    """Every dataset of the vocabulary, in file order."""
    return list(_vocabulary()[0])


def split_dataset_items(items: list[str]) -> list[str]:
    """The single dataset names in a ``Datasets:`` line and its sub-bullets, as written.

    ['MNIST, Fashion-MNIST, and CIFAR-10 '] -> ['MNIST', 'Fashion-MNIST', 'CIFAR-10'];
    ['BMAD, BTCV+LiTS, RESC'] -> ['BMAD', 'BTCV', 'LiTS', 'RESC']; empty items are dropped.

    Items are also separated by a period (['DTD-Synthetic. CVC-ClinicDB'] -> two items), and a
    trailing parenthesised *group tag* is dropped ('Kvasir (Medical)' -> 'Kvasir').  Whatever
    the vocabulary knows is kept whole ('Valeo Anomaly Dataset (VAD)').  A group tag is one
    that names a domain ('(Medical)', '(INDUSTRIAL)'), or one of plain words -- no digit
    ('(2019 TMI)'), no acronym ('(VAD)', '(Brain MRI)'), not 'in-house' -- that tags two or more
    items of the same line ('A (Video), B (Video)') or follows a name the vocabulary knows
    ('MVTec AD (Objects)').  Any other tag stays: an unknown '(Qualifier)' is kept as written.
    """
    parts = [part for item in items for part in _item_parts(item)]
    tags = Counter(_tag_key(m["tag"]) for p in parts if (m := _TAGGED.fullmatch(p)))
    return [_without_group_tag(p, tags) for p in parts]


@per_vocabulary(lambda: _vocabulary()[1])  # dataset lines repeat: 'MVTec AD', 'VisA'
def _item_parts(item: str) -> tuple[str, ...]:
    """The names in one item of a Datasets line, group tags still on."""
    parts: list[str] = []
    # spaces collapsed first: the separator's \s* would be quadratic on a long run of them
    for part in _SEPARATOR.split(_LABEL.sub("", clean_spaces(item))):
        part = clean_spaces(part).strip(" .,;:")
        pieces = [part] if _lookup(part) else _ITEM_PERIOD.split(part)
        for piece in pieces:
            piece = piece.strip(" .,;:")
            if match_key(piece):  # something alphanumeric, not a stray dash
                parts.append(piece)
    return tuple(parts)


def _tag_key(tag: str) -> str:
    return clean_spaces(tag).casefold()


def _without_group_tag(part: str, tags: Counter[str]) -> str:
    """'Kvasir (Medical)' -> 'Kvasir'; any part without a group tag as it is."""
    m = _TAGGED.fullmatch(part)
    if m is None or _lookup(part) is not None:
        return part
    tag = clean_spaces(m["tag"])
    if match_key(tag) in _DOMAIN_KEYS:
        return m["head"]
    if not _PLAIN_WORDS.fullmatch(tag) or _ACRONYM.search(tag) or _IN_HOUSE.search(tag):
        return part
    if tags[_tag_key(tag)] > 1 or _lookup(m["head"]):
        return m["head"]
    return part


def _lookup(text: str) -> Dataset | None:
    """The vocabulary's dataset for one spelling (also tried without a trailing 'dataset')."""
    index = _vocabulary()[1]
    key = match_key(text)
    return index.get(key) or index.get(_TRAILING_DATASET.sub("", key))


@per_vocabulary(lambda: _vocabulary()[1])
def resolve_dataset(raw: str) -> tuple[str, str]:
    """(canonical name, family) of one dataset item; an unknown dataset keeps its cleaned text
    as both.  'BRATS17' -> ('BraTS 2017', 'BraTS'), 'in-house MRI dataset' -> IN_HOUSE."""
    text = clean_spaces(raw).strip(" .,;:")
    dataset = _lookup(text)
    if dataset is not None:
        return dataset.name, dataset.family
    if _IN_HOUSE.search(text):
        return IN_HOUSE
    return text, text


@per_vocabulary(lambda: _vocabulary()[1])
def is_known(raw: str) -> bool:
    """Whether datasets.toml names this item (in-house data counts as known)."""
    text = clean_spaces(raw).strip(" .,;:")
    index = _vocabulary()[1]
    key = match_key(text)
    return key in index or _TRAILING_DATASET.sub("", key) in index or bool(_IN_HOUSE.search(text))


def _spelling_pattern(spelling: str) -> str:
    """'MVTec AD' -> 'MVTec[^0-9A-Za-z]?AD': letter/digit runs with an optional separator
    between them, case-insensitive when the spelling has a digit ('BraTS 2021' ~ 'Brats2021')."""
    body = r"[^0-9A-Za-z]?".join(re.escape(run) for run in _RUNS.findall(spelling))
    return f"(?i:{body})" if _has_digit(spelling) else body


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


@cache
def _text_search() -> tuple[re.Pattern[str], dict[str, Dataset]]:
    """One pattern for every searchable spelling (longest first, so 'MVTec 3D-AD' wins over
    'MVTec'), and the lookup key -> dataset of what it matches."""
    searched = {s: d for d in _vocabulary()[0] for s in d.text_search}
    spellings = sorted(searched, key=lambda s: -len(match_key(s)))
    # A lookahead on the possible first characters spares trying every spelling at every word.
    firsts = {c for s in spellings for c in ((s[0].lower(), s[0].upper()) if _has_digit(s) else s[0])}
    alternatives = "|".join(_spelling_pattern(s) for s in spellings)
    pattern = rf"(?=[{re.escape(''.join(sorted(firsts)))}])(?<![\w-])(?:{alternatives})(?![\w]|-\w)"
    return re.compile(pattern), {match_key(s): d for s, d in searched.items()}


def scan_text(text: str | None) -> list[tuple[Dataset, str]]:
    """Known datasets named in free text, each once, in order of first mention, with the
    spelling found: [(Dataset MVTec AD, 'MVTec-AD'), ...]."""
    if not text:
        return []
    pattern, targets = _text_search()
    found: dict[str, tuple[Dataset, str]] = {}
    for m in pattern.finditer(text):
        dataset = targets[match_key(m.group())]
        found.setdefault(dataset.name, (dataset, m.group()))
    return list(found.values())


def find_in_text(text: str | None) -> list[tuple[str, str]]:
    """(name, family) of the known datasets an abstract mentions, in order of first mention."""
    return [(d.name, d.family) for d, _ in scan_text(text)]
