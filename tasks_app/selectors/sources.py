"""Source documents as pages show them: the header and the few lines an item came from.

A province's plan document runs to millions of characters and an item page or a review page shows two to
twenty of its lines. Pages read the document without its text (``source_header``) and ask for the lines;
the split lines of recently used documents stay in this process (a document's text never changes: a new
version of a file is a new SourceDocument with another SHA-256), so the text crosses from the database once
per worker instead of once per page view. PostgreSQL cannot cut lines out of a compressed text without
decompressing all of it (measured: 0.2 s for 2.8 M characters), so caching beats doing it on the server.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from tasks_app.models import SourceDocument

CACHE_CHARACTERS = 12_000_000  # about 25 MB of split lines per process, a handful of province-sized documents
_cache: OrderedDict[tuple[int, str], tuple[list[str], int]] = OrderedDict()
_lock = threading.Lock()


def source_header(source_id: int) -> SourceDocument:
    """The document without its text (file name, title, number, issuer, SHA-256)."""
    return SourceDocument.objects.defer("text").get(pk=source_id)


def _lines(source: SourceDocument) -> list[str]:
    key = (source.pk, source.sha256)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key][0]
    text = SourceDocument.objects.values_list("text", flat=True).get(pk=source.pk)
    lines = text.splitlines()  # as SourceDocument.lines numbers them
    with _lock:
        _cache[key] = (lines, len(text))
        while len(_cache) > 1 and sum(size for _, size in _cache.values()) > CACHE_CHARACTERS:
            _cache.popitem(last=False)
    return lines


def source_excerpt(source: SourceDocument, first: int, last: int) -> list[tuple[int, str]]:
    """Lines ``first``..``last`` (1-based, inclusive) as (number, text), clipped to the document."""
    lines = _lines(source)
    return [(n, lines[n - 1]) for n in range(max(first, 1), min(last, len(lines)) + 1)]
