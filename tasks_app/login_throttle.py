"""Brute-force protection for every password check: the login form, the admin login and the token endpoint.

All three call `django.contrib.auth.authenticate`, so the rule lives in one authentication backend
(`ThrottledModelBackend`): failures are counted in the cache per username and per client address; once a
subject reaches its limit it is locked for `LOGIN_LOCKOUT_SECONDS` and every attempt for it, right password
or not, is refused before the password is checked. `tasks_app.middleware.LoginLockoutMiddleware` turns a
refusal into HTTP 429 with a Chinese message and `Retry-After`.

The cache is Redis when REDIS_URL is set (shared by every process), else the process's local memory.
Keys carry a generation number so `throttle_reset()` forgets every counter without flushing the cache.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

GENERATION_KEY = "login-throttle:generation"
LOCKOUT_ATTRIBUTE = "login_lockout_seconds"


def _limits() -> tuple[int, int, int, int]:
    return (
        int(getattr(settings, "LOGIN_USERNAME_FAILURE_LIMIT", 5)),
        int(getattr(settings, "LOGIN_ADDRESS_FAILURE_LIMIT", 20)),
        int(getattr(settings, "LOGIN_FAILURE_WINDOW_SECONDS", 900)),
        int(getattr(settings, "LOGIN_LOCKOUT_SECONDS", 900)),
    )


def client_address(request: HttpRequest | None) -> str:
    """REMOTE_ADDR, or the address the trusted proxy saw (the last X-Forwarded-For entry it appended)."""
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = getattr(settings, "TRUSTED_PROXIES", ())
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote in trusted and forwarded:
        return forwarded.split(",")[-1].strip()
    return remote


def _generation() -> int:
    return int(cache.get_or_set(GENERATION_KEY, 1, timeout=None) or 1)


def _key(kind: str, subject: str, value: str, generation: int) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"login-throttle:{generation}:{kind}:{subject}:{digest}"


def _subjects(username: str, address: str) -> list[tuple[str, str, int]]:
    username_limit, address_limit, _, _ = _limits()
    subjects = []
    if username:
        subjects.append(("username", username.strip().casefold(), username_limit))
    if address:
        subjects.append(("address", address, address_limit))
    return subjects


def lockout_remaining(*, username: str, address: str) -> int:
    """Seconds until this username or address may try again; 0 when neither is locked."""
    generation = _generation()
    keys = [_key("lock", subject, value, generation) for subject, value, _ in _subjects(username, address)]
    until = max([float(v) for v in cache.get_many(keys).values()], default=0.0)
    return max(0, math.ceil(until - time.time()))


def failure_record(*, username: str, address: str) -> None:
    """Count one wrong password; a subject reaching its limit is locked for LOGIN_LOCKOUT_SECONDS."""
    _, _, window, lockout = _limits()
    generation = _generation()
    for subject, value, limit in _subjects(username, address):
        key = _key("fail", subject, value, generation)
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
        if count >= limit:
            cache.set(_key("lock", subject, value, generation), time.time() + lockout, timeout=lockout)
            cache.delete(key)


def success_record(*, username: str) -> None:
    """A right password clears the username's failures (not the address's: one success must not reopen a spray)."""
    if username:
        cache.delete(_key("fail", "username", username.strip().casefold(), _generation()))


def throttle_reset() -> None:
    """Forget every counter and lock (tests, or an operator after a false alarm)."""
    generation = _generation()
    cache.set(GENERATION_KEY, generation + 1, timeout=None)


def _django_request(request: Any) -> HttpRequest | None:
    # DRF passes its Request wrapper; the attribute must land on the Django request the middleware sees.
    return getattr(request, "_request", request)


class ThrottledModelBackend(ModelBackend):
    """ModelBackend behind the lockout: a locked username or address never reaches the password check."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        django_request = _django_request(request)
        name = username if username is not None else kwargs.get("username", "")
        name = str(name or "")
        address = client_address(django_request)
        remaining = lockout_remaining(username=name, address=address)
        if remaining:
            if django_request is not None:
                setattr(django_request, LOCKOUT_ATTRIBUTE, remaining)
            raise PermissionDenied("login locked out")  # authenticate() stops here and reports a failure
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            if name and password is not None:
                failure_record(username=name, address=address)
        else:
            success_record(username=name)
        return user


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"登录失败次数过多,账号或来源地址已被暂时锁定,请 {minutes} 分钟后再试。如非本人操作,请联系规划办管理员。"
