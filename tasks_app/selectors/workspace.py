"""Read queries. Views, the API and commands call these instead of building querysets themselves."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict, cast

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from tasks_app import access
from tasks_app.models import (
    Assignment,
    Contribution,
    IndicatorDetail,
    Plan,
    Report,
    ReportingCycle,
    ReportVersion,
    Unit,
    WorkItem,
)
from tasks_app.rules.cycles import accepting_reports, open_cycles
from tasks_app.rules.lights import COLOURS, light_in
from tasks_app.rules.reporting import ITEM_CLOSED
from tasks_app.selectors.lights import with_open_cycle_lights
from tasks_app.snapshots import plan_snapshot

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def plan_overview(user: access.AnyUser) -> QuerySet[Plan]:
    """The plans the user sees (access.visible_plans): an office its jurisdictions', staff their units'."""
    active = Q(items__is_active=True)
    return (
        access.visible_plans(user)
        .select_related("jurisdiction", "source", "reporting_recipient")
        .annotate(
            indicator_count=Count("items", filter=active & Q(items__kind__in=WorkItem.INDICATOR_KINDS)),
            task_count=Count("items", filter=active & ~Q(items__kind__in=WorkItem.INDICATOR_KINDS)),
        )
        .order_by("jurisdiction__name", "title")
    )


# --- Workspace (我的任务) -------------------------------------------------------------------------

REPORT_STATE_LABELS = {
    "none": "未填报",
    Report.Status.DRAFT: "草稿",
    Report.Status.PENDING_HEAD: "待负责人审核",
    Report.Status.SUBMITTED: "已提交",
    Report.Status.RETURNED: "已退回",
    Report.Status.APPROVED: "已通过",
}
NO_CYCLE = "no_cycle"  # the item's plan has no open cycle: nothing to report right now
CLOSED = "closed"  # the office closed the item (销号): nothing to report any more (rules.reporting)
REPORT_STATE_LABELS[CLOSED] = "已销号"
ROLE_LABELS: dict[str, str] = {
    Assignment.Role.LEAD: "牵头",
    Assignment.Role.RESPONSIBLE: "责任",
    Assignment.Role.COOPERATING: "配合",
}
# The least advanced report decides an item's state when several units report on it.
_RANKED_STATES = (
    Report.Status.RETURNED,
    Report.Status.DRAFT,
    Report.Status.PENDING_HEAD,
    Report.Status.SUBMITTED,
    Report.Status.APPROVED,
)
_STATE_RANK = Case(
    *(When(status=status, then=Value(n)) for n, status in enumerate(_RANKED_STATES[:-1])),
    default=Value(len(_RANKED_STATES) - 1),
)
_FIRST_DONE_RANK = min(_RANKED_STATES.index(status) for status in Report.DONE_STATUSES)


@dataclass(frozen=True)
class WorkspaceFilters:
    plan: int | None = None
    role: str = ""
    status: str = ""
    overdue: bool = False
    q: str = ""
    unit: int | None = None
    light: str = ""  # red / yellow / green (rules.lights)

    def without(self, name: str) -> WorkspaceFilters:
        return replace(self, **{name: getattr(_NO_FILTERS, name)})


_NO_FILTERS = WorkspaceFilters()


def workspace_scope_units(user: access.AnyUser, filters: WorkspaceFilters) -> frozenset[int] | None:
    """The units whose role and report the list is about; None = everything (office without a unit filter)."""
    if access.sees_everything(user):
        return frozenset({filters.unit}) if filters.unit else None
    mine = access.unit_ids(user)
    return frozenset({filters.unit}) if filters.unit in mine else mine


def _has_role(scope: frozenset[int], *roles: str) -> Exists:
    return Exists(Assignment.objects.filter(item=OuterRef("pk"), unit_id__in=scope, role__in=roles))


class WorkspaceAnnotations(TypedDict):
    """What ``workspace_items`` adds to every item; ``workspace_filter`` and the counts filter on these.
    With a unit scope it also adds ``my_contribution_state`` (the scope's own 配合情况 in the open cycle)."""

    open_cycle_id: int | None
    open_cycle_due: date | None
    any_report_state: str | None
    is_lead: bool
    is_responsible: bool
    is_cooperating: bool
    i_report: bool
    report_state: str
    is_overdue: bool
    light_reason: str | None


WorkspaceItems: TypeAlias = QuerySet["WithAnnotations[WorkItem, WorkspaceAnnotations]"]


def workspace_items(user: access.AnyUser, *, scope: frozenset[int] | None, today: date) -> WorkspaceItems:
    """Visible items annotated with the scope's roles, the open cycle's report state and overdue flag.

    Everything is computed in SQL (subqueries), so a page of any size costs the same number of queries.
    """
    items = access.visible_items(user)
    if scope is not None and access.sees_everything(user):
        items = items.filter(Exists(Assignment.objects.filter(item=OuterRef("pk"), unit_id__in=scope)))
    reports = _office_reads(Report.objects.filter(item=OuterRef("pk"), cycle_id=OuterRef("open_cycle_id")), user)
    reports = reports.order_by(_STATE_RANK)
    items = with_open_cycle(items, open_cycle_ids(user)).annotate(
        any_report_state=Subquery(reports.values("status")[:1])
    )
    late = Q(open_cycle_id__isnull=False) & _past_due(today)
    own_contribution: list[When] = []
    if scope:
        items = items.annotate(
            is_lead=_has_role(scope, Assignment.Role.LEAD),
            is_responsible=_has_role(scope, Assignment.Role.RESPONSIBLE),
            is_cooperating=_has_role(scope, Assignment.Role.COOPERATING),
            my_report_state=Subquery(reports.filter(unit_id__in=scope).values("status")[:1]),
            # a scope unit reports on the item (rules.reporting)
            i_report=Exists(Assignment.objects.reporting(item=OuterRef("pk"), closed=True).filter(unit_id__in=scope)),
            # a unit that only cooperates sees its own 配合情况, not the lead's report (issue 16)
            my_contribution_state=Subquery(
                Contribution.objects.filter(item=OuterRef("pk"), cycle_id=OuterRef("open_cycle_id"), unit_id__in=scope)
                .order_by("status")  # "draft" < "submitted": the least advanced of several units
                .values("status")[:1]
            ),
        )
        cooperates_only = Q(i_report=False, is_cooperating=True)
        own_contribution = [
            When(cooperates_only & Q(my_contribution_state=Contribution.Status.SUBMITTED), then=Value(False)),
            When(cooperates_only & late, then=Value(True)),  # own 配合情况 not submitted, whatever the lead did
        ]
        state: Case | F = Case(When(i_report=True, then=F("my_report_state")), default=F("any_report_state"))
    else:
        items = items.annotate(
            is_lead=Value(False), is_responsible=Value(False), is_cooperating=Value(False), i_report=Value(False)
        )
        state = F("any_report_state")
    items = items.annotate(
        report_state=Case(
            When(ITEM_CLOSED, then=Value(CLOSED)),
            When(open_cycle_id__isnull=True, then=Value(NO_CYCLE)),
            default=Coalesce(state, Value("none")),
            output_field=CharField(),
        )
    )
    overdue = items.annotate(
        is_overdue=Case(
            When(ITEM_CLOSED, then=Value(False)),
            *own_contribution,
            When(late & ~Q(report_state__in=Report.DONE_STATUSES), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    # the open cycle comes from a join (with_open_cycle), which the stubs cannot follow into the annotations
    return cast("WorkspaceItems", with_open_cycle_lights(overdue, today=today))


def _office_reads(reports: QuerySet[Report], user: access.AnyUser) -> QuerySet[Report]:
    """An office counts only the reports it has received: one waiting for its unit head is not reported yet."""
    return reports.exclude(status__in=Report.UNIT_ONLY_STATUSES) if access.sees_everything(user) else reports


def _past_due(today: date) -> Q:
    """The dates half of "overdue": the open cycle's due date or the item's deadline has passed."""
    return Q(open_cycle_due__lt=today) | Q(deadline__lt=today)


def open_cycle_ids(user: access.AnyUser) -> list[int]:
    """Each visible plan's cycle units report into (rules.cycles.unit_cycle): its open cycle (the latest), else,
    for unit staff, a closed one the office unlocked for one of their units. Looked up once per request, instead
    of once per item row in every facet query."""

    def lookup() -> list[int]:
        cycles = ReportingCycle.objects.filter(plan__in=access.visible_plans(user))
        mine = access.unit_ids(user) if not access.sees_everything(user) else frozenset()
        # one query: the open cycles, and for unit staff the closed ones unlocked for them, open ones first
        rows = open_cycles(cycles) if not mine else cycles.filter(accepting_reports(mine))
        open_first = Case(When(status=ReportingCycle.Status.OPEN, then=Value(0)), default=Value(1))
        first: dict[int, int] = {}
        for pk, plan_id in rows.order_by(open_first, "-year", "-pk").values_list("pk", "plan_id"):
            first.setdefault(plan_id, pk)
        return sorted(first.values())

    store: dict[str, list[int]] = user.__dict__.setdefault("_workspace_cache", {})  # a request builds its own user
    if "open_cycles" not in store:
        store["open_cycles"] = lookup()
    return store["open_cycles"]


def with_open_cycle(items: QuerySet[WorkItem], cycle_ids: list[int]) -> QuerySet[WorkItem]:
    """``open_cycle_id`` / ``open_cycle_due`` from a LEFT JOIN on the plan's open cycle (at most one per plan)."""
    if not cycle_ids:
        return items.annotate(
            open_cycle_id=Value(None, output_field=IntegerField()),
            open_cycle_due=Value(None, output_field=DateField()),
            open_cycle_year=Value(None, output_field=IntegerField()),
        )
    joined = items.annotate(open_cycle=FilteredRelation("plan__cycles", condition=Q(plan__cycles__pk__in=cycle_ids)))
    return joined.annotate(
        open_cycle_id=F("open_cycle__id"),
        open_cycle_due=F("open_cycle__due_date"),
        open_cycle_year=F("open_cycle__year"),
    )


def workspace_filter(items: WorkspaceItems, filters: WorkspaceFilters) -> WorkspaceItems:
    if filters.plan:
        items = items.filter(plan_id=filters.plan)
    if filters.role in ROLE_LABELS:
        items = items.filter(**{f"is_{filters.role}": True})
    if filters.status:
        items = items.filter(report_state=filters.status)
    if filters.overdue:
        items = items.filter(is_overdue=True)
    if filters.light in COLOURS:
        items = items.filter(light_in(filters.light))
    if filters.q:
        items = items.filter(Q(title__icontains=filters.q) | Q(text__icontains=filters.q) | Q(number=filters.q))
    return items


def workspace_counts(
    user: access.AnyUser, *, filters: WorkspaceFilters, scope: frozenset[int] | None, today: date
) -> dict[str, Any]:
    """Facet counts: each filter's values counted with the other filters applied (one query per facet).

    An office user's counts span every plan of their jurisdictions (150,000 assignments for a province): they
    are kept as a snapshot of those plans' data (tasks_app.snapshots), keyed by the plans, the filters, the unit
    scope and the day (lights and 逾期 move with the date)."""
    if not access.sees_everything(user):
        return _workspace_counts(user, filters=filters, scope=scope, today=today)
    plan_ids = access.visible_plan_ids(user)
    return plan_snapshot(
        "office-facets",
        plan_ids=plan_ids,
        key=(plan_ids, filters, sorted(scope) if scope is not None else None, today),
        compute=lambda: _workspace_counts(user, filters=filters, scope=scope, today=today),
    )


def _workspace_counts(
    user: access.AnyUser, *, filters: WorkspaceFilters, scope: frozenset[int] | None, today: date
) -> dict[str, Any]:
    base = workspace_items(user, scope=scope, today=today)
    plans = (
        workspace_filter(base, filters.without("plan"))
        .order_by()
        .values("plan_id", "plan__title")
        .annotate(n=Count("pk"))
        .order_by("plan_id")
    )
    if scope is None:  # no unit in scope: every role flag is false (workspace_items), nothing to count
        roles = dict.fromkeys(map(str, ROLE_LABELS), 0)
    else:
        roles = workspace_filter(base, filters.without("role")).aggregate(
            **{str(role): Count("pk", filter=Q(**{f"is_{role}": True})) for role in ROLE_LABELS}
        )
    if scope is None and not filters.status and not filters.overdue:
        states, overdue = _office_state_counts(workspace_filter(base, filters), user=user, today=today)
    else:
        states = dict(
            workspace_filter(base, filters.without("status"))
            .order_by()
            .values_list("report_state")
            .annotate(n=Count("pk"))
        )
        overdue = workspace_filter(base, filters.without("overdue")).filter(is_overdue=True).count()
    counts: dict[str, Any] = {
        "plans": [(row["plan_id"], row["plan__title"], row["n"]) for row in plans],
        "plans_total": sum(row["n"] for row in plans),
        "roles": roles,
        "states": states,
        "overdue": overdue,
        "units": [],
    }
    if access.sees_everything(user):
        unscoped = workspace_filter(
            workspace_items(user, scope=None, today=today), filters.without("unit").without("role")
        )
        assignments = Assignment.objects.filter(item__in=unscoped.values("pk"))
        if filters.role in ROLE_LABELS:
            assignments = assignments.filter(role=filters.role)
        # grouped by the unit id alone (the name rides along as an aggregate): grouping by the name too made
        # PostgreSQL sort all 150,000 assignments of a province by text before counting
        per_unit = (
            assignments.values("unit_id")
            .annotate(n=Count("item_id", distinct=True), name=Min("unit__name"))
            .order_by("name", "unit_id")
        )
        counts["units"] = [(row["unit_id"], row["name"], row["n"]) for row in per_unit]
    return counts


def _office_state_counts(items: WorkspaceItems, *, user: access.AnyUser, today: date) -> tuple[dict[str, int], int]:
    """The state and overdue facets of the office's unscoped list (an item's state = its least advanced report
    in the open cycle), counted from the reports side: two aggregate queries, no per-item subquery, where the
    generic path probes the reports once per item (50,000 times for a province)."""
    open_rows = Q(open_cycle_id__isnull=False) & ~ITEM_CLOSED
    sizes = items.aggregate(
        closed=Count("pk", filter=ITEM_CLOSED),
        no_cycle=Count("pk", filter=Q(open_cycle_id__isnull=True) & ~ITEM_CLOSED),
        open=Count("pk", filter=open_rows),
        open_past_due=Count("pk", filter=open_rows & _past_due(today)),
    )
    past_due = Q(cycle__due_date__lt=today) | Q(item__deadline__lt=today)
    per_item = (
        _office_reads(
            Report.objects.filter(cycle_id__in=open_cycle_ids(user), item__in=items.exclude(ITEM_CLOSED).values("pk")),
            user,
        )
        .values("item_id")
        .annotate(rank=Min(_STATE_RANK), late=Max(Case(When(past_due, then=Value(1)), default=Value(0))))
        .order_by()
    )
    ranked = per_item.aggregate(
        done_late=Count("item_id", filter=Q(rank__gte=_FIRST_DONE_RANK, late=1)),
        **{status.value: Count("item_id", filter=Q(rank=n)) for n, status in enumerate(_RANKED_STATES)},
    )
    done_late = ranked.pop("done_late")
    reported = sum(ranked.values())
    states = {CLOSED: sizes["closed"], NO_CYCLE: sizes["no_cycle"], "none": sizes["open"] - reported, **ranked}
    return {state: n for state, n in states.items() if n}, sizes["open_past_due"] - done_late


def workspace_page_rows(items: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
    """The rows of one page, grouped by plan then section (document order), units prefetched."""
    return (
        items.select_related("plan", "section", "section__parent")
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("unit").order_by("role", "order"))
        )
        .order_by("plan_id", "order", "pk")
    )


# --- Item page and report form -------------------------------------------------------------------


def item_assignments(item: WorkItem) -> list[Assignment]:
    return list(item.assignments.select_related("unit").order_by("role", "order"))


def item_indicator(item: WorkItem) -> IndicatorDetail | None:
    return IndicatorDetail.objects.filter(item=item).first()


def cycle_reports(user: access.AnyUser, item: WorkItem, cycle: ReportingCycle | None) -> list[Report]:
    """The item's reports in the cycle that ``user`` may read (a report waiting for its head is its unit's own)."""
    if cycle is None:
        return []
    return list(
        access.visible_reports(user)
        .filter(item=item, cycle=cycle)
        .select_related("unit", "updated_by")
        .prefetch_related("evidence")
        .order_by("unit__name")
    )


def cycle_contributions(item: WorkItem, cycle: ReportingCycle | None) -> list[Contribution]:
    if cycle is None:
        return []
    return list(Contribution.objects.filter(item=item, cycle=cycle).select_related("unit").order_by("unit__name"))


def report_for(user: access.AnyUser, *, item: WorkItem, unit_id: int, cycle: ReportingCycle | None) -> Report | None:
    if cycle is None:
        return None
    return (
        access.visible_reports(user)
        .filter(item=item, unit_id=unit_id, cycle=cycle)
        .select_related("unit", "cycle", "updated_by")
        .first()
    )


def contribution_for(*, item: WorkItem, unit_id: int, cycle: ReportingCycle | None) -> Contribution | None:
    if cycle is None:
        return None
    return Contribution.objects.filter(item=item, unit_id=unit_id, cycle=cycle).first()


def report_history(report: Report | None) -> list[ReportVersion]:
    if report is None or report.pk is None:
        return []
    return list(report.versions.select_related("actor").order_by("-number", "-id"))


def units_by_id(ids: list[int]) -> dict[int, Unit]:
    return Unit.objects.in_bulk(ids)
