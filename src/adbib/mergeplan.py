"""What ``adbib merge KEEP OTHER`` will change, and whether the two clearly are different papers.

:func:`plan` reads (standard library sqlite3 only) and returns the fields KEEP takes from OTHER,
how many links, datasets, categories and provenance rows move over, the citekey that becomes an
alias, and the *conflicts*: reasons to believe the two are different papers.  ``merge`` refuses
a plan with conflicts unless forced; the same check guards :func:`adbib.store.merge_papers`.

Clearly different means any of:

* titles: rapidfuzz ratio of the title keys below TITLE_MIN and neither key contained in the
  other (a preprint's title and its journal version's usually score far above it; two unrelated
  papers of the field share words, so the threshold only catches titles that have little in common);
* authors: both papers name authors and not one family name is shared;
* DOIs: both papers have a DOI and they differ (the resolver never merges those either).
"""

from __future__ import annotations

import sqlite3
from typing import Any, TypedDict

from adbib.errors import AdbibError

TITLE_MIN = 70.0
# columns KEEP takes from OTHER when it has none (as adbib.store.merge_papers does)
FILLED = ("year", "date", "venue_id", "domain", "abstract", "summary", "arxiv_id", "doi", "stars")
MOVED = ("link", "paper_dataset", "paper_category", "provenance")


class MergeRefused(AdbibError):
    """The papers clearly differ; ``--force`` merges them anyway."""


class PaperRef(TypedDict):
    id: int
    citekey: str
    title: str


class MergePlan(TypedDict):
    keep: PaperRef
    other: PaperRef
    fields: list[tuple[str, None, object]]  # (field, keep's value: none, the value other fills in)
    moved: dict[str, int]  # table (MOVED) -> how many of other's rows keep gains
    alias: str  # other's citekey, kept as an alias of keep
    conflicts: list[str]  # why the papers look different; non-empty: refused unless forced


def plan(con: sqlite3.Connection, keep: int, other: int) -> MergePlan:
    """The plan of merging paper id ``other`` into paper id ``keep``."""
    from rapidfuzz import fuzz

    k, o = _paper(con, keep), _paper(con, other)
    conflicts: list[str] = []
    score = fuzz.ratio(k["title_key"], o["title_key"])
    contained = k["title_key"] in o["title_key"] or o["title_key"] in k["title_key"]
    if score < TITLE_MIN and not contained:
        conflicts.append(f"titles differ ({score:.0f} % alike): {k['title']!r} / {o['title']!r}")
    kf, of = _families(con, keep), _families(con, other)
    if kf and of and not set(kf) & set(of):
        conflicts.append(f"no author in common: {', '.join(kf)} / {', '.join(of)}")
    if k["doi"] and o["doi"] and k["doi"] != o["doi"]:
        conflicts.append(f"different DOIs: {k['doi']} / {o['doi']}")
    fields: list[tuple[str, None, object]] = [(c, None, o[c]) for c in FILLED if k[c] is None and o[c] is not None]
    if not kf and of:
        fields.append(("authors", None, ", ".join(of)))
    moved = {t: _moving(con, t, keep, other) for t in MOVED}
    return {
        "keep": {"id": keep, "citekey": k["citekey"], "title": k["title"]},
        "other": {"id": other, "citekey": o["citekey"], "title": o["title"]},
        "fields": fields,
        "moved": moved,
        "alias": o["citekey"],
        "conflicts": conflicts,
    }


def refuse_unless_forced(merge_plan: MergePlan, force: bool) -> None:
    if merge_plan["conflicts"] and not force:
        o, k = merge_plan["other"]["citekey"], merge_plan["keep"]["citekey"]
        raise MergeRefused(
            f"not merging {o} into {k}: {'; '.join(merge_plan['conflicts'])} (--force merges them anyway)"
        )


def _paper(con: sqlite3.Connection, pid: int) -> dict[str, Any]:
    cur = con.execute(f"SELECT id, citekey, title, title_key, {', '.join(FILLED)} FROM paper WHERE id = ?", (pid,))
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))


def _families(con: sqlite3.Connection, pid: int) -> list[str]:
    rows = con.execute(
        "SELECT au.family FROM authorship a JOIN author au ON au.id = a.author_id WHERE a.paper_id = ? ORDER BY a.position",
        (pid,),
    )
    return list(dict.fromkeys(r[0] for r in rows))


_KEYS = {
    "link": "role, url",
    "paper_dataset": "dataset_id",
    "paper_category": "category_id",
    "provenance": "source_id, line",
}


def _moving(con: sqlite3.Connection, table: str, keep: int, other: int) -> int:
    """How many of OTHER's rows KEEP does not have yet."""
    key = _KEYS[table]
    sql = (
        f"SELECT count(*) FROM (SELECT DISTINCT {key} FROM {table} WHERE paper_id = ?"
        f" EXCEPT SELECT {key} FROM {table} WHERE paper_id = ?) moving"
    )
    n: int = con.execute(sql, (other, keep)).fetchone()[0]
    return n


def render(merge_plan: MergePlan) -> str:
    """The plan as text, for the terminal (control characters from the lists dropped)."""
    import unicodedata

    from adbib.render import _short as short

    def _short(text: str, width: int) -> str:
        return short("".join(c for c in text if unicodedata.category(c)[0] != "C"), width)

    k, o = merge_plan["keep"], merge_plan["other"]
    lines = [f"merge {o['citekey']} ({_short(o['title'], 60)})", f" into {k['citekey']} ({_short(k['title'], 60)})"]
    for name, _, new in merge_plan["fields"]:
        lines.append(f"  {name}: — -> {_short(str(new), 70)}")
    labels = {
        "link": "links",
        "paper_dataset": "datasets",
        "paper_category": "categories",
        "provenance": "provenance rows",
    }
    moved = [f"{n} {labels[t]}" for t, n in merge_plan["moved"].items() if n]
    if moved:
        lines.append(f"  moves over: {', '.join(moved)}")
    lines.append(f"  {merge_plan['alias']} becomes an alias of {k['citekey']}")
    for c in merge_plan["conflicts"]:
        lines.append(f"  CONFLICT: {c}")
    return "\n".join(lines) + "\n"
