"""The jurisdiction matrix (issue 12): every URL pattern × the offices of 营口市 (a city), 站前区 (its district),
葫芦岛市 (another city) and the whole install, with real object ids of both jurisdictions.

For each office, the objects of a jurisdiction it does not cover are a 404 on every route that names them (or the
gate's 403 for a write the role may not make at all, or 405), lists and filters never show them, and no request
changes a row of any table (hashed before and after). The routes come from the resolver, so a new route is walked
without a line here; a new kind of id in a URL fails ``test_it_knows_every_kind_of_id`` until it is sampled.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tasks_app import access
from tasks_app.models import (
    AuditEntry,
    Contribution,
    CycleUnlock,
    Evidence,
    ExportJob,
    ImportJob,
    Plan,
    ReminderMessage,
    Report,
    SuggestedAssignment,
    Unit,
    WorkflowRequest,
)
from tasks_app.permissions import declared
from tests.console.review_fixtures import education_task_items, submitted_report
from tests.personas import District, Personas, district_submitted_report

pytestmark = pytest.mark.django_db

# The kind of object a URL group names: by the group's name, else by the path segment before it.
KIND_BY_GROUP = {
    "cycle_id": "cycle", "report_id": "report", "item_id": "item", "unit_id": "unit", "message_id": "message",
    "evidence_id": "evidence", "plan_id": "plan", "request_id": "workflow", "unlock_id": "unlock",
    "unlock_pk": "unlock",
}  # fmt: skip
KIND_BY_SEGMENT = {
    "exports": "export", "imports": "import", "reports": "report", "review": "report", "cycles": "cycle",
    "suggestions": "suggestion", "units": "unit", "items": "item", "tasks": "item", "contributions": "contribution",
    "outbox": "message", "evidence": "evidence", "plans": "plan", "workflow": "workflow",
}  # fmt: skip
GROUP = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")


@dataclass
class Route:
    regex: str
    callback: object

    def kinds(self) -> list[str]:
        found = []
        for match in GROUP.finditer(self.regex):
            name = match.group(1)
            segment = self.regex[: match.start()].rstrip("/").rsplit("/", 1)[-1].replace("\\", "")
            found.append(KIND_BY_GROUP.get(name) or KIND_BY_SEGMENT.get(segment, f"?{name}@{segment}"))
        return found

    def url(self, ids: dict[str, int]) -> str:
        kinds = iter(self.kinds())
        path = GROUP.sub(lambda _: str(ids[next(kinds)]), self.regex)
        return "/" + path.replace("\\Z", "").replace("$", "").replace("\\", "")


def _walk(entries: list, prefix: str = "") -> Iterator[Route]:
    for entry in entries:
        pattern = prefix + entry.pattern.regex.pattern.lstrip("^")
        if isinstance(entry, URLResolver):
            if not pattern.startswith("admin/"):  # Django's admin: superusers only, outside the office scope
                yield from _walk(entry.url_patterns, pattern.rstrip("$"))
        elif isinstance(entry, URLPattern) and "(?P<format>" not in pattern:  # .json twins: same view
            yield Route(pattern, entry.callback)


ROUTES = list(_walk(get_resolver().url_patterns))
ID_ROUTES = [route for route in ROUTES if route.kinds()]
LIST_ROUTES = [route for route in ROUTES if not route.kinds()]
SKIP_POST = {"/accounts/logout/"}  # the walk must stay signed in


def test_it_knows_every_kind_of_id():
    assert len(ID_ROUTES) >= 40 and len(LIST_ROUTES) >= 30
    unknown = {kind for route in ID_ROUTES for kind in route.kinds() if kind.startswith("?")}
    assert not unknown, f"sample these kinds of object: {unknown}"


# --- one jurisdiction's objects ------------------------------------------------------------------


@dataclass
class Side:
    """Real objects of one jurisdiction, each carrying ``marker`` where a page or list could show it."""

    marker: str
    jurisdiction: int
    ids: dict[str, int] = field(default_factory=dict)

    def forms(self) -> list[dict[str, object]]:
        """What a write may post: every value naming these objects, and the same without the plan and cycle
        (which some views look up first, so the ids alone reach the service)."""
        full = self.form()
        bare = {key: value for key, value in full.items() if key not in ("plan", "cycle")}
        return [{**data, "action": action} for data in (full, bare) for action in ("merge", "confirm")]

    def form(self) -> dict[str, object]:
        """Values a list filter or a form could name these objects by."""
        ids = self.ids
        return {
            "plan": ids["plan"], "cycle": ids["cycle"], "unit": ids["unit"], "item": ids["item"],
            "report": ids["report"], "suggestion": ids["suggestion"], "target": ids["unit"],
            "jurisdiction": self.jurisdiction, "reports": [ids["report"]], "report_ids": [ids["report"]],
            "year": ids["year"], "min_score": 0, "due_date": "2030-01-15", "reason": "走查", "report_kind": "division",
        }  # fmt: skip


def _side(marker: str, *, plan: Plan, cycle, unit: Unit, other: Unit, report: Report, office, uploader) -> Side:
    Plan.objects.filter(pk=plan.pk).update(title=f"{marker}规划")
    Unit.objects.filter(pk=unit.pk).update(name=f"{marker}单位")
    Report.objects.filter(pk=report.pk).update(progress=f"{marker}进展")
    item = report.item
    message = ReminderMessage.objects.create(
        key=f"walk:{marker}", unit=unit, cycle=cycle, kind="before", days=7, step_date=cycle.due_date,
        subject=f"{marker}提醒", body_text="正文", status="failed", next_attempt_at=cycle.opened_at,
    )  # fmt: skip
    export = ExportJob.objects.create(plan=plan, report="division", status=ExportJob.Status.QUEUED, created_by=office)
    upload = ImportJob.objects.create(
        original_name=f"{marker}文件.txt", uploaded_by=uploader, status=ImportJob.Status.FAILED, error=f"{marker}错误"
    )
    suggestion = SuggestedAssignment.objects.create(item=item, unit=other, role="lead", rank=1, score=0.9)
    contribution = Contribution.objects.create(
        item=item, unit=other, cycle=cycle, text=f"{marker}配合", status="submitted"
    )
    evidence = Evidence.objects.create(
        report=report, file="evidence/walk.txt", original_name=f"{marker}佐证.txt", size=3, content_type="text/plain"
    )
    workflow = WorkflowRequest.objects.create(kind="bounce", item=item, unit=unit, reason=f"{marker}退回")
    unlock = CycleUnlock.objects.create(cycle=cycle, unit=unit, until=cycle.due_date, reason=f"{marker}解锁")
    AuditEntry.objects.create(
        action="unit_edit", object_type="unit", object_id=unit.pk, jurisdiction_id=plan.jurisdiction_id,
        summary=f"{marker}审计",
    )  # fmt: skip
    ids = {
        "plan": plan.pk, "cycle": cycle.pk, "unit": unit.pk, "item": item.pk, "report": report.pk,
        "message": message.pk, "export": export.pk, "import": upload.pk, "suggestion": suggestion.pk,
        "contribution": contribution.pk, "evidence": evidence.pk, "year": cycle.year, "workflow": workflow.pk,
        "unlock": unlock.pk,
    }  # fmt: skip
    return Side(marker=marker, jurisdiction=plan.jurisdiction_id, ids=ids)


def _sides(p: Personas, d: District) -> dict[str, Side]:
    city_item = education_task_items(p)[0]
    city = _side(
        "甲地QX", plan=p.plan, cycle=p.cycle, unit=p.education, other=p.forestry,
        report=submitted_report(p, city_item), office=d.city_admin, uploader=d.city_admin,
    )  # fmt: skip
    other = Unit.objects.filter(jurisdiction=d.plan.jurisdiction).exclude(pk=d.unit.pk).order_by("pk").first()
    assert other is not None
    district = _side(
        "乙地QX", plan=d.plan, cycle=d.cycle, unit=d.unit, other=other,
        report=district_submitted_report(d), office=d.admin, uploader=d.admin,
    )  # fmt: skip
    return {"city": city, "district": district}


# --- what may not change ---------------------------------------------------------------------------


def tables_hash() -> dict[str, str]:
    """A digest of every row of every application table (a write anywhere changes one)."""
    digests = {}
    for model in apps.get_app_config("tasks_app").get_models():
        rows = list(model.objects.order_by("pk").values_list())
        digests[model.__name__] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return ""  # a file: its route is checked by status
    body = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json") and body:
        try:
            return json.dumps(json.loads(body), ensure_ascii=False)  # Django's JsonResponse escapes Chinese
        except ValueError:
            return body
    return body


def _gate_refuses(user, route: Route, method: str) -> bool:
    try:
        read, write = declared(route.callback)
    except ImproperlyConfigured:
        return False  # a view outside the capability layer (the workspace): only its scope check answers
    return access.request_refusal(user, method=method, read=read, write=write) is not None


# --- the matrix ------------------------------------------------------------------------------------

USERS = {
    "district_admin": lambda p, d: d.admin,
    "district_reviewer": lambda p, d: d.reviewer,
    "district_leader": lambda p, d: d.leader,
    "sibling_admin": lambda p, d: d.sibling_admin,
    "city_admin": lambda p, d: d.city_admin,
    "whole_admin": lambda p, d: p.admin,
}
# (persona, the jurisdiction whose objects it must never read or change)
HIDDEN = [
    ("district_admin", "city"),  # a district does not see its city
    ("district_reviewer", "city"),
    ("district_leader", "city"),
    ("sibling_admin", "city"),  # another city sees neither
    ("sibling_admin", "district"),
]
# (persona, the jurisdictions whose objects it opens)
SHOWN = [
    ("district_admin", ("district",)),
    ("district_reviewer", ("district",)),
    ("district_leader", ("district",)),
    ("city_admin", ("city", "district")),  # a city also sees its districts
    ("whole_admin", ("city", "district")),
]
# Detail pages an office opens for an object of its own scope (the positive half of the matrix).
DETAIL_PAGES = (
    "/console/review/{report}/", "/console/division/items/{item}/", "/console/units/{unit}/",
    "/console/exports/{export}/", "/console/imports/{import}/", "/api/console/cycles/{cycle}/dashboard/",
    "/api/console/reports/{report}/history/", "/api/console/exports/{export}/", "/api/console/imports/{import}/",
    "/api/reports/{report}/", "/api/tasks/{item}/", "/items/{item}/",
)  # fmt: skip
LIST_PAGES = ("/plans/", "/console/audit/", "/console/outbox/", "/console/imports/", "/api/console/exports/")


def _post(client: Client, url: str, data: dict):
    if url.startswith("/api/"):
        return client.post(url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


class Walk:
    """One persona's requests against one jurisdiction's objects, collecting every leak."""

    def __init__(self, p: Personas, d: District, persona: str, side: str) -> None:
        self.side = _sides(p, d)[side]
        self.user = USERS[persona](p, d)
        self.client = Client(raise_request_exception=False)
        self.client.force_login(self.user)
        self.leaks: list[str] = []
        self.requests = 0

    def check(self, method: str, url: str, response, *, route: Route) -> None:
        self.requests += 1
        if self.side.marker in _text(response):
            self.leaks.append(f"{method} {url} shows {self.side.marker}")
        if route.kinds() and response.status_code not in (404, 405):
            if not (response.status_code == 403 and _gate_refuses(self.user, route, method)):
                self.leaks.append(f"{method} {url} answered {response.status_code}, not 404")

    def forms(self, url: str) -> list[dict[str, object]]:
        forms = self.side.forms()
        return forms if url.startswith("/console/units/") else [data for data in forms if data["action"] == "merge"]


@pytest.mark.parametrize(("persona", "side"), HIDDEN)
def test_it_hides_another_jurisdictions_objects_on_every_read(personas: Personas, district: District, persona, side):
    walk = Walk(personas, district, persona, side)
    before = tables_hash()
    query = {key: value for key, value in walk.side.form().items() if not isinstance(value, list)}
    for route in ID_ROUTES:
        url = route.url(walk.side.ids)
        walk.check("GET", url, walk.client.get(url), route=route)
    for route in LIST_ROUTES:
        url = route.url({})
        walk.check("GET", url, walk.client.get(url), route=route)
        walk.check("GET", url, walk.client.get(url, query), route=route)  # filtered by the other's ids
    assert not walk.leaks, "\n".join(walk.leaks[:40])
    assert tables_hash() == before
    print(f"{persona} on {side}: {walk.requests} reads")


@pytest.mark.parametrize(("persona", "side"), HIDDEN)
def test_it_refuses_every_write_on_another_jurisdictions_objects(personas: Personas, district: District, persona, side):
    walk = Walk(personas, district, persona, side)
    before = tables_hash()
    for route in ROUTES:
        url = route.url(walk.side.ids)
        if url in SKIP_POST:
            continue
        for data in walk.forms(url):
            walk.check("POST", url, _post(walk.client, url, data), route=route)
    changed = [name for name, digest in tables_hash().items() if before[name] != digest]
    assert not walk.leaks, "\n".join(walk.leaks[:40])
    assert not changed, f"{persona} changed {changed} through {side}'s objects"
    assert walk.client.get("/").status_code == 200, "still signed in at the end"
    print(f"{persona} on {side}: {walk.requests} writes")


@pytest.mark.parametrize(("persona", "sides"), SHOWN)
def test_it_opens_the_objects_of_the_offices_own_scope(personas: Personas, district: District, persona, sides):
    every = _sides(personas, district)
    client = Client(raise_request_exception=False)
    client.force_login(USERS[persona](personas, district))
    for name in sides:
        side = every[name]
        for template in DETAIL_PAGES:
            url = template.format(**side.ids)
            assert client.get(url).status_code == 200, (persona, url)
        for url in LIST_PAGES:
            assert side.marker in _text(client.get(url)), (persona, url)
