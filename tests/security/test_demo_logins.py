"""Demo logins: a distinct random password each, stored only as a hash, and the printed list always works."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tasks_app.password_hashing import passwords_hash
from tests.conftest import run_json

pytestmark = pytest.mark.django_db


def test_it_gives_every_demo_login_its_own_password(seeded_db):
    rows = run_json("create_demo_users")
    assert len(rows) > 100
    for row in rows:  # BRIEF §5: these keys, plus "jurisdiction" where the scoping branch adds it
        assert {"username", "password", "department", "role"} <= set(row) <= {
            "username", "password", "department", "role", "jurisdiction",
        }  # fmt: skip
    passwords = [r["password"] for r in rows]
    assert len(set(passwords)) == len(passwords), "no two logins share a password"
    users = get_user_model().objects.in_bulk([r["username"] for r in rows], field_name="username")
    for row in rows:
        stored = users[row["username"]].password
        assert row["password"] not in stored and stored.count("$") >= 1, "only a hash is stored"
    # One unit's staff cannot log in as another unit with their own password.
    education, forestry = [row for row in rows if row["role"] == "staff"][:2]
    assert not Client().login(username=forestry["username"], password=education["password"])


def test_it_prints_passwords_that_work_on_every_run(seeded_db):
    first = run_json("create_demo_users")
    token = APIClient().post(
        "/api/auth/token/", {"username": first[1]["username"], "password": first[1]["password"]}, format="json"
    )
    assert token.status_code == 200
    second = run_json("create_demo_users")
    assert {r["username"] for r in second} == {r["username"] for r in first}
    for old, new in zip(first[:3], second[:3], strict=True):
        assert old["password"] != new["password"]
        assert not Client().login(username=old["username"], password=old["password"])
        assert Client().login(username=new["username"], password=new["password"])
    assert not Token.objects.filter(key=token.json()["token"]).exists(), "the old password's token is revoked"


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])
def test_it_hashes_with_the_production_hasher_on_every_core():
    """The real cost: PBKDF2 at Django's default iterations, the same hashes as make_password would give."""
    passwords = [f"pw-{n}" for n in range(6)]
    started = time.perf_counter()
    hashes = passwords_hash(passwords)
    elapsed = time.perf_counter() - started
    assert all(h.startswith("pbkdf2_sha256$1000000$") for h in hashes)
    from django.contrib.auth.hashers import check_password

    assert all(check_password(p, h) for p, h in zip(passwords, hashes, strict=True))
    assert len(set(hashes)) == len(hashes)
    print(f"6 PBKDF2 hashes in {elapsed:.2f} s; one in-process hash: {_one_hash_seconds():.2f} s")


def _one_hash_seconds() -> float:
    started = time.perf_counter()
    make_password("x")
    return time.perf_counter() - started


def test_it_adds_unit_heads_only_behind_the_heads_flag(seeded_db):
    from tasks_app.models import Membership, Report, Unit
    from tasks_app.selectors.unit_heads import unit_has_head

    plain = run_json("create_demo_users")
    assert {row["role"] for row in plain} == {"staff", "admin"}  # BRIEF §5: the default output is unchanged
    with_heads = run_json("create_demo_users", "--heads")
    heads = [row for row in with_heads if row["role"] == "head"]
    assert with_heads[: len(plain)] == [{**row, "password": with_heads[i]["password"]} for i, row in enumerate(plain)]
    assert len(heads) == sum(1 for row in plain if row["role"] == "staff")
    first = heads[0]
    assert first["username"].endswith("-head") and Client().login(
        username=first["username"], password=first["password"]
    )
    unit = Unit.objects.get(memberships__user__username=first["username"])
    assert unit_has_head(unit_id=unit.pk) and unit.name == first["department"]
    assert Membership.objects.get(user__username=first["username"]).role == Membership.Role.HEAD
    assert not Report.objects.exists()  # logins only: nothing is submitted or routed here
