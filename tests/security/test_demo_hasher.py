"""Demo logins are hashed cheaply (random passwords) and re-hashed with the strong default at first login."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tasks_app.password_hashing import DEMO_ALGORITHM, passwords_hash

pytestmark = pytest.mark.django_db

STRONG_FIRST = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "tasks_app.password_hashing.DemoPBKDF2PasswordHasher",
]


def test_it_hashes_demo_passwords_with_the_demo_hasher_and_upgrades_them_at_first_login(settings):
    settings.PASSWORD_HASHERS = STRONG_FIRST
    [encoded] = passwords_hash(["Demo-abcdefghijklmnop"])
    assert encoded.startswith(f"{DEMO_ALGORITHM}$50000$")
    user = get_user_model().objects.create(username="demo-unit", password=encoded)
    assert not user.check_password("Demo-wrong")
    assert user.check_password("Demo-abcdefghijklmnop")
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$") and not user.password.startswith(DEMO_ALGORITHM)


def test_it_falls_back_to_the_default_hasher_where_the_demo_hasher_is_not_installed(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert passwords_hash(["Demo-x"])[0].startswith("md5$")
