"""Process-wide tuning applied once a web or worker process has loaded the application."""

from __future__ import annotations

import gc

from django.conf import settings


def garbage_collector_tune() -> None:
    """Move everything loaded so far (modules, URL patterns, templates) out of the collector's sight and apply
    ``settings.GC_THRESHOLDS``. Those objects live as long as the process, so scanning them in every full
    collection is pure cost; with the default thresholds a 500-row API page spent half its time collecting."""
    thresholds = settings.GC_THRESHOLDS
    if thresholds is None:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)
