"""Output that fits (issue 13, item 4): every --format a help text claims works and every other
is refused in one line (a test walking every command), tables fitted to $COLUMNS, --version,
shell completion, python -m adbib, --quiet / --verbose, and empty results said on stderr."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from adbib import formats as F
from adbib.cli import app
from adbib.exporters import FORMATS
from adbib.readers import DIALECTS
from conftest import REPO

COMMAND = typer.main.get_command(app)
# arguments a command needs to run on the seeded database
ARGS = {"show": ["cai2024rethinking"], "export": ["venue:IPMI"], "query": ["venue:IPMI"]}
VOCABULARY = set(F.papers()) | set(F.LISTING) | set(F.STATS)


def invoke(db, *args: str, env: dict | None = None):
    return CliRunner().invoke(app, ["--db", str(db), *args], env=env)


def _format_option(command):
    return next((p for p in command.params if p.param_type_name == "option" and "--format" in p.opts), None)


def _claimed(command) -> set[str]:
    """The formats the --format help of a command names."""
    option = _format_option(command)
    return {w for w in re.findall(r"[a-z]+", option.help) if w in VOCABULARY} if option else set()


OUTPUT_COMMANDS = sorted(n for n, c in COMMAND.commands.items() if _format_option(c) is not None and n != "import")


def test_the_walk_covers_every_listing_command():
    assert OUTPUT_COMMANDS == [
        "authors",
        "categories",
        "datasets",
        "duplicates",
        "export",
        "log",
        "query",
        "show",
        "stats",
        "venues",
    ]


@pytest.mark.parametrize("name", OUTPUT_COMMANDS)
def test_every_format_a_help_text_claims_works(seeded_db, name):
    command = COMMAND.commands[name]
    claimed = _claimed(command)
    assert claimed, f"{name} --help names no format"
    help_text = " ".join(invoke(seeded_db, name, "--help").stdout.split())
    assert " ".join(_format_option(command).help.split()) in help_text
    for fmt in sorted(claimed):
        result = invoke(seeded_db, name, *ARGS.get(name, []), "--format", fmt)
        assert result.exit_code == 0, (name, fmt, result.output)
        assert result.stdout or result.stderr == "adbib: no probable duplicates\n", (name, fmt)
    for fmt in sorted(VOCABULARY - claimed):
        result = invoke(seeded_db, name, *ARGS.get(name, []), "--format", fmt)
        assert result.exit_code == 2, (name, fmt, result.output)
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1, (name, fmt, result.stderr)


@pytest.mark.parametrize("name", [None, *sorted(COMMAND.commands)])
def test_help_descriptions_read_as_reflowed_prose(seeded_db, name):
    """A docstring indented unevenly reaches --help as runs of spaces mid-sentence (import's did:
    "known ones merged (the changes     recorded with their provenance)")."""
    args = ["--help"] if name is None else [name, "--help"]
    text = invoke(seeded_db, *args).stdout
    description = re.split(r"^(?:Arguments|Options|Commands):", text, flags=re.M)[0]
    lines = description.splitlines()[1:]  # after the Usage line
    assert any(line.strip() for line in lines), name
    for line in lines:
        assert not re.search(r"\S {2,}\S", line), (name, line)
        assert not line.startswith("   "), (name, line)


def test_paper_commands_take_every_exporter():
    for name in ("query", "show"):
        assert _claimed(COMMAND.commands[name]) == {"table", "keys", *FORMATS}
    assert _claimed(COMMAND.commands["export"]) == {"keys", *FORMATS}
    for name in ("venues", "datasets", "authors", "categories", "duplicates"):
        assert _claimed(COMMAND.commands[name]) == {"table", "json", "csv", "markdown"}


def test_import_names_every_input_format():
    option = _format_option(COMMAND.commands["import"])
    names = option.help.split(":", 1)[1].split(". ")[0]  # the first sentence names them; the rest explains
    assert re.findall(r"[a-z-]+(?=[,.]|$)", names.replace("auto (detect)", "auto")) == ["auto", *DIALECTS]


def test_export_keys_and_a_refused_format_in_one_line(seeded_db):
    assert invoke(seeded_db, "export", "-f", "keys", "venue:IPMI").stdout == "schlegl2017unsupervised\n"
    result = invoke(seeded_db, "venues", "-f", "bibtex")
    assert (result.exit_code, result.stderr) == (
        2,
        "adbib: --format bibtex lists papers; use table, json, csv or markdown for venues\n",
    )
    result = invoke(seeded_db, "query", "-f", "yaml")
    assert (result.exit_code, result.stderr) == (
        2,
        "adbib: unknown --format 'yaml' for query (use table, keys, bibtex, markdown, csv, json, csl or ris)\n",
    )


@pytest.mark.parametrize(
    "args, piped",
    [
        (["query", "diffusion"], 137),
        (["venues"], 290),
        (["datasets"], 221),
        (["authors"], 51),
        (["categories"], 222),
        (["stats"], 132),
        (["query"], 152),
    ],
)
def test_tables_fit_the_terminal(seeded_db, args, piped):
    wide = invoke(seeded_db, *args).stdout
    for columns in (80, 100):
        out = invoke(seeded_db, *args, env={"COLUMNS": str(columns)}).stdout
        assert len(out.splitlines()) == len(wide.splitlines())
        too_wide = [line for line in out.splitlines() if len(line) > columns]
        assert too_wide == [], (columns, too_wide[:2])
    assert max(len(line) for line in wide.splitlines()) == piped  # without COLUMNS (a pipe): as before


def test_the_title_column_shrinks_first(seeded_db):
    out = invoke(
        seeded_db, "query", "venue:MICCAI dataset:BraTS diffusion", "--sort", "title", env={"COLUMNS": "80"}
    ).stdout.splitlines()
    assert out[0].split() == ["citekey", "year", "venue", "title", "authors"]
    assert out[2] == "wolleb2022diffusion  2022    MICCAI   Diffusion Models for Medic…  Wolleb et al."
    assert max(len(line) for line in out) == 80
    # piped, without COLUMNS: titles cut at 72 as before
    assert (
        invoke(seeded_db, "query", "venue:MICCAI dataset:BraTS diffusion", "--sort", "title")
        .stdout.splitlines()[2]
        .startswith("wolleb2022diffusion  2022    MICCAI   Diffusion Models for Medical Anomaly Detection  ")
    )


def test_version_and_python_dash_m(seeded_db):
    from adbib import __version__

    assert invoke(seeded_db, "--version").stdout == f"adbib {__version__}\n"
    proc = subprocess.run(
        [sys.executable, "-m", "adbib", "--db", str(seeded_db), "query", "venue:IPMI", "-f", "keys"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (0, "schlegl2017unsupervised\n")
    proc = subprocess.run([sys.executable, "-m", "adbib", "--help"], capture_output=True, text=True, check=False)
    assert proc.stdout.startswith("Usage: adbib [OPTIONS] COMMAND [ARGS]...")


def _complete(words: str) -> list[str]:
    env = {
        **os.environ,
        "_ADBIB_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    }
    proc = subprocess.run([sys.executable, "-m", "adbib"], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_shell_completion():
    assert _complete("adbib qu") == ["query"]
    assert _complete("adbib query --for") == ["--format"]
    assert _complete("adbib query --format ") == ["table", "keys", *FORMATS]
    assert _complete("adbib venues -f ") == ["table", "json", "csv", "markdown"]
    script = invoke("unused.db", "completion", "bash").stdout
    assert "_ADBIB_COMPLETE=complete_bash" in script and "complete -o default -F _adbib_completion adbib" in script
    assert "compdef _adbib_completion adbib" in invoke("unused.db", "completion", "zsh").stdout
    result = invoke("unused.db", "completion", "tcsh")
    assert (result.exit_code, result.stderr) == (2, "adbib: no completion for shell 'tcsh' (use bash, zsh or fish)\n")


HAZARDS = str(REPO / "tests" / "fixtures" / "hazards.bib")
SUMMARY = (
    f"{HAZARDS} (bibtex, source hazards): would import 11 entries: 3 new, 6 merged, 2 unchanged, "
    "0 skipped, 3 failed, 3 problems"
)


def test_import_quiet_normal_verbose(seeded_db):
    quiet = invoke(seeded_db, "import", HAZARDS, "--dry-run", "--quiet").stdout.splitlines()
    normal = invoke(seeded_db, "import", HAZARDS, "--dry-run").stdout.splitlines()
    verbose = invoke(seeded_db, "import", HAZARDS, "--dry-run", "--verbose").stdout.splitlines()
    assert quiet == [SUMMARY]
    assert normal[0] == SUMMARY and [line.split()[0] for line in normal[1:]] == ["failed"] * 3 + ["problem"] * 3 + [
        "dry"
    ]
    assert [line.split()[0] for line in verbose[1:]] == ["new"] * 3 + ["merged"] * 6 + ["failed"] * 3 + [
        "problem"
    ] * 3 + ["dry"]
    result = invoke(seeded_db, "import", HAZARDS, "-q", "-v")
    assert (result.exit_code, result.stderr) == (2, "adbib: --quiet and --verbose contradict each other; give one\n")


def test_default_report_caps_each_kind(tmp_path, empty_db):
    bad = tmp_path / "bad.bib"
    bad.write_text("".join(f"@article{{k{i},\n  year = {{2020}}\n}}\n" for i in range(25)), encoding="utf-8")
    out = invoke(empty_db, "import", str(bad), "--dry-run").stdout.splitlines()
    assert len(out) == 1 + 20 + 1 + 1
    assert out[-2] == "  … 5 more failed lines (--verbose lists them all)"
    assert len(invoke(empty_db, "import", str(bad), "--dry-run", "-v").stdout.splitlines()) == 1 + 25 + 1


def test_reports_that_print_the_number_of_new_entries_keep_no_entry(seeded_db, monkeypatch):
    """The default and quiet text reports print how many entries created a paper, never which:
    the import counts them and keeps none (a 1M-entry file held ≈ 340 MB of them, issue 15);
    --verbose and --report json list them, as before."""
    from adbib.importer import files

    kept: list[tuple[int, int]] = []
    import_files = files.import_files

    def spy(*args, **kwargs):
        reports = import_files(*args, **kwargs)
        kept.extend((r.new, len(r.created)) for r in reports)
        return reports

    monkeypatch.setattr(files, "import_files", spy)
    outputs = {}
    for level in ("--quiet", "--verbose", "--normal"):
        args = ["import", HAZARDS, "--dry-run"] + ([level] if level != "--normal" else [])
        outputs[level] = invoke(seeded_db, *args).stdout.splitlines()
    json_report = json.loads(invoke(seeded_db, "import", HAZARDS, "--dry-run", "--report", "json").stdout)
    assert kept == [(3, 0), (3, 3), (3, 0), (3, 3)]  # quiet, verbose, default, json
    assert outputs["--quiet"] == [SUMMARY] and outputs["--normal"][0] == SUMMARY == outputs["--verbose"][0]
    new = [line.split()[:4] for line in outputs["--verbose"][1:4]]
    assert new == [
        ["new", "line", "97", "bergmann2019mvtec"],
        ["new", "line", "107", "roth2022patchcore"],
        ["new", "line", "122", "monai2022"],
    ]
    assert [(e["line"], e["citekey"]) for e in json_report[0]["created"]] == [
        (97, "bergmann2019mvtec"),
        (107, "roth2022patchcore"),
        (122, "monai2022"),
    ]
    assert "unlisted_new" not in json_report[0] and "list_new" not in json_report[0]


class _Unread:
    """An entry of a report whose title must not be read (its line is not printed)."""

    line, citekey = 7, "k2020"

    @property
    def title(self) -> str:
        raise AssertionError("a line the report does not print was formatted")


def test_short_reports_format_only_what_they_print():
    # a 1M-entry import kept 1M formatted 'new' lines in memory for a one-line summary (issue 15)
    from adbib.importer.report import Entry, ImportReport
    from adbib.render import import_report

    r = ImportReport(source="s", path="p.bib", dialect="bibtex", entries=3)
    r.created = [_Unread(), _Unread()]  # type: ignore[list-item]
    r.missing = [Entry(line=0, title=f"Gone {i}", citekey=f"gone{i}") for i in range(22)]
    summary = "p.bib (bibtex, source s): imported 3 entries: 2 new, 0 merged, 0 unchanged, 0 skipped, 0 failed"
    assert import_report(r, "quiet") == summary + ", 22 no longer listed\n"
    normal = import_report(r, "normal").splitlines()
    assert normal[1:3] == ["  not listed anymore   gone0  Gone 0 (kept)", "  not listed anymore   gone1  Gone 1 (kept)"]
    assert normal[-1] == "  … 2 more not listed anymore lines (--verbose lists them all)"
    assert len(normal) == 1 + 20 + 1
    with pytest.raises(AssertionError, match="does not print"):
        import_report(r, "verbose")


def test_seed_quiet_and_verbose(tmp_path):
    db = tmp_path / "a.db"
    assert invoke(db, "seed", "-q").stdout == f"Seeded {db}: 85 new papers from 5 lists.\n"
    assert invoke(db, "seed", "-q").stdout == f"Nothing to do: every seed list is already in {db}.\n"
    out = invoke(tmp_path / "b.db", "seed", "--verbose").stdout
    assert out.count("\n  new        line") == 85


def test_empty_results_say_so(seeded_db, empty_db):
    result = invoke(seeded_db, "duplicates")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "adbib: no probable duplicates\n")
    result = invoke(seeded_db, "duplicates", "-f", "json")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "[]\n", "adbib: no probable duplicates\n")
    result = invoke(seeded_db, "export", "-f", "bibtex", "year:1900")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "adbib: no paper matches\n")


def test_the_readme_test_command_is_what_ci_runs():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("Install and run the tests", 1)[1].split("```console\n", 1)[1].split("\n```", 1)[0]
    assert block == "python3 -m venv .venv && . .venv/bin/activate && pip install '.[test]' && pytest"
    assert block in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    first = readme.split("## On a fresh machine", 1)[1].split("```console\n", 1)[1].split("\n```", 1)[0]
    assert first.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install . && adbib query ")
