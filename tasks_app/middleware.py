"""Response hardening every page and API answer gets: login lockout as 429, CSP, Permissions-Policy, no-store."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from tasks_app.login_throttle import LOCKOUT_ATTRIBUTE, lockout_message

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)


# Swagger UI's bundle injects <style> elements at run time; on its page alone inline styles are allowed
# (scripts stay as strict as everywhere).
INLINE_STYLE_PATHS = ("/api/docs/",)


def _csp(nonce: str, *, inline_styles: bool = False) -> str:
    # No inline script or style except what carries this response's nonce; nothing from another origin.
    styles = "style-src 'self' 'unsafe-inline'" if inline_styles else f"style-src 'self' 'nonce-{nonce}'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            styles,
            # style="" attributes (progress bars, hidden toggles) cannot run code; <style> elements need the nonce.
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class LoginLockoutMiddleware:
    """A password check refused by the lockout (tasks_app.login_throttle) answers 429 with Retry-After."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        seconds = getattr(request, LOCKOUT_ATTRIBUTE, 0)
        if not seconds:
            return response
        message = lockout_message(seconds)
        if request.path.startswith("/api/"):
            locked: HttpResponse = JsonResponse(
                {"detail": message}, status=429, json_dumps_params={"ensure_ascii": False}
            )
        else:
            html = render_to_string("registration/locked_out.html", {"message": message}, request=request)
            locked = HttpResponse(html, status=429)
        locked["Retry-After"] = str(seconds)
        return locked


class SecurityHeadersMiddleware:
    """CSP with a per-response nonce (`request.csp_nonce` in templates), Permissions-Policy, and no-store
    on everything a signed-in user or an API client receives (report data must not stay in shared caches)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if getattr(settings, "CONTENT_SECURITY_POLICY_ENABLED", True):
            inline_styles = request.path.startswith(INLINE_STYLE_PATHS)
            response.headers.setdefault("Content-Security-Policy", _csp(nonce, inline_styles=inline_styles))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if _private(request):
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response


def _private(request: HttpRequest) -> bool:
    if request.path.startswith(settings.STATIC_URL):
        return False
    user = getattr(request, "user", None)
    return bool(request.path.startswith("/api/") or (user is not None and user.is_authenticated))
