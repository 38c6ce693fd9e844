"""``/healthz``: is this web node able to serve? For the reverse proxy and the process supervisor.

Open to anyone (a load balancer has no session) and says nothing an outsider could use: the state of each
part, never a host name, URL, version or error text. 200 when the database and the broker answer, 503 when
either does not (the proxy then takes the node out of rotation).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 2.0  # a health check must answer fast even when a part hangs


def database_ok() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        log.warning("healthz: the database does not answer", exc_info=True)
        return False


def broker_ok() -> bool:
    """Redis answers PING (REDIS_URL set); else the embedded filesystem broker's folder is writable."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        folder = Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", "")))
        return folder.is_dir() and os.access(folder, os.W_OK)
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        log.warning("healthz: the broker does not answer", exc_info=True)
        return False


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_ok(), "broker": broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if healthy else 503)
