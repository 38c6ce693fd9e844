"""Every API endpoint × every persona: the status each one gets.

Another unit's object is 404 (never 403); a visible object the persona may not change is 403
(office admin, read-only leadership); anonymous is 401 (token auth announces itself).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tasks_app.models import ReportingCycle
from tests.api.conftest import World, client_for

pytestmark = pytest.mark.django_db

PERSONAS = ("owner", "outsider", "admin", "leader", "anonymous")
# Office-only endpoints under /api/console/ belong to the review console and have their own matrix.
OTHER_SUITES = ("/api/console/",)


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: Callable[[World], str]
    expected: dict[str, int]
    body: Callable[[World], dict] | None = None

    def __str__(self) -> str:
        return self.name


def _all(code: int, anonymous: int = 401) -> dict[str, int]:
    return {"owner": code, "outsider": code, "admin": code, "leader": code, "anonymous": anonymous}


OWN_OBJECT_READ = {"owner": 200, "outsider": 404, "admin": 200, "leader": 200, "anonymous": 401}


def own_object_write(success: int) -> dict[str, int]:
    return {"owner": success, "outsider": 404, "admin": 403, "leader": 403, "anonymous": 401}


ENDPOINTS = [
    Endpoint("tasks list", "get", lambda w: "/api/tasks/", _all(200)),
    Endpoint("task detail", "get", lambda w: f"/api/tasks/{w.report_item.id}/", OWN_OBJECT_READ),
    Endpoint("reports list", "get", lambda w: "/api/reports/", _all(200)),
    Endpoint("report detail", "get", lambda w: f"/api/reports/{w.report.id}/", OWN_OBJECT_READ),
    Endpoint(
        "report create",
        "post",
        lambda w: "/api/reports/",
        own_object_write(201),
        lambda w: {"item": w.fresh_report_item.id, "progress": "新写的进展"},
    ),
    Endpoint(
        "report update",
        "patch",
        lambda w: f"/api/reports/{w.report.id}/",
        own_object_write(200),
        lambda w: {"version": w.report.version, "progress": "改写的进展"},
    ),
    Endpoint(
        "report submit",
        "post",
        lambda w: f"/api/reports/{w.report.id}/submit/",
        own_object_write(200),
        lambda w: {"version": w.report.version},
    ),
    # the unit head's sign-off (tests/test_signoff.py has the full matrix with heads): staff may not sign off
    Endpoint(
        "report head approve",
        "post",
        lambda w: f"/api/reports/{w.report.id}/head-approve/",
        own_object_write(403),
        lambda w: {"version": w.report.version},
    ),
    Endpoint(
        "report head return",
        "post",
        lambda w: f"/api/reports/{w.report.id}/head-return/",
        own_object_write(403),
        lambda w: {"version": w.report.version, "reason": "请补充"},
    ),
    # an empty body reaches the view only for the owner: 400 (a file is needed); the rest are refused first
    Endpoint("evidence upload", "post", lambda w: f"/api/reports/{w.report.id}/evidence/", own_object_write(400)),
    Endpoint("contributions list", "get", lambda w: "/api/contributions/", _all(200)),
    Endpoint("contribution detail", "get", lambda w: f"/api/contributions/{w.contribution.id}/", OWN_OBJECT_READ),
    Endpoint(
        "contribution create",
        "post",
        lambda w: "/api/contributions/",
        own_object_write(201),
        lambda w: {"item": w.fresh_cooperating_item.id, "text": "新写的配合情况"},
    ),
    Endpoint(
        "contribution update",
        "patch",
        lambda w: f"/api/contributions/{w.contribution.id}/",
        own_object_write(200),
        lambda w: {"version": w.contribution.version, "text": "改写的配合情况"},
    ),
    Endpoint(
        "task acknowledge", "post", lambda w: f"/api/tasks/{w.report_item.id}/acknowledge/", own_object_write(200)
    ),
    Endpoint(  # every unit's staff acknowledges its own units' items; the office files no reports
        "tasks acknowledge all",
        "post",
        lambda w: "/api/tasks/acknowledge/",
        {"owner": 200, "outsider": 200, "admin": 403, "leader": 403, "anonymous": 401},
    ),
    Endpoint(
        "task bounce",
        "post",
        lambda w: f"/api/tasks/{w.report_item.id}/bounce/",
        own_object_write(201),
        lambda w: {"reason": "不属于本单位职责"},
    ),
    Endpoint(
        "task extension",
        "post",
        lambda w: f"/api/tasks/{w.report_item.id}/extension/",
        own_object_write(201),
        lambda w: {"reason": "资金未到位", "proposed_deadline": "2031-06-30"},
    ),
    Endpoint("cycles list", "get", lambda w: "/api/cycles/", _all(200)),
    # 市林业局 has items in the same plan, so the outsider sees this cycle too
    Endpoint("cycle detail", "get", lambda w: f"/api/cycles/{w.p.cycle.id}/", _all(200)),
    Endpoint("schema", "get", lambda w: "/api/schema/?format=json", _all(200)),
    Endpoint("swagger ui", "get", lambda w: "/api/docs/", _all(200)),
    Endpoint("my tokens", "get", lambda w: "/api/auth/tokens/", _all(200)),
    Endpoint("revoke my tokens", "delete", lambda w: "/api/auth/tokens/", _all(204)),
    Endpoint(
        "token (wrong password)",
        "post",
        lambda w: "/api/auth/token/",
        _all(400, anonymous=400),
        lambda w: {"username": "owner", "password": "not-the-password"},
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_it_gives_each_persona_the_expected_status(world, endpoint: Endpoint, persona: str):
    user = None if persona == "anonymous" else getattr(world.p, persona)
    client = client_for(user)
    kwargs = {"format": "json", "data": endpoint.body(world)} if endpoint.body else {}
    response = getattr(client, endpoint.method)(endpoint.path(world), **kwargs)
    assert response.status_code == endpoint.expected[persona], response.content.decode()[:300]
    if response.status_code in (401, 403, 404) and endpoint.name != "swagger ui":  # an HTML page
        assert response.json()["detail"]  # always a message a person can read


def test_it_covers_every_operation_of_the_schema(world):
    """A new endpoint without a row in the matrix fails here."""
    schema = client_for(world.p.admin).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    documented = {
        (method, path) for path, ops in schema["paths"].items() if not path.startswith(OTHER_SUITES) for method in ops
    }
    covered = {(e.method, re.sub(r"/\d+/", "/{id}/", e.path(world).split("?")[0])) for e in ENDPOINTS}
    assert documented <= covered, documented - covered


def test_it_writes_nothing_for_refused_personas(world):
    before = (world.report.progress, world.report.version, world.contribution.text)
    for persona in ("outsider", "admin", "leader"):
        client = client_for(getattr(world.p, persona))
        client.patch(f"/api/reports/{world.report.id}/", {"version": 1, "progress": "x"}, format="json")
        client.post(f"/api/reports/{world.report.id}/submit/", {"version": 1}, format="json")
        client.patch(f"/api/contributions/{world.contribution.id}/", {"version": 1, "text": "x"}, format="json")
    world.report.refresh_from_db()
    world.contribution.refresh_from_db()
    assert (world.report.progress, world.report.version, world.contribution.text) == before


def test_it_hides_cycles_of_plans_a_user_has_no_items_in(world):
    from tasks_app.models import Unit
    from tests.personas import make_user

    idle = Unit.objects.create(jurisdiction=world.p.plan.jurisdiction, name="市无事项局")
    stranger = make_user("stranger", unit=idle)
    client = client_for(stranger)
    assert client.get("/api/cycles/").json()["count"] == 0
    assert client.get(f"/api/cycles/{world.p.cycle.id}/").status_code == 404
    assert client.get("/api/tasks/").json()["count"] == 0
    assert client_for(world.p.owner).get("/api/cycles/", {"status": "open"}).json()["results"][0]["id"] == (
        ReportingCycle.objects.get(pk=world.p.cycle.id).id
    )
