"""adbib serve (issue 13, item 6): Datasette on the seeded database, started for real on a free
port of 127.0.0.1; the JSON and HTML of a search and of a facet, a canned query, then a clean stop."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from typer.testing import CliRunner

from adbib.cli import app
from test_tools import DIFFUSION

# SQLite only: Datasette reads SQLite files only.
pytestmark = pytest.mark.sqlite_only

pytest.importorskip("datasette")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read().decode("utf-8")


@pytest.fixture
def server(seeded_db, tmp_path):
    port = _free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # where the browsing copy goes
    proc = subprocess.Popen(
        [sys.executable, "-m", "adbib", "--db", str(seeded_db), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            _get(base + "/-/versions.json")
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"adbib serve did not start: {proc.communicate()}")
            time.sleep(0.2)
    yield base, proc, tmp_path
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_search_and_facets_json_and_html(server):
    base, proc, tmp_path = server
    papers = base + "/bibliography/papers"
    found = json.loads(_get(papers + ".json?_search=diffusion&_col=citekey&_shape=array&_size=max"))
    assert sorted(r["citekey"] for r in found) == DIFFUSION
    html = _get(papers + "?_search=diffusion")
    assert "15 rows where search matches &#34;diffusion&#34; sorted by year descending" in html
    assert "Diffusion Models for Medical Anomaly Detection" in html

    facets = json.loads(_get(papers + ".json?_size=0"))["facet_results"]
    assert list(facets) == ["venue", "year", "domain", "dataset_families", "categories"]
    counts = {name: {r["value"]: r["count"] for r in f["results"]} for name, f in facets.items()}
    assert (counts["venue"]["MICCAI"], counts["dataset_families"]["BraTS"], counts["categories"]["diffusion"]) == (
        19,
        16,
        8,
    )
    assert counts["domain"] == {"medical": 65, "industrial": 12, "general": 8}
    html = _get(papers + "?venue=MICCAI")
    assert "19 rows where venue = &#34;MICCAI&#34; sorted by year descending" in html
    assert 'id="facet-categories"' in html and "categories (array)" in html

    canned = json.loads(_get(base + "/bibliography/venue_and_dataset.json?venue=MICCAI&family=BraTS&_shape=array"))
    assert [r["citekey"] for r in canned] == [
        "wei2025styleganbased",
        "cai2024rethinking",
        "baugh2023many",
        "wolleb2022diffusion",
        "pinaya2022fast",
        "marimont2021implicit",
        "zimmerer2019unsupervised",
    ]
    # the database itself is served too, its own FTS index found (migration 0004)
    raw = json.loads(_get(base + "/adbib/paper.json?_search=diffusion&_col=citekey&_shape=array&_size=max"))
    assert sorted(r["citekey"] for r in raw) == DIFFUSION

    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert err.splitlines()[-1] == "adbib: stopped"
    assert list(tmp_path.glob("adbib-serve-*")) == []  # the browsing copy is gone


def test_without_datasette_one_line(seeded_db, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "datasette" else real(name, *a))
    result = CliRunner().invoke(app, ["--db", str(seeded_db), "serve"])
    assert (result.exit_code, result.stderr) == (1, "adbib: adbib serve needs Datasette: pip install 'adbib[web]'\n")
