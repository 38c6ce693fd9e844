"""Template context every page gets: ``can``, what the signed-in user may do (from tasks_app.access).

Templates show an action exactly when the gate behind it would let it through:
``{% if can.review %}…{% endif %}`` (the names are tasks_app.capabilities.Capability values).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from tasks_app import access
from tasks_app.capabilities import Capability


class Can(Mapping[str, bool]):
    """``can.<capability>`` in templates; evaluated on first use, so pages that never ask pay nothing."""

    def __init__(self, user: Any) -> None:
        self._user = user

    def __getitem__(self, name: str) -> bool:
        try:
            capability = Capability(name)
        except ValueError:
            # a misspelt name must not silently hide a button: fail the page (and its test) instead
            raise ImproperlyConfigured(f"unknown capability in a template: can.{name}") from None
        return self._user is not None and access.has(self._user, capability)

    def __iter__(self) -> Iterator[str]:
        return iter(Capability)

    def __len__(self) -> int:
        return len(Capability)


def capabilities(request: HttpRequest) -> dict[str, Any]:
    return {"can": Can(getattr(request, "user", None))}
