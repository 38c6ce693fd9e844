"""Settings for the test suite: the production settings with a throwaway key and isolated paths."""

import os
import secrets
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# Tests run at any hour: quiet hours are off unless a test turns them on (tests/reminders/test_quiet_hours.py).
os.environ.setdefault("REMINDER_QUIET_HOURS", "off")
os.environ.setdefault("REMINDER_QUIET_WEEKENDS", "false")
# The office snapshots are on (one process, its local cache is shared): every test reads through them, so a change
# a snapshot failed to hear shows up as a stale count (tests/test_snapshots.py); conftest clears the cache per test.
os.environ.setdefault("OFFICE_SNAPSHOT_SECONDS", "600")
_tmp = tempfile.mkdtemp(prefix="planner-test-")
os.environ.setdefault("EMAIL_FILE_PATH", os.path.join(_tmp, "mail"))
os.environ.setdefault("MEDIA_ROOT", os.path.join(_tmp, "media"))

from planner.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
STATIC_ROOT = Path(_tmp) / "static"  # whitenoise warns on every request when the folder is missing
os.makedirs(STATIC_ROOT, exist_ok=True)
