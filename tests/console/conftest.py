"""Fixtures every console test module shares: kept files in a per-test folder, eager Celery when asked."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """Uploaded and generated files go to a folder of this test's own (and vanish with it)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def eager(settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
