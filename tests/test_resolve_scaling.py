"""The fuzzy title pass of identity compares a record with a bounded number of stored papers,
however big the database grows (issue 15): its blocks (an author family name and a title end)
hold at most resolve.BLOCK_CAP papers, and a fuller one is split by a longer end — which must not
lose the paper a typo'd title is, even in a crowded block."""

from __future__ import annotations

import random
import statistics

import pytest

from adbib import resolve
from adbib.normalize import normalize_record
from adbib.records import PaperRecord

# a field's titles: a few templates and small pools, so that thousands of titles share their first
# or last 16 characters; and its author names: a few family names on most papers
_ADJ = ("unsupervised", "self supervised", "zero shot", "few shot", "robust", "unified")
_TASK = ("anomaly detection", "anomaly localization", "defect detection", "lesion detection")
_METHOD = ("diffusion models", "normalizing flows", "memory banks", "reverse distillation", "vision transformers")
_COMPONENT = ("learnable prompts", "score matching", "hierarchical memory", "residual learning", "multi scale features")
_OBJECT = ("brain mri", "industrial images", "chest x rays", "surface defects")
_TEMPLATES = (
    "towards {adj} {task} via {method} and {component} in {obj}",
    "{method} with {component} for {adj} {task} in {obj}",
    "rethinking {method} for {adj} {task} in {obj} the role of {component}",
)
_COMMON = ("wang", "zhang", "li", "liu", "chen")
_OTHERS = tuple(f"family{i}" for i in range(200))


def _title(rng: random.Random, i: int) -> str:
    name = f"{rng.choice('abcdefgh')}net{i % 7} " if rng.random() < 0.3 else ""
    slots = {
        "adj": rng.choice(_ADJ),
        "task": rng.choice(_TASK),
        "method": rng.choice(_METHOD),
        "component": rng.choice(_COMPONENT),
        "obj": rng.choice(_OBJECT),
    }
    return name + rng.choice(_TEMPLATES).format(**slots) + f" {i}"  # a number: no two titles alike


def _families(rng: random.Random) -> frozenset[str]:
    return frozenset(
        rng.choice(_COMMON) if rng.random() < 0.5 else rng.choice(_OTHERS) for _ in range(rng.randint(2, 6))
    )


def _import(n: int, measure: tuple[range, ...], seed: int = 15) -> list[list[tuple[int, int]]]:
    """Add n synthetic papers one by one, as an import does; for the records in each of
    ``measure``: (candidates the fuzzy pass compares it with, its family names)."""
    rng = random.Random(seed)
    index = resolve.Index()
    counts: list[list[tuple[int, int]]] = [[] for _ in measure]
    for i in range(n):
        title, fams = _title(rng, i), _families(rng)
        for where, span in zip(counts, measure, strict=True):
            if i in span:
                where.append((len(index.candidates(title, fams)), len(fams)))
        index.add(resolve.Known(i + 1, title, 2015 + i % 11, None, fams))
    return counts


def test_candidates_per_record_do_not_grow_with_the_database():
    small, big = _import(16_000, (range(1_500, 2_000), range(15_500, 16_000)))
    for count, n_families in small + big:  # the hard bound: a block per family and title end
        assert count <= 2 * n_families * resolve.BLOCK_CAP
    mean_small = statistics.mean(c for c, _ in small)
    mean_big = statistics.mean(c for c, _ in big)
    # 8 times the papers: without the cap on blocks a record meets about 8 times the candidates
    assert mean_big <= 1.25 * mean_small, (mean_small, mean_big)


def _paper(title: str, authors: str, year: int = 2023):
    return normalize_record(PaperRecord(title=title, line=1, raw="", year=year, authors_raw=authors))


def _crowded_index(target: str, target_first: bool) -> tuple[resolve.Index, int]:
    """An index where far more than BLOCK_CAP papers of Wang share the target's first 16 and last 16
    characters (titles of the same template), with the target paper added first or last."""
    index = resolve.Index()
    pid = 0
    target_id = -1

    def add(title: str) -> int:
        nonlocal pid
        pid += 1
        index.add(resolve.Known(pid, title, 2023, None, frozenset({"wang", "li"})))
        return pid

    if target_first:
        target_id = add(target)
    for method in _METHOD:
        for component in _COMPONENT:
            for adj in _ADJ:
                for task in _TASK:
                    add(f"towards {adj} {task} via {method} and {component} in brain mri")
    for i in range(300):  # titles that share only the first or only the last end
        add(f"towards unsupervised {_TASK[i % 4]} variant {i} in industrial images")
        add(f"a study {i} of {_METHOD[i % 5]} for lesion detection in brain mri")
    if not target_first:
        target_id = add(target)
    for crowd in (
        [k for k in index.known.values() if k.title_key[:16] == target[:16]],
        [k for k in index.known.values() if k.title_key[-16:] == target[-16:]],
    ):
        assert len(crowd) > 3 * resolve.BLOCK_CAP
    return index, target_id


TARGET = "towards unsupervised anomaly detection via diffusion models and denoising score matching in brain mri"


@pytest.mark.parametrize("target_first", [True, False], ids=["target-oldest", "target-newest"])
@pytest.mark.parametrize(
    "typo",
    [
        # a letter dropped at the end, one changed at the start, one added in the middle, one
        # doubled in the second 16 characters
        TARGET.replace("brain mri", "brain mr"),
        TARGET.replace("towards", "towarts"),
        TARGET.replace("denoising", "denoisings"),
        TARGET.replace("anomaly", "anomally"),
    ],
    ids=["end", "start", "middle", "second-16"],
)
def test_a_typo_finds_its_paper_in_a_crowded_block(target_first, typo):
    index, target_id = _crowded_index(TARGET, target_first)
    p = _paper(typo, "Wei Wang and Jun Li")
    assert p.title_key == typo and p.title_key != TARGET
    assert len(index.candidates(p.title_key, frozenset({"wang", "li"}))) <= 4 * resolve.BLOCK_CAP
    found = index.match(p, frozenset({"wang", "li"}))
    assert (found.id, found.rule) == (target_id, "title~")


def test_a_full_block_at_the_longest_end_keeps_the_oldest_papers():
    """Titles alike in all their 16 × BLOCK_DEPTH first characters: the deepest block is capped,
    whatever order the papers come in."""
    stem = "x" * (resolve.END_CHARS * resolve.BLOCK_DEPTH)
    ids = list(range(1, 3 * resolve.BLOCK_CAP))
    blocks = []
    for order in (ids, ids[::-1]):
        index = resolve.Index()
        for i in order:
            index.add(resolve.Known(i, f"{stem} {i}", 2023, None, frozenset({"wang"})))
        blocks.append(index.candidates(f"{stem} 0", frozenset({"wang"})))
    assert blocks[0] == blocks[1] == set(range(1, resolve.BLOCK_CAP + 1))


def test_blocks_built_on_first_use_are_the_blocks_built_at_once():
    """load_index defers the fuzzy blocks (an import into a big database meets few of its
    families): a family's blocks, built when a record first asks for them, equal the eager ones,
    through an import's interleaved lookups, papers merged under new titles and new papers."""
    import random

    rng = random.Random(7)
    words = [
        "anomaly",
        "detection",
        "diffusion",
        "model",
        "medical",
        "industrial",
        "image",
        "segmentation",
        "unsupervised",
        "learning",
        "via",
        "patch",
        "memory",
        "bank",
        "towards",
        "total",
        "recall",
    ]
    fams = ["wang", "zhang", "li", "chen", "liu", "muller", "smith", "kim"]

    def title() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(3, 9)))

    def families() -> frozenset[str]:
        return frozenset(rng.sample(fams, rng.randint(1, 3)))

    eager, lazy = resolve.Index(), resolve.Index()
    for pid in range(1, 4001):
        k = resolve.Known(pid, title(), 2020, None, families())
        eager.add(k)
        lazy.add(k, defer_blocks=True)
    assert lazy.by_ends == {} and sum(map(len, lazy.pending.values())) > 4000
    for step in range(3000):
        r, fs, t = rng.random(), families(), title()
        if r < 0.5:
            assert lazy.candidates(t, fs) == eager.candidates(t, fs), step
        else:  # a stored paper merged (same title or another, more authors), or a new paper
            pid = rng.randint(1, 4000) if r < 0.8 else 5000 + step
            was = eager.known.get(pid)
            if was is not None and r < 0.65:
                t = was.title_key
            k = resolve.Known(pid, t, 2021, None, fs.union(was.families) if was else fs)
            eager.add(k)
            lazy.add(k)
    for fam in list(lazy.pending):
        lazy._built(fam)
    assert lazy.by_ends == eager.by_ends


@pytest.mark.parametrize("spill_at", [10**9, 0], ids=["dicts", "spilled"])
def test_the_fuzzy_pass_reads_only_titles_whose_length_allows_a_match(spill_at):
    """A record meets every paper of its blocks, but the titles read (``titles_near``) are those
    whose length leaves a ratio of 95 possible: of 31 stored titles sharing the record's author
    and first 16 characters, the one of 19 characters for a record of 21 (two letters added: a
    ratio of exactly 95, the limit, and found) and not the 30 of 26 characters and more."""
    index = resolve.Index(spill_at=spill_at)
    stored = ["anomaly detector" + "xyz", *("anomaly detector" + "s" * k for k in range(10, 40))]
    for pid, title in enumerate(stored, 1):
        index.add(resolve.Known(pid, title, 2023, None, ("wang",)))
    read: list[int] = []
    titles_near = index.known.titles_near

    def spy(ids, *args):
        read.extend(ids)
        return titles_near(ids, *args)

    index.known.titles_near = spy  # type: ignore[method-assign]
    p = _paper("anomaly detectorxyzab", "Wei Wang")
    assert (len(stored[0]), len(p.title_key)) == (19, 21)
    assert index.candidates(p.title_key, frozenset({"wang"})) == set(range(1, 32))
    found = index.match(p, frozenset({"wang"}))
    assert (found.id, found.rule) == (1, "title~")
    assert read == [1]
