from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

# Fixture modules shared by every test package (a plugin, not a star import, so ruff sees no unused names).
pytest_plugins = ["tests.personas", "tests.console.review_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "fixtures" / "documents"
YINGKOU = DOCUMENTS / "002_72dfb345852fffd3.txt"
ZHANQIAN = DOCUMENTS / "000_aeb35f2bbea0796b.txt"
LINGHE = DOCUMENTS / "001_821d0610ff899f65.txt"
HUANGGU = DOCUMENTS / "003_11601b642c36ea08.txt"
HULUDAO = DOCUMENTS / "004_685b846a30ff6753.txt"


def run_json(*args: str) -> dict | list:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture(autouse=True)
def _login_throttle_reset():
    """Every test starts with no login failures counted (the lockout itself stays on, as in production)."""
    from tasks_app.login_throttle import throttle_reset

    throttle_reset()


@pytest.fixture(autouse=True)
def _snapshots_reset():
    """No office snapshot outlives its test: a rolled-back test's plan ids come back with other data in the next."""
    from django.core.cache import cache

    cache.clear()


_LOADED: list = []


def analyze_if_postgres() -> None:
    """Refresh planner statistics after a bulk import inside the test transaction.

    Rows a test inserts are never seen by autovacuum, so PostgreSQL would plan joins over "empty"
    tables with nested loops and join filters, which takes minutes on a few thousand rows. ANALYZE in
    the same transaction counts them.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@pytest.fixture
def seeded_db(db):
    """The five seed documents imported inside the test's transaction (parsed once per session)."""
    from tasks_app.services.documents import document_load_path, document_save

    if not _LOADED:
        _LOADED.extend(document_load_path(path=path) for path in sorted(DOCUMENTS.glob("*.txt")))
    for loaded in _LOADED:
        document_save(loaded=loaded)
    analyze_if_postgres()
