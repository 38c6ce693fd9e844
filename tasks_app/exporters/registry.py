"""The one list of Excel reports (pretix style): every face that offers a report reads it from here.

An exporter class carries everything a face needs: ``identifier`` (the ``--report`` value, the API's
``report`` and the job's column), ``verbose_name`` (the Chinese label), ``cycle_policy``, ``estimate_rows``
(the progress bar's 100 %) and how it writes. Registering one with ``@register_exporter`` makes it appear in
the console form, the console API, ``export_xlsx --report`` and the job list at once; nothing else keeps
a list of report names. Faces read the registry when they are used (form choices, serializer choices,
argparse choices), never when a module is imported, so a report registered later still shows up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .base import CyclePolicy, Exporter

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")  # ExportJob.report holds 20 characters; names go in files


class ExporterRegistry:
    """Exporter classes by identifier, in registration order (the order the console lists them)."""

    def __init__(self) -> None:
        self._exporters: dict[str, type[Exporter]] = {}

    def register(self, exporter: type[Exporter]) -> type[Exporter]:
        identifier = getattr(exporter, "identifier", "")
        if not IDENTIFIER.match(identifier):
            raise ValueError(f"exporter identifier {identifier!r} must match {IDENTIFIER.pattern}")
        if not getattr(exporter, "verbose_name", ""):
            raise ValueError(f"exporter {identifier!r} needs a verbose_name (the label users see)")
        known = self._exporters.get(identifier)
        if known is not None and known is not exporter:
            raise ValueError(f"exporter {identifier!r} is already registered by {known.__qualname__}")
        self._exporters[identifier] = exporter
        return exporter

    def unregister(self, identifier: str) -> None:
        del self._exporters[identifier]

    def find(self, identifier: str) -> type[Exporter] | None:
        return self._exporters.get(identifier)

    def __contains__(self, identifier: object) -> bool:
        return identifier in self._exporters

    def __iter__(self) -> Iterator[type[Exporter]]:
        return iter(list(self._exporters.values()))

    def identifiers(self) -> list[str]:
        return list(self._exporters)

    def choices(self) -> list[tuple[str, str]]:
        """(identifier, label) pairs for form, serializer and schema choices."""
        return [(exporter.identifier, exporter.verbose_name) for exporter in self]

    def label(self, identifier: str) -> str:
        """The report's label; a job of a report no longer registered keeps its identifier."""
        exporter = self.find(identifier)
        return exporter.verbose_name if exporter is not None else identifier

    def labels(self, *, uses_cycle: bool) -> list[str]:
        """Labels of the reports that do (or do not) depend on a reporting cycle: the year field's help."""
        return [exporter.verbose_name for exporter in self if (exporter.cycle_policy != CyclePolicy.NONE) == uses_cycle]


registry = ExporterRegistry()
register_exporter = registry.register
