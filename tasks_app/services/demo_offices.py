"""Demo planning-office admins scoped to one jurisdiction each (BRIEF §5: create_demo_users).

One per jurisdiction that has a plan: a city's admin also sees its districts (tasks_app.access), a district's
sees only its own. Like every demo login, each run sets a fresh random password and revokes old tokens.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token

from tasks_app.models import Jurisdiction, OfficeRole, Plan
from tasks_app.password_hashing import passwords_hash
from tasks_app.services.accounts import DEMO_EMAIL_DOMAIN, demo_password


def demo_office_username(jurisdiction: Jurisdiction) -> str:
    return f"office{jurisdiction.pk}"


def demo_office_admins_create() -> list[dict[str, Any]]:
    """Create (or re-password) one office admin per jurisdiction with a plan; returns the BRIEF §5 rows."""
    places = list(Jurisdiction.objects.filter(pk__in=Plan.objects.values("jurisdiction_id")).order_by("pk"))
    passwords = {demo_office_username(place): demo_password() for place in places}
    hashes = dict(zip(passwords, passwords_hash(list(passwords.values())), strict=True))
    rows: list[dict[str, Any]] = []
    with transaction.atomic():
        for place in places:
            username = demo_office_username(place)
            user, _ = get_user_model().objects.get_or_create(
                username=username,
                defaults={"first_name": f"{place.name}规划办管理员", "email": f"{username}@{DEMO_EMAIL_DOMAIN}"},
            )
            user.password = hashes[username]
            user.save(update_fields=["password"])
            OfficeRole.objects.update_or_create(
                user=user, defaults={"role": OfficeRole.Role.ADMIN, "jurisdiction": place}
            )
            rows.append(
                {
                    "username": username,
                    "password": passwords[username],
                    "department": None,
                    "role": "admin",
                    "jurisdiction": place.name,
                }
            )
        Token.objects.filter(user__username__in=passwords).delete()
    return rows
