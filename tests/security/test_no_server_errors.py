"""Every URL pattern × every persona with junk ids, junk query and form values and the `.json` suffix: no 5xx.

Patterns come from the resolver (a new route is walked without a line here); Django's own admin is left out.
Each fault the hardening issue found has its own test below as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from tasks_app.models import ReportVersion
from tests.personas import Personas, make_user

JUNK_IDS = ("999999", "0", "abc", "-1")
JUNK_VALUES = ("abc", "-1", "99999999999999999999", "%00", "2020-13-45", "'\"<x>")
pytestmark = pytest.mark.django_db

QUERY_NAMES = (
    "unit", "plan", "cycle", "year", "status", "page", "page_size", "q", "as_of", "jurisdiction", "item",
    "kind", "report", "ordering", "format", "relation", "step",
)  # fmt: skip


def _regex_paths(entries: list, prefix: str = "") -> Iterator[str]:
    for entry in entries:
        pattern = prefix + entry.pattern.regex.pattern.lstrip("^")
        if isinstance(entry, URLResolver):
            if pattern.startswith("admin/"):
                continue
            yield from _regex_paths(entry.url_patterns, pattern.rstrip("$"))
        elif isinstance(entry, URLPattern):
            yield pattern


def _fill(regex: str, junk: str) -> str | None:
    """A concrete path for a pattern: every group gets the junk value (the format group gets json)."""

    def group(match: re.Match) -> str:
        return "json" if match.group(1) == "format" else junk

    path = re.sub(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)", group, regex)
    path = path.replace("\\Z", "").replace("$", "").replace("/?", "").replace("\\.", ".").replace("\\", "")
    return "/" + path if re.fullmatch(r"[\w./%'\"<>-]*", path) else None


def junk_paths() -> list[str]:
    paths = set()
    for regex in _regex_paths(get_resolver().url_patterns):
        for junk in JUNK_IDS:
            path = _fill(regex, junk)
            if path is not None:
                paths.add(path)
    return sorted(paths)


def test_it_walks_every_application_route():
    paths = junk_paths()
    assert len(paths) > 100
    assert "/api/reports/999999/submit.json" in paths
    assert "/console/outbox/preview/" in paths


def _clients(p: Personas) -> dict[str, Client]:
    nobody = make_user("nobody")  # signed in, no unit, no office role
    clients = {"anonymous": Client(raise_request_exception=False)}
    for name, user in (("owner", p.owner), ("outsider", p.outsider), ("admin", p.admin), ("leader", p.leader)):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[name] = client
    token = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=nobody).key}")
    clients["nobody (token)"] = token
    return clients


def test_it_answers_every_route_without_a_server_error(personas):
    query = "&".join(f"{name}={JUNK_VALUES[n % len(JUNK_VALUES)]}" for n, name in enumerate(QUERY_NAMES))
    form = {name: "abc" for name in QUERY_NAMES}
    failures = []
    requests = 0
    clients = _clients(personas)
    for persona, client in clients.items():
        for path in junk_paths():
            for method, kwargs in (("get", {}), ("get", {"QUERY_STRING": query}), ("post", {"data": form})):
                if method == "post" and path == "/accounts/logout/":
                    continue  # the walk must stay signed in
                response = getattr(client, method)(path, **kwargs)
                requests += 1
                if response.status_code >= 500:
                    failures.append(f"{persona} {method.upper()} {path}?{kwargs.get('QUERY_STRING', '')}")
    print(f"{requests} requests, {len(failures)} server errors")
    assert clients["owner"].get("/").status_code == 200, "the personas were still signed in at the end"
    assert not failures, "\n".join(failures[:40])


# --- the faults found by the probe, one test each ---------------------------------------------------


def test_it_submits_through_the_json_suffix(personas):
    client = Client(raise_request_exception=False)
    client.force_login(personas.owner)
    response = client.post("/api/reports/999999/submit.json", {}, content_type="application/json")
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_gives_404_for_a_junk_outbox_unit(personas, method):
    client = Client(raise_request_exception=False)
    client.force_login(personas.admin)
    if method == "get":
        response = client.get("/console/outbox/preview/?unit=abc")
    else:
        response = client.post("/console/outbox/send/", {"unit": "abc"})
    assert response.status_code == 404


def test_it_shows_history_whose_author_was_deleted(personas):
    from tasks_app.services.reports import ReportDraft, report_get_or_start, report_save
    from tests.api.conftest import education_reports_on

    item = education_reports_on(personas)
    p = personas
    report = report_get_or_start(user=p.colleague, item=item, unit_id=p.education.pk, cycle=p.cycle)
    report_save(report=report, user=p.colleague, data=ReportDraft(progress="进展"), expected_version=report.version)
    get_user_model().objects.filter(pk=personas.colleague.pk).delete()
    assert ReportVersion.objects.filter(report__item=item, actor__isnull=True).exists()
    for user, path in ((personas.owner, f"/items/{item.pk}/report/"), (personas.admin, f"/items/{item.pk}/")):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        response = client.get(path)
        assert response.status_code == 200, path
        assert "系统" in response.content.decode()
