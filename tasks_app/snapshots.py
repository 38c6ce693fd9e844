"""Office aggregates computed once per change of the data they count, not once per page view.

The dashboard of a 50,000-item plan and the office's facet counts fold every reporting slot of the plan on each
read (~0.2–0.5 s at province scale). Their inputs change far less often than they are read: a unit editing its
draft changes nothing they count. So each such read is kept in the cache under a key made of its arguments and
the **data tokens** of the plans it reads; any change to what those reads count replaces the plans' tokens, and
the next read computes afresh. A read is never stale: a changed token is a different key.

What replaces a plan's token (``plans_changed``):
- a save or delete of the plan, its cycles, sections, items, assignments, indicator records, and of a report
  that changes where it counts (status, cycle, item, unit) or, once done, what it says (submission time,
  progress, actual value): a draft's text saved again counts nothing — the model signals below, whichever face
  or command saves them;
- the bulk writes that bypass those signals (``QuerySet.update``/``bulk_create``: import, bulk approval,
  accepted suggestions, unit merges), which call ``plans_changed`` / ``everything_changed`` themselves.
A unit's rename or merge replaces the global token (``everything_changed``): every plan may name the unit.

The token is replaced twice: at once (the writer's own transaction, and tests that run in one, read the new
state) and again after the commit (a read that ran between the two saw the uncommitted-before state under the
first new token; the second makes that entry unreachable).

Tokens and entries live in Django's cache. Several processes must share it (Redis: ``REDIS_URL``), which is
why snapshots are on by default only then (``OFFICE_SNAPSHOT_SECONDS``; the embedded default serves one
process, where a process-local cache is shared by construction, and test settings turn them on).
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from tasks_app.models import (
    Assignment,
    IndicatorActual,
    IndicatorDetail,
    IndicatorTarget,
    MonitoringSettings,
    Plan,
    Report,
    ReportingCycle,
    Section,
    Unit,
    WorkItem,
)

T = TypeVar("T")

_EVERYTHING = "snapshot-token:all"
# Where a report counts (its status, cycle, item and unit) and, once it is done, what it says: a save that leaves
# these alone changes no aggregate (the dashboard, lights and indicators read done reports only).
REPORT_PLACE_FIELDS = ("status", "cycle_id", "item_id", "unit_id")
REPORT_DONE_FIELDS = ("submitted_at", "progress_status", "actual_value_text", "actual_value")


def snapshots_enabled() -> bool:
    return settings.OFFICE_SNAPSHOT_SECONDS > 0


def _token_key(plan_id: int) -> str:
    return f"snapshot-token:plan:{plan_id}"


def _replace(keys: Collection[str]) -> None:
    token = uuid.uuid4().hex
    cache.set_many(dict.fromkeys(keys, token), timeout=None)


def _replace_now_and_after_commit(keys: Collection[str]) -> None:
    if not keys or not snapshots_enabled():
        return
    _replace(keys)
    transaction.on_commit(lambda: _replace(keys))


def plans_changed(*, plan_ids: Iterable[int | None]) -> None:
    """Something the plans' aggregates count changed: their snapshots are computed afresh on the next read."""
    _replace_now_and_after_commit([_token_key(pk) for pk in {pk for pk in plan_ids if pk is not None}])


def everything_changed() -> None:
    """A change any plan may show (a unit renamed or merged): every snapshot is computed afresh."""
    _replace_now_and_after_commit([_EVERYTHING])


def _tokens(plan_ids: Collection[int]) -> list[str]:
    keys = [_EVERYTHING, *(_token_key(pk) for pk in sorted(plan_ids))]
    found = cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    for key, token in missing.items():
        # add: a concurrent reader that created the token first wins, and both then use the same one
        if not cache.add(key, token, timeout=None):
            token = cache.get(key) or token
        found[key] = token
    return [found[key] for key in keys]


@functools.cache
def code_version() -> str:
    """The code and settings the snapshots were built with. Entries are pickled objects of the selectors' own
    classes and outlive a restart in Redis: after a deploy that changed the code building them (or a setting they
    read), the new code must neither read an old shape nor an old rule's result."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*root.glob("selectors/*.py"), *root.glob("rules/*.py"), *root.glob("models/*.py")]):
        digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update(repr((settings.TRAFFIC_LIGHT_WARNING_DAYS, settings.TIME_ZONE)).encode())
    return digest.hexdigest()[:16]


def plan_snapshot(name: str, *, plan_ids: Collection[int], key: Iterable[Any], compute: Callable[[], T]) -> T:
    """``compute()`` for these arguments, from the cache while none of ``plan_ids`` changed (module docstring).

    ``key`` names everything else the result depends on (cycle, filters, the user's scope, today's date); it
    must have a stable ``repr``."""
    if not snapshots_enabled():
        return compute()
    digest = hashlib.sha256(repr((tuple(key), _tokens(plan_ids))).encode()).hexdigest()
    cache_key = f"snapshot:{code_version()}:{name}:{digest}"
    found = cache.get(cache_key)
    if found is not None:
        return found
    value = compute()
    cache.set(cache_key, value, timeout=settings.OFFICE_SNAPSHOT_SECONDS)
    return value


# --- what replaces the tokens ----------------------------------------------------------------------------


def _plan_of(instance: Any) -> int | None:
    if isinstance(instance, Plan):
        return instance.pk
    if isinstance(instance, (ReportingCycle, Section, WorkItem, MonitoringSettings)):
        return instance.plan_id
    parent, parent_id = ("cycle", instance.cycle_id) if isinstance(instance, Report) else ("item", instance.item_id)
    loaded = instance._state.fields_cache.get(parent)
    if loaded is not None:
        return loaded.plan_id
    model = ReportingCycle if parent == "cycle" else WorkItem
    return model.objects.filter(pk=parent_id).values_list("plan_id", flat=True).first()


# Models whose rows a plan's aggregates read; a report is watched apart (only its counted fields matter).
PLAN_MODELS = (
    Plan,
    ReportingCycle,
    Section,
    WorkItem,
    Assignment,
    IndicatorDetail,
    IndicatorTarget,
    IndicatorActual,
    MonitoringSettings,
)


def _saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if snapshots_enabled():
        plans_changed(plan_ids=[_plan_of(instance)])


def _deleted(sender: Any, instance: Any, origin: Any = None, **kwargs: Any) -> None:
    # Only a row deleted on its own: a cascade is covered by its origin's own signal (a plan, cycle or item), and a
    # queryset's .delete() happens in a service that calls plans_changed once (a lookup per row would turn
    # Django's bulk delete of an import's 10,000 assignments into 10,000 queries).
    if snapshots_enabled() and origin is instance:
        plans_changed(plan_ids=[_plan_of(instance)])


for _model in (*PLAN_MODELS, Report):
    if _model is not Report:
        post_save.connect(_saved, sender=_model, dispatch_uid=f"snapshot-save-{_model.__name__}")
    post_delete.connect(_deleted, sender=_model, dispatch_uid=f"snapshot-delete-{_model.__name__}")


@receiver(pre_save, sender=Report, dispatch_uid="snapshot-report-save")
def _report_saved(sender: Any, instance: Report, **kwargs: Any) -> None:
    if not snapshots_enabled():
        return
    if instance.pk is not None:
        fields = (*REPORT_PLACE_FIELDS, *REPORT_DONE_FIELDS)
        stored = Report.objects.filter(pk=instance.pk).values(*fields, "cycle__plan_id").first()
        if stored is not None:
            compared = fields if instance.status in Report.DONE_STATUSES else REPORT_PLACE_FIELDS
            if all(stored[name] == getattr(instance, name) for name in compared):
                return  # e.g. a draft's text saved again: nothing any aggregate counts
            plans_changed(plan_ids=[stored["cycle__plan_id"]])  # the plan it leaves, when it moves
    plans_changed(plan_ids=[_plan_of(instance)])


@receiver(post_save, sender=Unit, dispatch_uid="snapshot-unit-save")
@receiver(post_delete, sender=Unit, dispatch_uid="snapshot-unit-delete")
def _unit_changed(sender: Any, instance: Unit, **kwargs: Any) -> None:
    if snapshots_enabled():
        everything_changed()
