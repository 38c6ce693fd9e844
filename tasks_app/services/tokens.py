"""API tokens: issued on a password check, valid API_TOKEN_TTL_SECONDS, replaced once expired, revoked on
logout and on every password change (tasks_app/signals.py). DRF's Token table holds at most one per user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token


def token_lifetime() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "API_TOKEN_TTL_SECONDS", 8 * 3600)))


def token_expires_at(token: Token) -> datetime:
    return token.created + token_lifetime()


def token_is_expired(token: Token, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token)


@dataclass(frozen=True)
class TokenRow:
    """What the owner may see of a token: never the whole key."""

    key_hint: str
    created: datetime
    expires: datetime
    expired: bool


def token_issue(*, user: Any) -> Token:
    """The user's current token, or a fresh one when there is none or it has expired (rotation)."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and not token_is_expired(token):
            return token
        if token is not None:
            token.delete()
        return Token.objects.create(user=user)


def token_revoke_all(*, user: Any) -> int:
    """Delete every token of the user; returns how many there were."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


def tokens_of(*, user: Any) -> list[TokenRow]:
    now = timezone.now()
    return [
        TokenRow(
            key_hint=f"…{token.key[-4:]}",
            created=token.created,
            expires=token_expires_at(token),
            expired=token_is_expired(token, now=now),
        )
        for token in Token.objects.filter(user=user)
    ]
