"""Typed readers for settings that come from the environment. They fail loudly on bad values."""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: str) -> bool:
    raw = os.environ.get(name, default).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE)}, got {raw!r}")


def envint(name: str, default: str) -> int:
    raw = os.environ.get(name, default)
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envlist(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def envthresholds(name: str, default: str) -> tuple[int, int, int] | None:
    """Three positive integers for ``gc.set_threshold`` (``off`` or empty: keep Python's own)."""
    raw = os.environ.get(name, default).strip().lower()
    if raw in ("", "off"):
        return None
    parts = [part.strip() for part in raw.split(",")]
    if len(parts) != 3 or not all(part.isdigit() and int(part) > 0 for part in parts):
        raise ImproperlyConfigured(f"{name} must be three positive integers such as 50000,20,100 or off, got {raw!r}")
    first, second, third = (int(part) for part in parts)
    return first, second, third


def envtimewindow(name: str, default: str) -> tuple[time, time] | None:
    """A daily window such as ``20:00-08:00`` (``off`` or empty: none); see tasks_app.reminders.quiet."""
    from tasks_app.reminders.quiet import parse_window  # pure: no Django, safe while settings load

    raw = os.environ.get(name, default)
    try:
        return parse_window(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from exc


def database_from_url(url: str, *, base_dir: Path) -> dict:
    """Translate DATABASE_URL (sqlite:///path or postgres://user:pass@host:port/name) into Django's dict."""
    parsed = urlparse(url)
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if url.startswith("sqlite:////"):  # four slashes: an absolute path
            name = "/" + path.lstrip("/")
        else:
            name = str(base_dir / path.lstrip("/")) if path not in ("", "/") else ":memory:"
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name, "OPTIONS": {"timeout": 20}}
    if parsed.scheme in ("postgres", "postgresql", "pgsql"):
        # JIT compilation costs 0.1-1 s per query whose estimate crosses jit_above_cost, on every request: the
        # office pages' aggregates over 50,000 items paid more for compiling than for running. Pages here are
        # short OLTP queries; ?options=... in DATABASE_URL replaces this default.
        options.setdefault("options", "-c jit=off")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parsed.scheme!r} is not supported (use sqlite or postgres)")
