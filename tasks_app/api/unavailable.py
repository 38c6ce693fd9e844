"""A JSON 503 with Retry-After for API requests while the database is unreachable.

An outage raises django.db.OperationalError / InterfaceError wherever the request first touches the database: in a
view, in DRF's token authentication, in the session middleware. Django turns any of those into its HTML 500 page;
API clients (and their retry logic) need a machine-readable "try again later" instead. The exception is noted on
the request when Django handles it (got_request_exception), and this middleware, first in MIDDLEWARE, replaces the
resulting response for paths under /api/. Pages outside the API keep Django's error handling.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
RETRY_AFTER = 30  # seconds: a database restart or failover usually takes less
DETAIL = "数据库暂时不可用,请稍后重试。"
_MARK = "_database_unavailable"


def _note_database_down(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    error = sys.exc_info()[1]  # the signal is sent while Django handles the exception
    if request is not None and isinstance(error, (OperationalError, InterfaceError)):
        setattr(request, _MARK, f"{type(error).__name__}: {error}")


got_request_exception.connect(_note_database_down, dispatch_uid="api-database-unavailable")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        error = getattr(request, _MARK, None)
        if error is None or not request.path.startswith(API_PREFIX):
            return response
        log.warning("API %s %s answered 503: database unavailable (%s)", request.method, request.path, error)
        unavailable = JsonResponse({"detail": DETAIL, "code": "database_unavailable"}, status=503)
        unavailable["Retry-After"] = str(RETRY_AFTER)
        return unavailable
