"""CommonMark parsers that keep link destinations as the list wrote them.

markdown-it percent-encodes destinations (``normalizeLink``) and drops those it finds unsafe
(``validateLink``: ``javascript:``, ``data:`` …).  The readers keep what a source said and let
``adbib.normalize.ids.check_url`` judge a link, so they parse with these subclasses.  Imported
lazily by the readers (``detect()`` must stay cheap): this module imports markdown-it.
"""

from __future__ import annotations

from markdown_it import MarkdownIt


class KeptLinks(MarkdownIt):
    """A parser that leaves link destinations as written (no percent-encoding)."""

    def normalizeLink(self, url: str) -> str:  # markdown-it's method name
        return url


class KeptAnyLinks(KeptLinks):
    """A parser that leaves link destinations as written and keeps every one, safe or not."""

    def validateLink(self, url: str) -> bool:  # markdown-it's method name
        return True
