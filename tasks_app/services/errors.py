"""The errors every service raises. Their messages are shown to the user as they are (zh-hans).

The API maps them in one place (``tasks_app.api.errors.api_exception_handler``); web views show the message:
- ``ServiceError``: a refused change (bad input, wrong state) → 400;
- ``InvalidTransition``: the object is not in a state that allows the change (review a draft…) → 400;
- ``NotAllowed``: the user may see the object but not make this change → 403;
- ``StaleEditError``: someone saved since the form was loaded; nothing was overwritten → 409, with the row as
  it is now (``current``) when the service knows it, so the caller can merge.
"""

from __future__ import annotations

from django.db.models import Model


class ServiceError(Exception):
    """A refused change."""


class InvalidTransition(ServiceError):
    """The object's current state does not allow this change."""


class NotAllowed(ServiceError):
    """The user may not make this change (the object stays visible to them)."""


class StaleEditError(ServiceError):
    """Someone saved since this form was loaded: nothing was overwritten."""

    def __init__(self, message: str, *, current: Model | None = None) -> None:
        super().__init__(message)
        self.current = current
