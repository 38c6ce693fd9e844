"""Property-based run against the live OpenAPI schema (schemathesis, in-process WSGI).

Bounded: a handful of operations, a few examples each. Every response must be a non-5xx whose status,
content type and body are the ones the schema documents for that operation.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import World

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
OPERATIONS = [
    ("GET", "/api/tasks/"),
    ("GET", "/api/tasks/{id}/"),
    ("GET", "/api/reports/"),
    ("POST", "/api/reports/"),
    ("PATCH", "/api/reports/{id}/"),
    ("POST", "/api/reports/{id}/submit/"),
    ("GET", "/api/contributions/"),
    ("POST", "/api/contributions/"),
    ("GET", "/api/cycles/"),
]


@st.composite
def _realistic(draw, cases, world: World):
    """Half of the cases point at objects that exist, so the run reaches past the 404s."""
    case = draw(cases)
    if draw(st.booleans()):
        items = [
            world.report_item.id,
            world.fresh_report_item.id,
            world.cooperating_item.id,
            world.fresh_cooperating_item.id,
        ]
        known = {"tasks": items, "reports": [world.report.id], "contributions": [world.contribution.id]}
        resource = case.operation.path.split("/")[2]
        if case.path_parameters and "id" in case.path_parameters:
            case.path_parameters["id"] = draw(st.sampled_from(known[resource]))
        if isinstance(case.body, dict) and "item" in case.body:
            case.body["item"] = draw(st.sampled_from(items))
            case.body.pop("cycle", None)
            case.body.pop("unit", None)
        if case.query:
            case.query.pop("page", None)
    return case


def _live_schema(token: str):
    # The schema is served to signed-in users only.
    headers = {"Authorization": f"Token {token}"}
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler(), headers=headers)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests made straight through the WSGI handler fire request_started/finished, whose
    close_old_connections would close the test's transaction-bound PostgreSQL connection (Django's own
    test client disconnects it the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=lambda value: str(value))
def test_it_answers_every_generated_request_as_documented(world: World, method: str, path: str):
    token = Token.objects.get_or_create(user=world.p.owner)[0].key
    schema = _live_schema(token).include(method=method, path=path)
    [operation] = [result.ok() for result in schema.get_all_operations()]

    @given(case=_realistic(operation.as_strategy(), world))
    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,  # the same examples every run: a failure here is reproducible, never flaky
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)

    run()


def test_it_exercises_the_operations_it_names(world: World):
    schema = _live_schema(Token.objects.get_or_create(user=world.p.owner)[0].key)
    documented = {(op.method.upper(), op.path) for op in (r.ok() for r in schema.get_all_operations())}
    assert set(OPERATIONS) <= documented  # a renamed path would otherwise silently drop out of the run
