"""Accounts: the demo logins (one staff login per unit with assignments, plus a planning-office admin) and\nreal ones an office admin creates for a unit's staff, with a first password changed at the first sign-in."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tasks_app import access
from tasks_app.capabilities import Capability
from tasks_app.models import AccountState, AuditEntry, Membership, OfficeRole, Unit
from tasks_app.password_hashing import passwords_hash
from tasks_app.services.division import audit_record
from tasks_app.services.errors import ServiceError

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


def demo_head_username(unit: Unit) -> str:
    return f"{demo_username(unit)}-head"


def demo_heads_create() -> list[dict[str, Any]]:
    """``create_demo_users --heads``: a 单位负责人 login for every demo unit (``unit<ID>-head``), so staff submissions
    of those units wait for the head's sign-off; rows like ``demo_users_create``'s with ``"role": "head"``. Fresh
    random passwords on every run, API tokens revoked."""
    user_model = get_user_model()
    units = list(
        Unit.objects.filter(assignments__isnull=False).distinct().select_related("jurisdiction").order_by("id")
    )
    usernames = [demo_head_username(unit) for unit in units]
    passwords = {name: demo_password() for name in usernames}
    hashes = dict(zip(usernames, passwords_hash([passwords[name] for name in usernames]), strict=True))
    with transaction.atomic():
        existing = {u.username: u for u in user_model.objects.filter(username__in=usernames)}
        user_model.objects.bulk_create(
            [
                user_model(
                    username=demo_head_username(unit),
                    first_name=f"{unit.name}负责人"[:150],
                    last_name=f"({unit.jurisdiction.name})",
                    email=f"{demo_head_username(unit)}@{DEMO_EMAIL_DOMAIN}",
                    password=hashes[demo_head_username(unit)],
                )
                for unit in units
                if demo_head_username(unit) not in existing
            ]
        )
        for user in existing.values():
            user.password = hashes[user.username]
        user_model.objects.bulk_update(existing.values(), ["password"])
        Token.objects.filter(user__username__in=usernames).delete()
        users = {u.username: u for u in user_model.objects.filter(username__in=usernames)}
        Membership.objects.bulk_create(
            [Membership(user=users[demo_head_username(u)], unit=u, role=Membership.Role.HEAD) for u in units],
            ignore_conflicts=True,
        )
    return [
        {
            "username": demo_head_username(unit),
            "password": passwords[demo_head_username(unit)],
            "department": unit.name,
            "role": "head",
            "jurisdiction": unit.jurisdiction.name,
        }
        for unit in units
    ]


# --- real accounts: an office admin creates a unit's staff login with a first password ------------------


FIRST_LOGIN_MESSAGE = "该账号的初始密码尚未修改:请先在网页登录并修改密码,然后再使用 API"


class AccountError(ServiceError):
    """A refused account change; the message is one line for the office."""


def staff_account_create(
    *,
    actor: Any,
    unit: Unit,
    username: str,
    full_name: str,
    role: str,
    first_password: str,
    email: str = "",
) -> Any:
    """A login for ``unit`` (a ``Membership`` with ``role``: 填报人 or 单位负责人) whose ``first_password``
    must be changed at the first sign-in (``AccountState``). Django's password validators apply; the
    unit must be one the actor sees (``access.visible_units``); audited without the password."""
    access.require(actor, Capability.MANAGE_ACCOUNTS)
    if actor is not None and not access.visible_units(actor).filter(pk=unit.pk).exists():
        raise AccountError("单位不存在或不在您的权限范围内")
    username = (username or "").strip()
    full_name = " ".join((full_name or "").split())
    email = (email or "").strip()
    if role not in Membership.Role.values:
        raise AccountError("角色只能是填报人或单位负责人")
    if not full_name or len(full_name) > 150:
        raise AccountError("请填写姓名(不超过 150 个字)")
    user_model = get_user_model()
    candidate = user_model(username=username, first_name=full_name, email=email)
    try:
        UnicodeUsernameValidator()(username)
        if not username or len(username) > 150:
            raise ValidationError("用户名须为 1–150 个字符")
        if email:
            validate_email(email)
        validate_password(first_password, user=candidate)
    except ValidationError as exc:
        raise AccountError(";".join(exc.messages)) from exc
    candidate.set_password(first_password)
    with transaction.atomic():
        if user_model.objects.filter(username__iexact=username).exists():
            raise AccountError(f"用户名“{username}”已被使用,请换一个")
        try:
            with transaction.atomic():
                candidate.save()
        except IntegrityError as exc:  # a concurrent create won the unique username
            raise AccountError(f"用户名“{username}”已被使用,请换一个") from exc
        Membership.objects.create(user=candidate, unit=unit, role=role)
        AccountState.objects.create(user=candidate, must_change_password=True, created_by=_real(actor))
        role_label = Membership.Role(role).label
        audit_record(
            actor=actor,
            action=AuditEntry.Action.ACCOUNT_CREATE,
            object_type="user",
            object_id=candidate.pk,
            jurisdiction_id=unit.jurisdiction_id,
            summary=f"为{unit.name}创建账号 {username}({full_name},{role_label}),首次登录须修改初始密码",
            after={"username": username, "name": full_name, "unit": unit.name, "role": role, "email": email},
        )
    return candidate


def password_change_required(user: Any) -> bool:
    """Whether the signed-in ``user`` still holds the first password an office admin set (once per request)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = user.__dict__.get("_must_change_password")
    if cached is None:
        cached = AccountState.objects.filter(user_id=user.pk, must_change_password=True).exists()
        user.__dict__["_must_change_password"] = cached
    return bool(cached)


def account_password_changed(*, user: Any) -> None:
    """The user changed their own password: the first-password rule no longer holds (audited once)."""
    changed = AccountState.objects.filter(user_id=user.pk, must_change_password=True).update(
        must_change_password=False, password_changed_at=timezone.now()
    )
    user.__dict__["_must_change_password"] = False
    if changed:
        unit_jurisdiction = (
            Membership.objects.filter(user_id=user.pk).values_list("unit__jurisdiction_id", flat=True).first()
        )
        audit_record(
            actor=user,
            action=AuditEntry.Action.ACCOUNT_PASSWORD,
            object_type="user",
            object_id=user.pk,
            jurisdiction_id=unit_jurisdiction,
            summary=f"{user.get_username()} 首次登录后修改了初始密码",
        )


def _real(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None
