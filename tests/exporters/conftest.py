"""Plans imported per test (inside the test's transaction): no committed data leaks into other suites; the
test-only exporter registered for one test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks_app.exporters import registry
from tasks_app.importing import document_import
from tasks_app.models import Plan
from tasks_app.parsing.document import parse_text
from tests.conftest import ZHANQIAN, analyze_if_postgres
from tests.exporters.throwaway import ThrowawayExporter
from tests.personas import import_yingkou

_PARSED: dict[str, object] = {}


def _import(path: Path) -> Plan:
    text = path.read_text(encoding="utf-8")
    if path.name not in _PARSED:  # parsing is pure: once per session
        _PARSED[path.name] = parse_text(text, filename=path.name)
    plan = document_import(parsed=_PARSED[path.name], file_name=path.name, text=text).plan
    analyze_if_postgres()
    return plan


@pytest.fixture
def yingkou(db) -> Plan:
    return import_yingkou()


@pytest.fixture
def zhanqian(db) -> Plan:
    return _import(ZHANQIAN)


@pytest.fixture
def throwaway_exporter():
    """Register the test-only report for one test, and take it out again whatever the test did."""
    registry.register(ThrowawayExporter)
    yield ThrowawayExporter
    registry.unregister(ThrowawayExporter.identifier)
    assert ThrowawayExporter.identifier not in registry
