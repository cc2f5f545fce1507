"""A BibTeX file is read from disk in pieces (issue 15): its memory does not grow with its size.

One pass over the bytes finds what needs the whole file (hash, encoding, line count, the
longest-line check, the title line, whether auto-detection is sure), then the text is decoded
again piece by piece for the reader (:func:`adbib.readers.bibtex.iter_read_pieces`).  Whatever
the pieces' sizes — an entry, a multi-byte character, a ``\\r\\n`` split between two — the
records, failures, line numbers, reports and rows are those of the file read whole.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adbib.cli import app
from adbib.importer import files
from adbib.readers import bibtex, decode
from adbib.records import ReaderError
from helpers.dbstate import snapshot

FIXTURES = Path(__file__).parent / "fixtures"

# Everything the chunking must carry over a piece's end: junk between entries, @string,
# @preamble, @comment, % comments, a crossref to a volume that comes later (and one written over
# a line end), a broken entry, CRLF line ends, multi-byte characters.
MIXED = (
    "% a comment line before anything\n"
    "junk between entries, and an @ sign: not a block\n"
    '@string{miccai = "Medical Image Computing and Computer-Assisted Intervention"}\n'
    '@preamble{ "\\newcommand{\\noop}[1]{}" }\n'
    "@comment{ anything {here} }\n"
    "@inproceedings{müller2022, author = {Müller, Jörg and Ødegård, Åse}, title = {Über Anomalien — ein Test 🧪},\n"
    '  booktitle = miccai # " 2022", year = 2022, crossref = {vol2022}}\r\n'
    "\r\n"
    "@article{crlf2023,\r\n  title = {Line ends \\& CRLF},\r\n  year = {2023}, % a trailing comment\r\n"
    "  crossref =\r\n  {VOL2022}\r\n}\r\n"
    "more junk, ünïcödé junk\n"
    "@misc{broken, title = {Never closed\n"
    "@misc{after, title = {After the broken one}, year = {2021}}\n"
    "@proceedings{vol2022, title = {Proceedings of a Volume}, publisher = {Springer}, year = {2022}}\n"
    "@article{notitle, year = {2020}}\n"
    "@article{dup, title = {One}}\n@article{dup, title = {Two}}\n"
    "trailing text without a line end: ✓"
)


def _open(path, dialect=None, columns=None):
    got = files.open_input(path, dialect, columns)
    return got.scan() if isinstance(got, files.Hashed) else got


def _split(text, rnd: random.Random, hi: int):
    i = 0
    while i < len(text):
        n = rnd.randint(1, hi)
        yield text[i : i + n]
        i += n


def _parts(parts):
    return [(p.records, p.failures, p.skipped) for p in parts]


def _texts() -> list[str]:
    fixtures = [
        (FIXTURES / name).read_text(encoding="utf-8")
        for name in ("hazards.bib", "authors.bib", "lists/handmade-bibtex-in-markdown.md")
    ]
    return [MIXED, MIXED.replace("\n", "\r\n"), *fixtures]


@pytest.mark.parametrize("chunk", [1, 2, 7, 2000])
def test_pieces_read_as_the_whole_text(chunk):
    """Pieces of 1 to 100 characters (and one big one) give what the whole text gives, chunk by chunk."""
    for text in _texts():
        want = _parts(bibtex.iter_read(text, chunk))
        assert want and any(p[0] for p in want)
        for seed, hi in [(1, 1), (2, 2), (3, 5), (4, 100), (5, 10**7)]:

            def pieces(seed=seed, hi=hi, text=text):
                return _split(text, random.Random(seed), hi)

            assert _parts(bibtex.iter_read_pieces(pieces, chunk)) == want, (chunk, hi)


def test_chunks_start_at_the_same_block_starts_whatever_the_pieces():
    """The chunker sees a block start only on a complete line: one split after ``@art`` or
    between ``\\r`` and ``\\n`` is found where the whole text has it."""
    text = MIXED + "\n@article{x, title={X}}\n" * 5
    for size in (1, 3):
        want = list(bibtex._chunks([text], size))
        assert len(want) > 5
        for hi in (1, 2, 3, 50):
            assert list(bibtex._chunks(_split(text, random.Random(hi), hi), size)) == want


def test_crossref_targets_as_in_the_whole_text():
    """Also a ``crossref =`` that ends a chunk, its value on the next chunk's first line."""
    import re

    text = MIXED + "@misc{c, crossref =\n@misc(crossref={x}, title={A}}\n@proceedings{x, title={P}}\n"
    whole = {m[1].lower() for m in bibtex._CROSSREF.finditer(text)}
    assert {"vol2022", "@misc(crossref="} <= whole
    for size in (1, 2, 2000):
        for hi in (1, 4, 1000):
            assert bibtex._crossref_targets(lambda hi=hi: _split(text, random.Random(hi), hi), size) == whole
    # "CrossRef" alone is no field: no targets at all, as for the whole text
    assert bibtex._crossref_targets(lambda: iter(["@misc{a, note={CrossRef = {b}}}\n"]), 1) == set()
    assert re.search("rossref|ROSSREF", "CrossRef") is None


# ---------------------------------------------------------------- the file: bytes -> pieces of text

UNICODE_BIB = "@article{ä, title = {Ünïcödé — ✓ 🧪 \u4e2d\u6587}, year = {2024}}\r\n" + "".join(
    f"@misc{{k{i}, title = {{Título {i} ÅØ €}}, author = {{Ødegård, Åse}}}}\r\n" for i in range(40)
)


def _encodings(text: str) -> dict[str, bytes]:
    latin = text.replace("🧪", "").replace("\u4e2d\u6587", "").replace("✓", "").replace("—", "-")
    return {
        "utf-8": text.encode("utf-8"),
        "utf-8-bom": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "utf-16": text.encode("utf-16"),
        "utf-16-le": text.encode("utf-16-le"),
        "utf-16-be": text.encode("utf-16-be"),
        "utf-16-double-bom": ("\ufeff" + text).encode("utf-16"),
        "cp1252": latin.encode("cp1252"),
        "cp1252-late": text.encode("utf-8") + "é at the end\n".encode("cp1252"),  # UTF-8 until its last line
    }


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64, 1 << 20])
def test_a_file_decoded_in_pieces_as_whole(block, tmp_path, monkeypatch):
    """Multi-byte UTF-8 and UTF-16 characters, a byte-order mark and CRLF split between reads:
    the text, its line count, head and first line are those of :func:`decode`."""
    monkeypatch.setattr(files, "BLOCK", block)
    for name, data in _encodings(UNICODE_BIB).items():
        path = tmp_path / f"{name}.bib"
        path.write_bytes(data)
        got = _open(path)
        assert isinstance(got, files.Streamed)
        whole = decode(data)
        assert "".join(got.pieces()) == whole, name
        assert got.newlines == whole.count("\n")
        assert got.first_line == next(line for line in whole.splitlines() if line.strip())
        assert whole.startswith(got.head) and got.whole
        assert got.content_hash == files.file_hash(data)
        assert got.dialect(None) == "bibtex"


HOSTILE = {
    "empty": b" \n\t\r\n",
    "binary": b"@article{a,\x00\x01\x02 title={x}}\n",
    "bad utf-16": b"\xff\xfe" + "@misc{a, title={x}}".encode("utf-16-le") + b"\x00\xd8",
    "utf-32": "@misc{a, title={x}}\n".encode("utf-32"),
    "nul in utf-16": b"\xff\xfe" + "@misc{a,\x00 title={x}}\n".encode("utf-16-le"),
    "long line": b"@misc{a, title={" + b"x" * 50 + b"}}\n",
    "long last line": b"@misc{a, title={x}}\n" + b"y" * 41,
    "long first line": b"z" * 45 + b"\n@misc{a, title={x}}\n",
}


@pytest.mark.parametrize("block", [1, 3, 16, 1 << 20])
def test_a_hostile_file_is_refused_with_the_whole_read_s_message(block, tmp_path, monkeypatch):
    monkeypatch.setattr(files, "BLOCK", block)
    monkeypatch.setattr(files, "MAX_LINE", 40)
    for name, data in HOSTILE.items():
        path = tmp_path / "f.bib"
        path.write_bytes(data)
        with pytest.raises(ReaderError) as whole:
            files.read_file(path)
        with pytest.raises(ReaderError) as streamed:
            _open(path)
        assert str(streamed.value) == str(whole.value), name


def test_a_file_changed_between_its_two_reads_is_refused(tmp_path):
    path = tmp_path / "a.bib"
    path.write_text("@misc{a, title={A}}\n")
    got = _open(path)
    assert isinstance(got, files.Streamed)
    path.write_text("@misc{b, title={B}}\n")
    with pytest.raises(ReaderError, match="changed while it was being imported"):
        list(got.pieces())


# ---------------------------------------------------------------- auto-detection: sure, or read whole


def test_auto_detection_reads_whole_what_the_head_cannot_settle(tmp_path, monkeypatch):
    """An LGC bullet past the head makes the file LGC (detect() finds it anywhere), a file with a
    long head of comments is detected from all of it: both are read whole."""
    monkeypatch.setattr(files, "BLOCK", 4096)  # a head shorter than the file
    entries = "".join(f"@misc{{k{i}, title = {{Paper number {i}}}}}\n" for i in range(3000))
    cases = {
        "plain.bib": (entries, "bibtex"),
        "bullet.bib": (entries + "- ⭐ *(2024-CVPR)* **A Paper** [[Paper]](https://example.org)\n", None),
        "comments.bib": ("% comment\n" * 8000 + entries, None),
    }
    for name, (text, want) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        got = _open(path)
        assert isinstance(got, files.Streamed)
        assert not got.whole
        assert got.dialect(None) == want, name
        assert files.read_file(path)[0] == ("bibtex" if want else files.detect(text)), name
    md = FIXTURES / "lists" / "handmade-bibtex-in-markdown.md"
    got = _open(md)
    assert isinstance(got, files.Streamed) and got.whole  # all of it in the head: detected from it
    assert got.dialect(None) == files.detect(md.read_text(encoding="utf-8")) == "bibtex"
    assert got.dialect("bibtex") == "bibtex"
    assert not isinstance(_open(md, "generic"), files.Streamed)
    assert not isinstance(_open(md, "bibtex", {"title": "x"}), files.Streamed)


# ---------------------------------------------------------------- end to end: the same rows, the same report


def _import(db: Path, *args: str) -> tuple[int, object, str]:
    result = CliRunner().invoke(app, ["--db", str(db), "import", "--report", "json", *args])
    out = json.loads(result.stdout) if result.stdout.strip().startswith("[") else result.stdout
    return result.exit_code, out, result.stderr


def _whole(monkeypatch) -> None:
    """Every file read whole, as before files were read in pieces."""
    monkeypatch.setattr(files, "streams", lambda dialect: False)


@pytest.mark.parametrize("block", [1, 5, 97])
def test_an_import_in_pieces_writes_what_the_whole_file_writes(block, tmp_path, monkeypatch, _seeded_template):
    """The seeded database, then every .bib fixture, a CRLF one, a cp1252 one and the
    markdown file holding BibTeX: rows (times aside) and JSON reports as when read whole."""
    import shutil

    bibs = tmp_path / "in"
    bibs.mkdir()
    (bibs / "mixed.bib").write_text(MIXED, encoding="utf-8")
    (bibs / "crlf.bib").write_bytes(UNICODE_BIB.encode("utf-8"))
    (bibs / "latin.bib").write_bytes(_encodings(UNICODE_BIB)["cp1252-late"])
    (bibs / "utf16.bib").write_bytes(MIXED.replace("müller2022", "m2").encode("utf-16"))
    paths = [str(p) for p in sorted(bibs.iterdir())] + [str(FIXTURES / "hazards.bib"), str(FIXTURES / "authors.bib")]
    md = str(FIXTURES / "lists" / "handmade-bibtex-in-markdown.md")
    results = {}
    for how in ("whole", "pieces"):
        db = tmp_path / f"{how}.db"
        shutil.copy(_seeded_template, db)
        with monkeypatch.context() as m:
            if how == "whole":
                _whole(m)
            else:
                m.setattr(files, "BLOCK", block)
                m.setattr(bibtex, "_chunks", _tiny(bibtex._chunks))
            got = [_import(db, *paths), _import(db, "--format", "bibtex", md), _import(db, *paths)]
        results[how] = (json.dumps(got).replace(str(tmp_path), "T"), snapshot(db))
    assert results["pieces"][0] == results["whole"][0]
    assert results["pieces"][1] == results["whole"][1]
    assert sum(len(rows) for rows in results["whole"][1].values()) > 1000


def _tiny(chunks):
    """The chunker, given its text in pieces of 1 to 9 characters."""

    def tiny(pieces, size):
        text = "".join(pieces)
        return chunks(_split(text, random.Random(len(text)), 9), size)

    return tiny


def test_a_streamed_import_is_not_bound_by_the_whole_file_limit(empty_db, tmp_path, monkeypatch):
    """MAX_FILE_BYTES bounds the files read whole (lists, CSV); a .bib has the much larger
    MAX_STREAMED_FILE_BYTES."""
    bib = tmp_path / "big.bib"
    bib.write_text("".join(f"@misc{{k{i}, title = {{A paper about anomalies number {i}}}}}\n" for i in range(50)))
    listed = tmp_path / "big.md"
    listed.write_text("# A list\n\n" + "".join(f"- [Paper {i}](https://example.org/{i})\n" for i in range(50)))
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)
    code, out, err = _import(empty_db, str(bib))
    assert code == 0, err
    assert len(out[0]["created"]) == 50
    code, out, err = _import(empty_db, str(listed))
    assert code == 1 and "adbib imports files of at most 1,000 bytes" in err
    monkeypatch.setattr(files, "MAX_STREAMED_FILE_BYTES", 1000)
    bib.write_text(bib.read_text() + "@misc{last, title = {The last one}}\n")
    code, out, err = _import(empty_db, str(bib))
    assert code == 1 and f"{bib}: {bib.stat().st_size:,} bytes; adbib imports files of at most 1,000 bytes" in err


def test_no_entries_message_of_a_streamed_file(empty_db, tmp_path, monkeypatch):
    """An explicit --format that reads no entry: the same message (with what auto-detection says
    of the whole text) as when read whole, and nothing written."""
    path = tmp_path / "list.md"
    path.write_text("# A list\n\n@comment{not an entry}\n- [A paper](https://example.org/a)\n@misc{broken,\n")
    streamed = _import(empty_db, "--format", "bibtex", str(path))
    with monkeypatch.context() as m:
        _whole(m)
        whole = _import(empty_db, "--format", "bibtex", str(path))
    assert streamed == whole
    assert streamed[0] == 1 and "read as bibtex, no entries found" in streamed[2]
    assert "(auto-detect says bibtex)" in streamed[2]
    assert snapshot(empty_db)["paper"] == []
