"""The JSON objects each engine writes itself (adbib.backend.jsontext: SQLite's json_quote and
group_concat, PostgreSQL's to_json and string_agg) are the text the Python path writes, byte for
byte, on hostile values and with every related table filled in and out of order.

Runs on both engines (the seeded_db fixture); tests/test_fast_paths.py holds SQLite's own case with
the values only SQLite can store (a NUL in a text)."""

from __future__ import annotations

from adbib import rows
from adbib.exporters import json as J
from adbib.query import Query, run
from helpers.pg import connect_db

HOSTILE = 'q"uote back\\slash\nnew\tline\x01ctrl\x1f\x7fdel\x85\u202ebidi\u2028 中文 😀 {} %s ?'


def test_json_objects_written_by_the_engine_are_the_python_ones(seeded_db):
    con = connect_db(seeded_db)
    try:
        first, second = (r[0] for r in con.execute("SELECT id FROM paper ORDER BY id LIMIT 2"))
        con.execute(
            "UPDATE paper SET title = ?, note = ?, abstract = ?, year = NULL, authors_truncated = ? WHERE id = ?",
            (HOSTILE, HOSTILE, "", True, first),
        )
        con.execute(
            "UPDATE author SET given = ?, von = 'van \"der', jr = '\\' WHERE id IN"
            " (SELECT author_id FROM authorship WHERE paper_id = ?)",
            (HOSTILE, first),
        )
        for name in ("b", 'a"', "ä"):
            con.execute("INSERT INTO tag (paper_id, name) VALUES (?, ?)", (first, name))
        for pid, role, url in [
            (first, "code", "https://x.org/2"),
            (first, "paper", 'https://y.org/"\\'),
            (first, "code", "https://x.org/1"),
            (first, "dataset", "https://d.org"),
            (second, "project", "https://p.org"),
        ]:
            con.execute("INSERT INTO link (paper_id, role, url) VALUES (?, ?, ?)", (pid, role, url))
        for name, value in [("zz", HOSTILE), ("aa", ""), ("Month", "4")]:
            con.execute("DELETE FROM paper_field WHERE paper_id = ? AND name = ?", (first, name))
            con.execute("INSERT INTO paper_field (paper_id, name, value) VALUES (?, ?, ?)", (first, name, value))
        con.execute("UPDATE provenance SET section = ? WHERE paper_id = ?", (HOSTILE, first))
        if hasattr(con, "commit"):
            con.commit()
        ids = [*run(con, Query()), 10**9, first, second]  # an unknown id is skipped, a repeated one repeated
        for chunk in (500, 3):
            engine = rows.papers(con, ids, chunk=chunk).json_texts()
            assert engine is not None
            texts = list(engine)
            assert texts == [J._text(p) for p in rows.papers(con, ids, chunk=chunk)]
        assert len(texts) == len(ids) - 1
        assert texts[-2].startswith(f'{{"id": {first}, "citekey": ')
        assert '"title": "q\\"uote back\\\\slash\\nnew\\tline\\u0001ctrl\\u001f\x7fdel' in texts[-2]
        for part in ("tags", "categories", "datasets", "fields", "sources", "links"):
            assert sum(f'"{part}": []' not in t and f'"{part}": {{}}' not in t for t in texts) > 1, part
    finally:
        con.close()
