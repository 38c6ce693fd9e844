"""Demo accounts: one staff login per unit with assignments, plus a planning-office admin."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token

from tasks_app.models import Membership, OfficeRole, Unit
from tasks_app.password_hashing import passwords_hash

DEMO_EMAIL_DOMAIN = "demo.planner.local"
ADMIN_USERNAME = "admin"


def demo_password() -> str:
    """A fresh random password (about 95 bits): each login its own, kept nowhere but in its hash."""
    return f"Demo-{secrets.token_urlsafe(12)}"


def demo_username(unit: Unit) -> str:
    return f"unit{unit.id}"


def demo_users_create() -> list[dict[str, Any]]:
    """Create the demo logins, or give existing ones new passwords; returns
    {"username","password","department","role","jurisdiction"} rows. Every run sets fresh random passwords (so the printed
    list always works) and revokes the logins' API tokens; sessions end with the old password hash."""
    user_model = get_user_model()
    units = list(
        Unit.objects.filter(assignments__isnull=False).distinct().select_related("jurisdiction").order_by("id")
    )
    usernames = [ADMIN_USERNAME, *(demo_username(unit) for unit in units)]
    passwords = {name: demo_password() for name in usernames}
    # Hashed before the transaction: the slow part holds no lock.
    hashes = dict(zip(usernames, passwords_hash([passwords[name] for name in usernames]), strict=True))
    rows: list[dict[str, Any]] = []
    with transaction.atomic():
        admin, _ = user_model.objects.get_or_create(
            username=ADMIN_USERNAME,
            defaults={"first_name": "规划办管理员", "email": f"admin@{DEMO_EMAIL_DOMAIN}"},
        )
        admin.is_staff = admin.is_superuser = True
        admin.password = hashes[ADMIN_USERNAME]
        admin.save()
        OfficeRole.objects.update_or_create(user=admin, defaults={"role": OfficeRole.Role.ADMIN, "jurisdiction": None})
        rows.append(
            {
                "username": admin.username,
                "password": passwords[ADMIN_USERNAME],
                "department": None,
                "role": "admin",
                "jurisdiction": None,  # the whole install
            }
        )

        existing = {u.username: u for u in user_model.objects.filter(username__in=usernames[1:])}
        new_users = [
            user_model(
                username=demo_username(unit),
                first_name=unit.name[:150],
                last_name=f"({unit.jurisdiction.name})",
                email=f"{demo_username(unit)}@{DEMO_EMAIL_DOMAIN}",
                password=hashes[demo_username(unit)],
            )
            for unit in units
            if demo_username(unit) not in existing
        ]
        user_model.objects.bulk_create(new_users)
        for user in existing.values():
            user.password = hashes[user.username]
        user_model.objects.bulk_update(existing.values(), ["password"])
        # bulk_update sends no save signal: revoke the old passwords' tokens here.
        Token.objects.filter(user__username__in=usernames).delete()
        users = {u.username: u for u in user_model.objects.filter(username__in=[demo_username(u) for u in units])}
        Membership.objects.bulk_create(
            [Membership(user=users[demo_username(unit)], unit=unit, role=Membership.Role.STAFF) for unit in units],
            ignore_conflicts=True,
        )
        for unit in units:
            email = f"{demo_username(unit)}@{DEMO_EMAIL_DOMAIN}"
            if email not in unit.contact_emails:
                unit.contact_emails = [*unit.contact_emails, email]
                unit.save(update_fields=["contact_emails"])
            rows.append(
                {
                    "username": demo_username(unit),
                    "password": passwords[demo_username(unit)],
                    "department": unit.name,
                    "role": "staff",
                    "jurisdiction": unit.jurisdiction.name,
                }
            )
    return rows
