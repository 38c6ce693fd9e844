"""The gates every face uses: one decorator for function views (Django and DRF ``@api_view``) and one DRF
permission class for class-based API views. Both read the same two declarations and ask the same rule
(``access.request_refusal`` → ``capabilities.gate``), so a page, its API endpoint and its navigation link
always agree.

    @requires(Capability.VIEW_CONSOLE, write=Capability.REVIEW)     # a web view: login, then the gate
    def review_queue(request): ...

    @extend_schema(...)
    @requires(Capability.VIEW_CONSOLE, write=Capability.REVIEW)     # above @api_view: declares on its class
    @api_view(["GET", "POST"])
    def approve(request, pk): ...

    class TaskViewSet(GenericViewSet):
        permission_classes = [CapabilityPermission]
        permission = None                       # any signed-in user may read (scope decides what)
        write_permission = Capability.FILE_REPORTS

``permission`` is needed for every method (None: any signed-in user); unsafe methods also need
``write_permission`` (None: the view changes nothing, so writes are 403). A user without the console
gets 404 on console views, a signed-in user without the capability 403, anonymous users the login page
(web) or 401 (API).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from tasks_app import access
from tasks_app.capabilities import Capability

View = TypeVar("View", bound=Callable[..., Any])


def declared(view: Any) -> tuple[Capability | None, Capability | None]:
    """The (permission, write_permission) a view callable or class declares; ImproperlyConfigured if none."""
    target = getattr(view, "cls", view)
    if not hasattr(target, "permission"):
        name = getattr(target, "__qualname__", repr(target))
        raise ImproperlyConfigured(f"{name} declares no capability: use @requires(...) or set `permission`")
    return target.permission, getattr(target, "write_permission", None)


class CapabilityPermission(BasePermission):
    """DRF permission reading ``permission`` / ``write_permission`` from the view (pretix style)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False  # DRF answers 401 with the authentication header
        read, write = declared(view)
        refused = access.request_refusal(request.user, method=request.method or "GET", read=read, write=write)
        if refused is None:
            return True
        if refused.hidden:
            raise Http404(refused.message)
        raise exceptions.PermissionDenied(refused.message)


def requires(permission: Capability | None, *, write: Capability | None = None) -> Callable[[View], View]:
    """Declare what a function view needs: ``permission`` for every request, ``write`` for unsafe ones.

    On a Django view it adds the login redirect and the gate; on a DRF ``@api_view`` (put it above
    ``@api_view``) it sets the declarations and ``CapabilityPermission`` on the view's class.
    """

    def decorate(view: View) -> View:
        api_class = getattr(view, "cls", None)
        if isinstance(api_class, type) and issubclass(api_class, APIView):
            api_class.permission = permission  # type: ignore[attr-defined]
            api_class.write_permission = write  # type: ignore[attr-defined]
            api_class.permission_classes = [CapabilityPermission]
            return view

        @wraps(view)
        def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refused = access.request_refusal(request.user, method=request.method or "GET", read=permission, write=write)
            if refused is not None:
                raise Http404(refused.message) if refused.hidden else PermissionDenied(refused.message)
            return view(request, *args, **kwargs)

        wrapped = login_required(gated)
        wrapped.permission = permission  # type: ignore[attr-defined]
        wrapped.write_permission = write  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate
