"""Every console URL and every /api/console/ endpoint, walked from the URL resolver with each persona.

- every route declares its capability (tasks_app.permissions): a forgotten check fails here;
- each persona's status on each route is what the gate predicts (hidden → 404, forbidden → 403,
  anonymous → login page or 401), for reads and for writes;
- the console navigation (both bars) shows a link exactly when the persona gets 200 on its page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tasks_app import access
from tasks_app.models import ExportJob, ReminderMessage, SuggestedAssignment, WorkflowRequest
from tasks_app.permissions import declared
from tasks_app.templatetags.console_tags import NAVIGATION, nav_page
from tests.console.review_fixtures import education_task_items, submitted_report
from tests.personas import Personas, make_user

PERSONAS = ("admin", "reviewer", "leader", "owner", "outsider", "anonymous")
CONSOLE_PREFIXES = ("console/", "api/console/")


@dataclass
class Route:
    pattern: str  # e.g. "console/cycles/<int:cycle_id>/open/"
    name: str
    callback: Any


def _walk(patterns: list, prefix: str = "") -> list[Route]:
    routes = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            routes += _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            routes.append(Route(prefix + str(entry.pattern), entry.name or "", entry.callback))
    return routes


def console_routes() -> list[Route]:
    return [route for route in _walk(get_resolver().url_patterns) if route.pattern.startswith(CONSOLE_PREFIXES)]


def test_it_finds_the_console_routes():
    names = {route.name for route in console_routes()}
    assert {"console-cycles", "console-audit", "api-console-review", "api-console-exports"} <= names
    assert len(names) >= 40


@pytest.mark.parametrize("route", console_routes(), ids=lambda route: route.name)
def test_it_declares_a_capability_on_every_console_route(route: Route):
    read, write = declared(route.callback)
    assert read is not None, f"{route.pattern} must name the capability it needs to be read"
    if write is not None:
        assert write != read


def test_it_refuses_to_serve_an_api_view_that_declares_nothing(personas: Personas, rf):
    """A class view with CapabilityPermission but no ``permission`` fails loudly instead of allowing."""
    from django.core.exceptions import ImproperlyConfigured
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from tasks_app.permissions import CapabilityPermission

    class Forgotten(APIView):
        permission_classes = [CapabilityPermission]

        def get(self, request):
            return Response({"leaked": True})

    request = rf.get("/api/console/forgotten/")
    request.user = personas.admin
    with pytest.raises(ImproperlyConfigured):
        Forgotten.as_view()(request)


# --- walking the routes --------------------------------------------------------------------------


MISSING_ID = 2_000_000_000  # a route whose kind of object has no sample still gets walked (found nothing)


@dataclass
class Samples:
    """One real object for each kind of id a console URL carries."""

    ids: dict[str, int]

    def url(self, route: Route) -> str:
        def fill(match: re.Match) -> str:
            name = match.group(2)
            if name != "pk":
                return str(self.ids.get(name, MISSING_ID))
            # API routes name their object by the segment before <pk>
            kind = route.pattern[: match.start()].rstrip("/").rsplit("/", 1)[-1]
            return str(self.ids.get(kind, MISSING_ID))

        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route.pattern)


def _samples(p: Personas) -> Samples:
    item = education_task_items(p)[0]
    report = submitted_report(p, item)
    message = ReminderMessage.objects.create(
        key="walk:1", unit=p.education, cycle=p.cycle, kind="before", days=7, step_date=p.cycle.due_date,
        subject="测试", body_text="正文", status="failed", next_attempt_at=p.cycle.opened_at,
    )  # fmt: skip
    job = ExportJob.objects.create(plan=p.plan, report="division", status=ExportJob.Status.QUEUED, created_by=p.admin)
    suggestion = SuggestedAssignment.objects.create(item=item, unit=p.forestry, role="lead", rank=1, score=0.5)
    ids = {"cycle_id": p.cycle.pk, "report_id": report.pk, "item_id": item.pk, "unit_id": p.education.pk}
    ids |= {"message_id": message.pk, "job_id": job.pk}
    ids |= {"reports": report.pk, "cycles": p.cycle.pk, "suggestions": suggestion.pk, "units": p.forestry.pk}
    ids |= {"items": item.pk, "exports": job.pk}
    bounce = WorkflowRequest.objects.create(kind="bounce", item=item, unit=p.education, reason="不是本单位职责")
    ids |= {"request_id": bounce.pk, "workflow": bounce.pk}
    return Samples(ids)


def _client(p: Personas, persona: str, reviewer: Any) -> tuple[Client, Any]:
    client = Client()
    user = reviewer if persona == "reviewer" else getattr(p, persona, None)
    if user is not None:
        client.force_login(user)
    return client, user


def _predicted(user: Any, route: Route, method: str) -> int | None:
    """The status the gate must answer with, or None when the gate lets the request through."""
    api = route.pattern.startswith("api/")
    if user is None:
        return 401 if api else 302
    read, write = declared(route.callback)
    refused = access.request_refusal(user, method=method, read=read, write=write)
    if refused is None:
        return None
    return 404 if refused.hidden else 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_every_console_route_as_the_gate_predicts(personas: Personas, persona: str):
    reviewer = make_user("reviewer", office="reviewer")
    samples = _samples(personas)
    client, user = _client(personas, persona, reviewer)
    checked = 0
    # reads first (writes may close the cycle or merge the sample unit), then writes
    for method in ("GET", "POST"):
        for route in console_routes():
            url = samples.url(route)
            response = client.get(url) if method == "GET" else client.post(url, {})
            expected = _predicted(user, route, method)
            where = (persona, method, url, response.status_code)
            if expected is None:
                assert response.status_code not in (401, 403), where
            else:
                assert response.status_code == expected, where
                if expected == 302:
                    assert response["Location"].startswith("/accounts/login/"), where
            checked += 1
    assert checked == 2 * len(console_routes())


# --- navigation ----------------------------------------------------------------------------------

NAV_CLASS = {"console": "console-nav", "division": "division-subnav"}


def _nav_hrefs(html: str, bar: str) -> set[str]:
    block = re.search(rf'<nav class="[^"]*{NAV_CLASS[bar]}[^"]*"[^>]*>(.*?)</nav>', html, re.S)
    assert block, f"no {bar} navigation on the page"
    return set(re.findall(r'href="([^"]+)"', block.group(1)))


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_a_navigation_link_exactly_when_the_page_opens(personas: Personas, persona: str):
    reviewer = make_user("reviewer", office="reviewer")
    client, _ = _client(personas, persona, reviewer)
    for bar, page in (("console", "console-dashboard"), ("division", "console-division")):
        statuses = {nav_page(name)[0]: client.get(nav_page(name)[0]).status_code for _, name in NAVIGATION[bar]}
        opens = {href for href, code in statuses.items() if code == 200}
        landing = client.get(nav_page(page)[0])
        if not opens:  # unit staff and anonymous users: no console page, so no navigation at all
            assert landing.status_code in (302, 404) and set(statuses.values()) <= {302, 404}
            continue
        assert landing.status_code == 200
        assert _nav_hrefs(landing.content.decode(), bar) == opens, (persona, bar, statuses)


@pytest.mark.parametrize(("persona", "shown"), [("admin", True), ("leader", True), ("owner", False)])
def test_it_links_the_console_from_the_top_bar_only_for_the_office(personas: Personas, persona, shown):
    client, _ = _client(personas, persona, None)
    page = client.get("/").content.decode()
    assert ('href="/console/"' in page) is shown


def test_it_shows_leadership_the_outbox_without_its_buttons(personas: Personas):
    """Leadership reads every page (the outbox included) and gets no button that would be a 403."""
    _samples(personas)  # a failed reminder: the office sees a retry button on it
    office = _client(personas, "admin", None)[0].get("/console/outbox/").content.decode()
    leader = _client(personas, "leader", None)[0]
    page = leader.get("/console/outbox/").content.decode()
    assert "/retry/" in office and "/retry/" not in page
    preview = leader.get(f"/console/outbox/preview/?unit={personas.education.pk}").content.decode()
    assert 'action="/console/outbox/send/"' not in preview
