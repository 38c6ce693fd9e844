"""Where a signed-in user starts: the console for the planning office, 我的任务 for unit staff.

The decision is the capability layer's (``capabilities.lands_on_console``); the login form sends everyone
to ``/start/`` (``LOGIN_REDIRECT_URL``), including a login that began at the bare site address (``?next=/``).
The Django admin (系统管理) is for superusers only: everything the office does has its console page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.views.decorators.http import require_GET

from tasks_app import access
from tasks_app.capabilities import lands_on_console


@login_required
@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return redirect("console" if lands_on_console(access.capabilities(request.user)) else "home")


class RoleLoginView(auth_views.LoginView):
    """The login form; a ``next`` of the bare site root is no real destination, so it lands by role too."""

    def get_success_url(self) -> str:
        target = self.get_redirect_url()
        if target in ("", "/"):
            return resolve_url(settings.LOGIN_REDIRECT_URL)
        return target


def admin_site_permission(request: HttpRequest) -> bool:
    """系统管理 (the Django admin): active superusers only; office roles work in the console."""
    user = request.user
    return bool(user.is_active and getattr(user, "is_superuser", False))
