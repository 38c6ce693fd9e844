"""Every web URL × persona, with the status each one gets.

owner = staff of 市教育局 (the unit of the objects), outsider = staff of 市林业局, admin = planning office,
leader = leadership (read-only), anonymous = not logged in. Another unit's object → 404; a visible object
the persona may only read → 403 on POST; anonymous → redirect to the login page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.web.conftest import Web

PERSONAS = ("owner", "outsider", "admin", "leader", "anonymous")


def _url(web: Web, name: str) -> str:
    return {
        "home": reverse("home"),
        "plans": reverse("plans"),
        "item": reverse("item", args=[web.lead_item.pk]),
        "report": reverse("report", args=[web.lead_item.pk]),
        "contribution": reverse("contribution", args=[web.coop_item.pk]),
        "evidence": reverse("evidence", args=[web.evidence.pk]),
        "report_on_coop_item": reverse("report", args=[web.coop_item.pk]),
    }[name]


GET_MATRIX = {
    #                 owner outsider admin leader anonymous
    "home": (200, 200, 200, 200, 302),
    "plans": (200, 200, 200, 200, 302),
    "item": (200, 404, 200, 200, 302),
    "report": (200, 404, 200, 200, 302),
    "contribution": (200, 404, 200, 200, 302),
    "evidence": (200, 404, 200, 200, 302),
    "report_on_coop_item": (200, 404, 200, 200, 302),
}
POST_MATRIX = {
    "report": (302, 404, 403, 403, 302),
    "contribution": (302, 404, 403, 403, 302),
    # 市教育局 only cooperates on this item: it may read the lead's report but not write it.
    "report_on_coop_item": (403, 404, 403, 403, 302),
}


def _client_for(client, web: Web, persona: str):
    if persona != "anonymous":
        client.force_login(getattr(web.p, persona))
    return client


def _post_data(name: str) -> dict:
    if name == "contribution":
        return {"text": "配合推进", "version": "0", "action": "save"}
    return {"progress": "改写的进展", "version": "2", "action": "save"}


@pytest.mark.parametrize("name", GET_MATRIX)
@pytest.mark.parametrize("index", range(len(PERSONAS)), ids=PERSONAS)
def test_it_answers_every_get_with_the_personas_status(client, web, name, index):
    persona = PERSONAS[index]
    url = _url(web, name)
    response = _client_for(client, web, persona).get(url)
    assert response.status_code == GET_MATRIX[name][index], (persona, url)
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("name", POST_MATRIX)
@pytest.mark.parametrize("index", range(len(PERSONAS)), ids=PERSONAS)
def test_it_answers_every_post_with_the_personas_status(client, web, name, index):
    persona = PERSONAS[index]
    url = _url(web, name)
    response = _client_for(client, web, persona).post(url, _post_data(name))
    assert response.status_code == POST_MATRIX[name][index], (persona, url)


def test_it_hides_the_forms_from_leadership(client, web):
    client.force_login(web.p.leader)
    for url in (_url(web, "report"), _url(web, "contribution"), _url(web, "item")):
        body = client.get(url).content.decode()
        assert '<form method="post" enctype' not in body and 'name="action"' not in body, url


def test_it_does_not_let_an_outsider_pick_another_unit_by_query_string(client, web):
    client.force_login(web.p.owner)
    url = _url(web, "report")
    assert client.get(f"{url}?unit={web.p.forestry.pk}").status_code == 404
    assert client.get(f"{url}?unit=abc").status_code == 404


def test_it_refuses_a_post_without_the_csrf_token(web):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(web.p.owner)
    response = client.post(_url(web, "report"), _post_data("report"))
    assert response.status_code == 403


def test_it_never_serves_evidence_from_media_url(client, web):
    client.force_login(web.p.owner)
    assert client.get("/media/" + web.evidence.file.name).status_code == 404
