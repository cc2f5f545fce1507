"""Canonical identifiers and link checks."""

import re

import pytest

from adbib.normalize.ids import (
    BadLink,
    check_url,
    doi_from_url,
    link_key,
    link_role,
    normalize_arxiv,
    normalize_doi,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://arxiv.org/abs/2403.09303", "2403.09303"),
        ("https://arxiv.org/pdf/2308.16150.pdf", "2308.16150"),
        ("http://arxiv.org/abs/2401.10637v3", "2401.10637"),
        ("arXiv:2403.09303v2", "2403.09303"),
        ("arXiv preprint arXiv:2211.07166", "2211.07166"),
        ("https://github.com/matt-baugh/many-tasks-make-light-work", None),
    ],
)
def test_arxiv_ids_without_version(value, expected):
    assert normalize_arxiv(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://doi.org/10.1016/J.MEDIA.2023.102967", "10.1016/j.media.2023.102967"),
        ("doi:10.1109/TMI.2023.3310716", "10.1109/tmi.2023.3310716"),
        ("10.1007/978-3-031-72120-5_51", "10.1007/978-3-031-72120-5_51"),
        ("not a doi", None),
    ],
)
def test_dois_are_lowercase_without_resolver(value, expected):
    assert normalize_doi(value) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://link.springer.com/chapter/10.1007/978-3-031-72120-5_51", "10.1007/978-3-031-72120-5_51"),
        ("https://dl.acm.org/doi/10.1145/3292500.3330871", "10.1145/3292500.3330871"),
        ("https://doi.org/10.1016/j.patcog.2023.110167", "10.1016/j.patcog.2023.110167"),
        ("https://www.sciencedirect.com/science/article/pii/S1361841523002232", None),
    ],
)
def test_dois_derivable_from_urls(url, expected):
    assert doi_from_url(url) == expected


@pytest.mark.parametrize(
    "url, message",
    [
        ("", "empty link"),
        ("CheXpert", "not an http(s) URL: 'CheXpert'"),
        (
            "https://github.com/marksgraham/ transformer-ood",
            "space inside URL 'https://github.com/marksgraham/ transformer-ood'",
        ),
        ("javascript:alert(1)", "not an http(s) URL: 'javascript:alert(1)'"),
        ("https://[x/", "malformed URL 'https://[x/' (Invalid IPv6 URL)"),
    ],
)
def test_broken_links_are_refused_with_a_reason(url, message):
    with pytest.raises(BadLink) as e:
        check_url(url)
    assert str(e.value) == message


def test_a_label_contradicting_its_url():
    with pytest.raises(BadLink, match=re.escape("link labelled 'ArXiv' points to 'github.com', not arXiv")):
        link_role("ArXiv", "https://github.com/matt-baugh/many-tasks-make-light-work")
    assert link_role("Unoff-Code", "https://github.com/xcyao00/PRNet") == "code-unofficial"
    assert link_role("MIDL", "http://arxiv.org/abs/2401.10637") == "arxiv"


def test_one_link_however_written():
    assert link_key("https://arxiv.org/pdf/2403.09303") == link_key("https://arxiv.org/abs/2403.09303v2")
    assert link_key("https://github.com/caiyu6666/AE4AD") == link_key("https://github.com/caiyu6666/ae4ad/")
    assert link_key("https://example.org/A") != link_key("https://example.org/a")
