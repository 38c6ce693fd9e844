"""The API's one exception handler (settings REST_FRAMEWORK["EXCEPTION_HANDLER"]).

Service errors (tasks_app.services.errors) become responses here instead of in every view:
``ServiceError`` / ``InvalidTransition`` → 400 ``{"detail"}``, ``NotAllowed`` → 403 ``{"detail"}``,
``StaleEditError`` → 409 ``{"detail", "current"}`` where ``current`` is the row as it is now, in the shape the
endpoint returns it (each API module registers that shape with ``conflict_shape``). Everything else goes to
DRF's own handler (validation 400, Http404 404, PermissionDenied 403, authentication 401).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from tasks_app.services.errors import NotAllowed, ServiceError, StaleEditError

Shape = Callable[[Request, Any], Any]
_SHAPES: dict[type[Model], Shape] = {}


def conflict_shape(model: type[Model]) -> Callable[[Shape], Shape]:
    """Register how a stale ``model`` row is shown in a 409 (``shape(request, row)`` → JSON data)."""

    def register(shape: Shape) -> Shape:
        _SHAPES[model] = shape
        return shape

    return register


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if not isinstance(exc, ServiceError):
        return exception_handler(exc, context)
    set_rollback()
    body: dict[str, Any] = {"detail": str(exc)}
    if isinstance(exc, StaleEditError):
        shape = _SHAPES.get(type(exc.current)) if exc.current is not None else None
        if shape is not None:
            body["current"] = shape(context["request"], exc.current)
        return Response(body, status=status.HTTP_409_CONFLICT)
    code = status.HTTP_403_FORBIDDEN if isinstance(exc, NotAllowed) else status.HTTP_400_BAD_REQUEST
    return Response(body, status=code)
