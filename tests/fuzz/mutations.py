"""Mutations of real bibliography text, shared by the quick hypothesis tests
(``tests/test_reliability.py``) and the long campaign (``tests/fuzz/campaign.py``).

Every mutator is a pure function ``(text, rng, donor) -> text``: ``rng`` is a seeded
:class:`random.Random` (so a case is replayed from its seed alone) and ``donor`` another corpus
text to splice from.  Standard library only.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Mutator = Callable[[str, random.Random, str], str]

# Characters that open, close or quote something in one of the dialects.
SYNTAX = "[](){}<>\"'`*_#|@%\\,=~$&:"
# Code points readers split lines on, or that tend to surprise text handling.
ODD_CHARS = (
    "\x00",
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u200b",
    "\u202e",
    "\u0301",
    "\ufffd",
    "\uffff",
    "\U0001f4cb",
    "⭐",
    "•",
    "√",
    "‚",
    "Ã©",
    "\t",
)


def _pos(text: str, rng: random.Random) -> int:
    return rng.randrange(len(text) + 1)


def _span(text: str, rng: random.Random, longest: int = 400) -> tuple[int, int]:
    start = _pos(text, rng)
    return start, min(len(text), start + rng.randrange(longest + 1))


def _insert_many(text: str, rng: random.Random, pieces: list[str]) -> str:
    """Insert each piece at its own random position (one pass, positions in the original text)."""
    cuts = sorted(_pos(text, rng) for _ in pieces)
    out, last = [], 0
    for cut, piece in zip(cuts, pieces, strict=False):
        out += [text[last:cut], piece]
        last = cut
    out.append(text[last:])
    return "".join(out)


def truncate(text: str, rng: random.Random, donor: str) -> str:
    """The file cut off anywhere (an entry truncated mid-way)."""
    return text[: _pos(text, rng)]


def cut_span(text: str, rng: random.Random, donor: str) -> str:
    """A piece removed from the middle (half an entry, a closing bracket, a header line)."""
    start, end = _span(text, rng)
    return text[:start] + text[end:]


def random_bytes(text: str, rng: random.Random, donor: str) -> str:
    """A span replaced by random bytes, decoded as adbib would (UTF-8, else cp1252)."""
    start, end = _span(text, rng, 64)
    data = rng.randbytes(rng.randrange(1, 256))
    encoding = rng.choice(("utf-8", "cp1252", "latin-1"))
    return text[:start] + data.decode(encoding, errors="replace") + text[end:]


def wrong_encoding(text: str, rng: random.Random, donor: str) -> str:
    """The whole text encoded one way and read another (mojibake, UTF-16 zero bytes)."""
    encode, decode = rng.choice(
        (
            ("utf-8", "cp1252"),
            ("utf-8", "latin-1"),
            ("utf-16", "latin-1"),
            ("cp1252", "utf-8"),
            ("utf-8", "mac_roman"),
            ("utf-16-le", "utf-8"),
        )
    )
    return text.encode(encode, errors="replace").decode(decode, errors="replace")


def syntax_noise(text: str, rng: random.Random, donor: str) -> str:
    """Unbalanced brackets, braces, quotes and markup characters sprinkled in."""
    return _insert_many(text, rng, [rng.choice(SYNTAX) * rng.randrange(1, 4) for _ in range(rng.randrange(1, 40))])


def drop_syntax(text: str, rng: random.Random, donor: str) -> str:
    """Some brackets, braces and quotes removed (the partner left alone)."""
    keep = rng.random()
    return "".join(c for c in text if c not in SYNTAX or rng.random() < keep)


def huge_line(text: str, rng: random.Random, donor: str, sizes: tuple[int, int] = (20_000, 300_000)) -> str:
    """A line of 20k–300k characters (``sizes``): one character, a syntax run, or a real line repeated."""
    size = rng.randrange(*sizes)
    lines = text.splitlines() or [""]
    unit = rng.choice((rng.choice(SYNTAX), "a", " ", "{", "[", "(", "\\", rng.choice(lines) or "x", "[x](", "{{"))
    line = (unit * (size // max(1, len(unit)) + 1))[:size]
    cut = _pos(text, rng)
    return text[:cut] + rng.choice(("", "\n")) + line + rng.choice(("", "\n")) + text[cut:]


def nul_bytes(text: str, rng: random.Random, donor: str) -> str:
    """NUL characters inside the text."""
    return _insert_many(text, rng, ["\x00" * rng.randrange(1, 5) for _ in range(rng.randrange(1, 10))])


def odd_chars(text: str, rng: random.Random, donor: str) -> str:
    """Line separators, BOMs, controls, combining marks, mojibake fragments."""
    return _insert_many(text, rng, [rng.choice(ODD_CHARS) for _ in range(rng.randrange(1, 30))])


def shuffle_lines(text: str, rng: random.Random, donor: str) -> str:
    """Lines duplicated, dropped or swapped (sub-bullets without a parent, entries out of order)."""
    lines = text.splitlines(keepends=True)
    if len(lines) < 2:
        return text + text
    for _ in range(rng.randrange(1, 20)):
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        op = rng.randrange(3)
        if op == 0:
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 1:
            lines.insert(i, lines[j])
        elif len(lines) > 1:
            del lines[i]
    return "".join(lines)


def splice(text: str, rng: random.Random, donor: str) -> str:
    """A span replaced by a span of another dialect's text."""
    start, end = _span(text, rng)
    d_start, d_end = _span(donor, rng, 2_000)
    return text[:start] + donor[d_start:d_end] + text[end:]


def repeat_block(text: str, rng: random.Random, donor: str) -> str:
    """One piece repeated many times (duplicate keys, the same entry 500 times)."""
    start, end = _span(text, rng, 600)
    return text[:end] + text[start:end] * rng.randrange(2, 500) + text[end:]


def strip_newlines(text: str, rng: random.Random, donor: str) -> str:
    """Line ends removed or changed to CR only."""
    return text.replace("\n", rng.choice(("", " ", "\r")))


MUTATORS: dict[str, Mutator] = {
    f.__name__: f
    for f in (
        truncate,
        cut_span,
        random_bytes,
        wrong_encoding,
        syntax_noise,
        drop_syntax,
        huge_line,
        nul_bytes,
        odd_chars,
        shuffle_lines,
        splice,
        repeat_block,
        strip_newlines,
    )
}


def mutate(text: str, rng: random.Random, donor: str, steps: int) -> tuple[str, list[str]]:
    """``steps`` random mutations in a row; returns the text and the mutators' names."""
    names = []
    for _ in range(steps):
        name = rng.choice(tuple(MUTATORS))
        text = MUTATORS[name](text, rng, donor)
        names.append(name)
    return text, names
