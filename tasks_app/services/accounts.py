"""Demo accounts: one staff login per unit with assignments, plus a planning-office admin."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from tasks_app.models import Membership, OfficeRole, Unit

DEMO_EMAIL_DOMAIN = "demo.planner.local"
ADMIN_USERNAME = "admin"


def _demo_password(purpose: str) -> str:
    # Derived from SECRET_KEY so repeated runs print the same, still-valid password without storing it.
    digest = hmac.new(settings.SECRET_KEY.encode(), f"demo-password:{purpose}".encode(), hashlib.sha256)
    return f"{purpose.capitalize()}-{digest.hexdigest()[:10]}"


def demo_username(unit: Unit) -> str:
    return f"unit{unit.id}"


def demo_users_create() -> list[dict[str, Any]]:
    """Create or refresh the demo logins; returns {"username","password","department","role"} rows."""
    user_model = get_user_model()
    staff_password = _demo_password("staff")
    admin_password = _demo_password("admin")
    # One hash for all staff logins: hashing hundreds of passwords separately would take minutes.
    staff_hash = make_password(staff_password)
    rows: list[dict[str, Any]] = []
    with transaction.atomic():
        admin, _ = user_model.objects.get_or_create(
            username=ADMIN_USERNAME,
            defaults={"first_name": "规划办管理员", "email": f"admin@{DEMO_EMAIL_DOMAIN}"},
        )
        admin.is_staff = admin.is_superuser = True
        admin.set_password(admin_password)
        admin.save()
        OfficeRole.objects.update_or_create(user=admin, defaults={"role": OfficeRole.Role.ADMIN})
        rows.append({"username": admin.username, "password": admin_password, "department": None, "role": "admin"})

        units = list(
            Unit.objects.filter(assignments__isnull=False).distinct().select_related("jurisdiction").order_by("id")
        )
        existing = {u.username: u for u in user_model.objects.filter(username__in=[demo_username(u) for u in units])}
        new_users = [
            user_model(
                username=demo_username(unit),
                first_name=unit.name[:150],
                last_name=f"({unit.jurisdiction.name})",
                email=f"{demo_username(unit)}@{DEMO_EMAIL_DOMAIN}",
                password=staff_hash,
            )
            for unit in units
            if demo_username(unit) not in existing
        ]
        user_model.objects.bulk_create(new_users)
        user_model.objects.filter(username__in=existing.keys()).update(password=staff_hash)
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
                    "password": staff_password,
                    "department": unit.name,
                    "role": "staff",
                }
            )
    return rows
