"""The README's examples, run for real: every ``$ command`` line of a ``console`` block, in order,
against the output printed under it.

The commands run with bash, in a scratch directory that sees the repository's ``data`` and ``tests`` (pipes and ``echo "exit $?"`` as a user types them),
standard error merged into standard output, and a private HOME whose database (the default one,
``~/.local/share/adbib/adbib.db``) is the freshly seeded one at the start of every block.  A comment
just before a block changes that:

- ``<!-- readme: fresh database -->``: the block starts from an empty database;
- ``<!-- readme: continues -->``: the block goes on from the state the previous block left;
- ``<!-- readme: not run … -->``: the block is not run here (the comment says which test runs it);
- ``<!-- readme: postgresql … -->``: the block starts from the seeded default database and a fresh,
  empty PostgreSQL database on the test server (``ADBIB_TEST_PG``, see helpers/pgdb.py), which the
  commands name as ``postgresql://adbib@localhost/team`` (:data:`PG_URL`): the walker puts the real URL
  in the commands and the README's back in their output.  Without a server these blocks are left as
  they are (in CI, where there always is one, the test fails instead).

Blocks without a ``$`` line (the install commands) are not run here: ``.ci/run`` runs those.
Tables are drawn for a terminal of ``COLUMNS`` = 110.

``ADBIB_README_UPDATE=1 pytest tests/test_readme.py`` rewrites the outputs in README.md with what the
commands print now (read the diff before committing it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.pgdb import IN_CI, create_database, drop_database

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
FRESH, CONTINUES, NOT_RUN = "readme: fresh database", "readme: continues", "readme: not run"
POSTGRESQL = "readme: postgresql"
PG_URL = "postgresql://adbib@localhost/team"  # the team database as the README names it
_BLOCK = re.compile(r"(?P<marker><!-- readme: [^>]*-->\s*\n)?```console\n(?P<body>.*?)```", re.S)


COLUMNS = "110"


def examples() -> list[tuple[str, list[tuple[str, str]]]]:
    """(start, [(command, expected output)]) for every console block with $ lines; start is
    'seeded', 'fresh', 'postgresql' or 'continues' (blocks marked not run are left out)."""
    return [(start, pairs) for start, pairs, _ in _blocks()]


def _blocks() -> list[tuple[str, list[tuple[str, str]], tuple[int, int]]]:
    out = []
    for m in _BLOCK.finditer(README.read_text(encoding="utf-8")):
        pairs: list[tuple[str, list[str]]] = []
        for line in m.group("body").splitlines():
            if line.startswith("$ "):
                pairs.append((line[2:], []))
            elif pairs:
                pairs[-1][1].append(line)
        marker = m.group("marker") or ""
        if pairs and NOT_RUN not in marker:
            start = (
                "fresh"
                if FRESH in marker
                else "postgresql"
                if POSTGRESQL in marker
                else "continues"
                if CONTINUES in marker
                else "seeded"
            )
            out.append((start, [(cmd, "\n".join(lines)) for cmd, lines in pairs], m.span("body")))
    return out


def _pg_database() -> str | None:
    """A fresh database on the test server, or None without one (in CI: the test fails)."""
    if not os.environ.get("ADBIB_TEST_PG"):
        if IN_CI:
            pytest.fail("CI=true but ADBIB_TEST_PG is not set: the README's PostgreSQL blocks must run")
        return None
    return create_database()


def test_the_readme_has_examples():
    blocks = examples()
    assert len(blocks) >= 8
    assert any(cmd.startswith("adbib query") for _, pairs in blocks for cmd, _ in pairs)


@pytest.mark.slow
def test_every_readme_example_prints_what_the_readme_says(tmp_path, _seeded_template):
    home = tmp_path / "home"
    data = home / ".local" / "share" / "adbib"

    def reset(seeded: bool) -> None:
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        if seeded:
            shutil.copy(_seeded_template, data / "adbib.db")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADBIB_", "XDG_"))}
    env.update(HOME=str(home), COLUMNS=COLUMNS, PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    # the commands run in a scratch directory that sees the repository's data and tests (the
    # paths the README names) but keeps whatever a command writes (-o FILE) out of the checkout
    work = tmp_path / "work"
    work.mkdir()
    for name in ("data", "tests"):
        (work / name).symlink_to(REPO / name, target_is_directory=True)
    failures = []
    bodies: list[tuple[tuple[int, int], str]] = []
    databases: list[str] = []  # PostgreSQL databases made for the blocks, dropped at the end
    url = None
    for start, pairs, span in _blocks():
        if start != "continues":
            reset(seeded=start in ("seeded", "postgresql"))
            url = None
        if start == "postgresql":
            url = _pg_database()
            if url is None:  # no server here: the block stays as the README has it
                continue
            databases.append(url)
        elif start == "continues" and url is None and databases:
            continue  # goes on from a PostgreSQL block that could not run
        body = []
        for cmd, expected in pairs:
            done = subprocess.run(
                ["bash", "-c", "exec 2>&1\n" + (cmd.replace(PG_URL, url) if url else cmd)],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            actual = done.stdout.replace(str(home), "~").rstrip("\n")
            if url:
                actual = actual.replace(url, PG_URL)
            body.append(f"$ {cmd}\n" + (actual + "\n" if actual else ""))
            if actual != expected.rstrip("\n"):
                failures.append(f"$ {cmd}\n--- README\n{expected}\n--- actual\n{actual}")
        bodies.append((span, "".join(body)))
    for made in databases:
        drop_database(made)
    if failures and os.environ.get("ADBIB_README_UPDATE") == "1":
        text = README.read_text(encoding="utf-8")
        for (start_, end), body_ in reversed(bodies):
            text = text[:start_] + body_ + text[end:]
        README.write_text(text, encoding="utf-8")
    assert not failures, "\n\n".join(failures)
