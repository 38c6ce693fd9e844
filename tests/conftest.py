from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

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


@pytest.fixture(scope="session")
def seeded_db(django_db_setup, django_db_blocker):
    """The five seed documents imported once for the whole session (read-only tests use it)."""
    with django_db_blocker.unblock():
        call_command("seed_documents", stdout=StringIO())
    yield


from tests.personas import personas  # noqa: E402, F401  (fixture shared by web and api tests)
