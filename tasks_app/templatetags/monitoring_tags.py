"""Template helpers of the monitoring pages."""

from __future__ import annotations

from django import template

from tasks_app.selectors.console import PATH_KEYS

register = template.Library()


@register.filter
def path_key(status: str) -> str:
    """A path status (提前实现 …) as the CSS key its badge and bar segment use (early, ahead …)."""
    return PATH_KEYS.get(status, "nodata")
