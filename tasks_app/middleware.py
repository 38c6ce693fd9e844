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


# --- request bodies: refused by their declared length, before anything reads them ---------------------

MULTIPART_OVERHEAD = 64 * 1024  # boundaries, headers and the CSRF field around the file(s)


def upload_limits() -> dict[str, int]:
    """The largest body each upload endpoint (by URL name) accepts; every other request gets REQUEST_MAX_BYTES."""
    from tasks_app.services.contacts import CONTACTS_MAX_BYTES

    evidence = settings.EVIDENCE_MAX_BYTES + MULTIPART_OVERHEAD
    imports = settings.IMPORT_MAX_BYTES + MULTIPART_OVERHEAD
    return {
        "report": settings.EVIDENCE_REQUEST_MAX_BYTES,  # the report form: text and several files in one save
        "api-report-evidence": evidence,
        "console-imports": imports,
        "api-console-imports": imports,
        "console-units-contacts": CONTACTS_MAX_BYTES + MULTIPART_OVERHEAD,
    }


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


class UploadSizeLimitMiddleware:
    """A body whose Content-Length is over its endpoint's limit gets one 413 before any byte of it is read
    (placed before CSRF, which would parse it). Django never reads past Content-Length, so a body without
    one is read as empty; the services check every file's real size again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > 0:
            limit = self._limit(request)
            if length > limit:
                return self._refuse(request, length, limit)
        return self.get_response(request)

    @staticmethod
    def _limit(request: HttpRequest) -> int:
        from django.urls import Resolver404, resolve

        try:
            name = resolve(request.path_info).url_name or ""
        except Resolver404:
            name = ""
        return upload_limits().get(name, settings.REQUEST_MAX_BYTES)

    @staticmethod
    def _refuse(request: HttpRequest, length: int, limit: int) -> HttpResponse:
        message = (
            f"上传内容过大({_megabytes(length)}),本页面一次最多 {_megabytes(limit)},未接收。请分开上传或压缩后重试"
        )
        if request.path.startswith("/api/"):
            refused: HttpResponse = JsonResponse(
                {"detail": message}, status=413, json_dumps_params={"ensure_ascii": False}
            )
        else:
            refused = HttpResponse(render_to_string("tasks_app/too_large.html", {"message": message}), status=413)
        refused["Connection"] = "close"  # the unread body must not be taken for the next request
        return refused


# --- first password: changed before anything else -------------------------------------------------

PASSWORD_CHANGE_ALLOWED = ("/accounts/password/", "/accounts/logout/", "/accounts/login/", "/static/")


class PasswordChangeRequiredMiddleware:
    """A login an office admin created with a first password reaches only the password-change page (and
    logout) until it has changed that password (``AccountState.must_change_password``). API requests
    authenticate later (DRF), so ``ExpiringTokenAuthentication`` and the token endpoint refuse there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from tasks_app.services.accounts import FIRST_LOGIN_MESSAGE, password_change_required

        user = getattr(request, "user", None)  # the session's user; token clients are refused a token
        path = request.path
        if (
            user is None
            or not user.is_authenticated
            or path.startswith(PASSWORD_CHANGE_ALLOWED)
            or not password_change_required(user)
        ):
            return self.get_response(request)
        if path.startswith("/api/"):
            body = {"detail": FIRST_LOGIN_MESSAGE, "code": "password_change_required"}
            return JsonResponse(body, status=403, json_dumps_params={"ensure_ascii": False})
        from django.contrib import messages
        from django.shortcuts import redirect

        messages.info(request, "首次登录:请先修改初始密码,修改后才能使用系统")
        return redirect("password_change")
