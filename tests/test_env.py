from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from planner.env import database_from_url, envbool, envint
from tests.conftest import ROOT


def test_it_reads_booleans_and_fails_loudly_on_nonsense(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert envbool("FLAG", "false") is True
    monkeypatch.setenv("FLAG", "0")
    assert envbool("FLAG", "true") is False
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        envbool("FLAG", "false")
    monkeypatch.setenv("NUM", "x")
    with pytest.raises(ImproperlyConfigured):
        envint("NUM", "1")


def test_it_parses_database_urls():
    pg = database_from_url("postgres://u:p%40ss@db.local:5433/planner", base_dir=Path("/app"))
    assert pg["ENGINE"].endswith("postgresql") and pg["PASSWORD"] == "p@ss" and pg["PORT"] == "5433"
    assert database_from_url("sqlite:////tmp/x.db", base_dir=Path("/app"))["NAME"] == "/tmp/x.db"
    assert database_from_url("sqlite:///var/x.db", base_dir=Path("/app"))["NAME"] == "/app/var/x.db"
    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://x/y", base_dir=Path("/app"))


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    base.update(env)
    base["DJANGO_SETTINGS_MODULE"] = "planner.settings"
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True)


def test_it_refuses_to_start_without_a_secret_key_in_production(tmp_path):
    proc = _manage("check", env={"DEBUG": "false", "VAR_DIR": str(tmp_path)})
    assert proc.returncode != 0
    assert "SECRET_KEY must be set" in proc.stderr


def test_it_passes_the_deploy_checklist_under_production_settings(tmp_path):
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 30 + "-a-long-random-production-like-key-" + "y" * 20,
        "ALLOWED_HOSTS": "plan.example.gov.cn",
        "VAR_DIR": str(tmp_path),
    }
    proc = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
