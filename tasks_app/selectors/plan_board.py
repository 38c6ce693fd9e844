"""The console's plan list (/console/cycles/): every visible plan with its cycles, filtered and ordered by
what needs attention.

Order: plans with an open cycle first, the most overdue (slots still missing after the due date) and the
most reports awaiting review first; then plans that have a division; then the rest (a plan nobody was
assigned to has nothing to report). Cycle states come from rules.cycles (the one rule). A constant number
of queries: the cycles, the divided plans, and the open cycles' slots and reports (selectors.console).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from tasks_app import access
from tasks_app.models import Plan, ReportingCycle
from tasks_app.rules.cycles import CycleState
from tasks_app.selectors.console import CycleSummary, console_cycles, open_cycle_summaries
from tasks_app.selectors.defaults import divided_plans

LIVE_STATES = (CycleState.OPEN, CycleState.PAST_DUE)


@dataclass(frozen=True)
class PlanFilters:
    jurisdiction: int | None = None
    kind: str = ""
    state: str = ""
    q: str = ""

    @property
    def active(self) -> bool:
        return bool(self.jurisdiction or self.kind or self.state or self.q)


@dataclass
class PlanCard:
    plan: Plan
    divided: bool
    cycles: list[ReportingCycle] = field(default_factory=list)
    overdue: int = 0  # slots of its open cycles still missing after their due date
    pending: int = 0  # reports submitted and awaiting review in its open cycles
    missing: int = 0  # slots of its open cycles not submitted yet (due or not)

    @property
    def states(self) -> set[CycleState]:
        return {cycle.state for cycle in self.cycles}

    @property
    def live(self) -> bool:
        return bool(self.states & set(LIVE_STATES))

    def attention(self) -> tuple:
        return (not self.live, not self.divided, -self.overdue, -self.pending, -self.missing)


@dataclass
class PlanBoard:
    cards: list[PlanCard]
    total: int  # plans before filtering
    jurisdictions: list[tuple[int, str, int]]  # (id, name, plans)
    kinds: list[tuple[str, str, int]]
    states: list[tuple[str, str, int]]  # (state, label, plans having a cycle in that state)
    open_count: int


def _summarise(card: PlanCard, summary: CycleSummary | None, cycle: ReportingCycle) -> None:
    if summary is None:
        return
    card.pending += summary.totals.pending
    card.missing += summary.totals.missing
    if cycle.state == CycleState.PAST_DUE:
        card.overdue += summary.totals.missing


def _matches(card: PlanCard, filters: PlanFilters) -> bool:
    plan = card.plan
    if filters.jurisdiction and plan.jurisdiction_id != filters.jurisdiction:
        return False
    if filters.kind and plan.kind != filters.kind:
        return False
    if filters.state and filters.state not in card.states:
        return False
    return not filters.q or filters.q.casefold() in plan.title.casefold()


def plan_board(user: access.AnyUser, filters: PlanFilters) -> PlanBoard:
    cycles = console_cycles(user)
    summaries = open_cycle_summaries(cycles)
    divided = set(divided_plans(user).values_list("pk", flat=True))
    cards: dict[int, PlanCard] = {}
    for cycle in cycles:
        card = cards.setdefault(cycle.plan_id, PlanCard(plan=cycle.plan, divided=cycle.plan_id in divided))
        cycle.summary = summaries.get(cycle.pk)  # type: ignore[attr-defined]  # for the template only, not a field
        card.cycles.append(cycle)
        _summarise(card, summaries.get(cycle.pk), cycle)
    # plans without any cycle (nothing to report yet) are listed too, last
    without = access.visible_plans(user).exclude(pk__in=list(cards)).select_related("jurisdiction")
    for plan in without.defer("reporting_text"):
        cards[plan.pk] = PlanCard(plan=plan, divided=plan.pk in divided)
    every = sorted(cards.values(), key=lambda c: (*c.attention(), c.plan.jurisdiction.name, c.plan.title))
    shown = [card for card in every if _matches(card, filters)]
    return PlanBoard(
        cards=shown,
        total=len(every),
        jurisdictions=_jurisdiction_counts(user),
        kinds=[(kind, label, sum(1 for c in every if c.plan.kind == kind)) for kind, label in Plan.Kind.choices],
        states=[(state.value, state.label, sum(1 for c in every if state in c.states)) for state in CycleState],
        open_count=len(summaries),
    )


def _jurisdiction_counts(user: access.AnyUser) -> list[tuple[int, str, int]]:
    rows = (
        access.visible_plans(user)
        .values_list("jurisdiction_id", "jurisdiction__name")
        .annotate(n=Count("id"))
        .order_by("jurisdiction__name")
    )
    return list(rows)
