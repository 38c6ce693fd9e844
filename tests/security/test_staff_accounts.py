"""Real accounts: an office admin creates a unit's staff login with a first password; the user must change
it at the first sign-in (pages redirect, the API and its token endpoint refuse) and every step is audited."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from tasks_app.access import CapabilityDenied
from tasks_app.models import AccountState, AuditEntry, Membership
from tasks_app.services.accounts import AccountError, account_password_changed, staff_account_create
from tests.personas import Personas, make_user, web_client

pytestmark = pytest.mark.django_db

URL = "/console/units/accounts/"
FIRST = "Chuci-Mima-2024!"
NEW = "Xin-Mima-Only-Mine-77"
READ = {"admin": 200, "reviewer": 200, "leader": 200, "owner": 404, "anonymous": 302}
WRITE = {"admin": 302, "reviewer": 403, "leader": 403, "owner": 404, "anonymous": 302}


def _client(p: Personas, persona: str) -> Client:
    if persona == "reviewer":
        client = Client()
        client.force_login(make_user("reviewer", office="reviewer"))
        return client
    return web_client(p, persona)


def _form(p: Personas, **changes: str) -> dict[str, str]:
    return {
        "unit": str(p.education.pk),
        "username": "jyj-zhang",
        "full_name": "张 伟",
        "role": Membership.Role.STAFF,
        "email": "zhang@example.cn",
        "first_password": FIRST,
        **changes,
    }


def _created(p: Personas) -> object:
    return staff_account_create(
        actor=p.admin, unit=p.education, username="jyj-li", full_name="李娜", role="head", first_password=FIRST
    )


@pytest.mark.parametrize("persona", sorted(READ))
def test_it_gives_each_persona_the_expected_status(personas: Personas, persona: str):
    client = _client(personas, persona)
    users = get_user_model().objects.count()
    assert client.get(URL).status_code == READ[persona]
    assert client.post(URL, _form(personas, username=f"new-{persona}")).status_code == WRITE[persona]
    created = get_user_model().objects.count() - users
    assert created == (1 if persona == "admin" else 0)


def test_it_shows_leadership_the_list_without_the_create_button(personas: Personas):
    _created(personas)
    body = web_client(personas, "leader").get(URL).content.decode()
    assert "jyj-li" in body and "待修改初始密码" in body
    assert "创建账号</button>" not in body and "disabled" in body


def test_it_creates_a_staff_login_for_the_unit_and_audits_it_without_the_password(personas: Personas):
    response = web_client(personas, "admin").post(URL, _form(personas, role=Membership.Role.HEAD))
    assert response.status_code == 302
    user = get_user_model().objects.get(username="jyj-zhang")
    assert user.first_name == "张 伟" and user.check_password(FIRST) and not user.is_staff
    assert Membership.objects.get(user=user).unit == personas.education
    assert Membership.objects.get(user=user).role == Membership.Role.HEAD
    assert AccountState.objects.get(user=user).must_change_password
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_CREATE, object_id=user.pk)
    assert entry.actor == personas.admin and "市教育局" in entry.summary
    assert FIRST not in str(entry.after) and FIRST not in entry.summary
    page = web_client(personas, "admin").get(f"{URL}?unit={personas.education.pk}").content.decode()
    assert "jyj-zhang" in page and "单位负责人" in page


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"first_password": "12345678"}, "密码"),  # common and numeric: Django's validators
        ({"first_password": "jyj-zhang1"}, "密码"),  # too similar to the username
        ({"first_password": "Ab1!"}, "密码"),  # too short
        ({"username": "has space!"}, "用户名"),
        ({"username": "OWNER"}, "已被使用"),  # an existing login, whatever the case
        ({"full_name": "   "}, "姓名"),
        ({"role": "admin"}, "角色"),
        ({"unit": "999999"}, "单位"),
        ({"email": "not-an-email"}, "邮箱"),
    ],
)
def test_it_refuses_bad_input_with_one_message_and_writes_nothing(personas: Personas, changes, words):
    client = web_client(personas, "admin")
    before = (get_user_model().objects.count(), Membership.objects.count(), AuditEntry.objects.count())
    response = client.post(URL, _form(personas, **changes))
    assert response.status_code == 400
    assert words in response.content.decode()
    assert (get_user_model().objects.count(), Membership.objects.count(), AuditEntry.objects.count()) == before


def test_it_refuses_the_service_call_outside_the_capability(personas: Personas):
    with pytest.raises(CapabilityDenied) as refused:
        staff_account_create(
            actor=personas.leader,
            unit=personas.education,
            username="x1",
            full_name="x",
            role="staff",
            first_password=FIRST,
        )
    assert "只读" in str(refused.value)  # leadership's refusal names the read-only role
    with pytest.raises(AccountError):
        staff_account_create(
            actor=personas.admin,
            unit=personas.education,
            username="x1",
            full_name="x",
            role="boss",
            first_password=FIRST,
        )


def test_it_sends_a_first_login_to_the_password_change_until_it_is_changed(personas: Personas):
    user = _created(personas)
    client = Client()
    assert client.post("/accounts/login/", {"username": "jyj-li", "password": FIRST}).status_code == 302
    for path in ("/", f"/items/{personas.plan.pk}/", "/console/", "/accounts/tokens/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url == "/accounts/password/", path
    page = client.get("/accounts/password/").content.decode()
    assert "首次登录" in page
    session_api = client.get("/api/tasks/")
    assert session_api.status_code == 403 and session_api.json()["code"] == "password_change_required"
    # the same password again is no change
    same = client.post("/accounts/password/", {"old_password": FIRST, "new_password1": FIRST, "new_password2": FIRST})
    assert same.status_code == 200 and "不能与原密码相同" in same.content.decode()
    assert AccountState.objects.get(user=user).must_change_password
    changed = client.post("/accounts/password/", {"old_password": FIRST, "new_password1": NEW, "new_password2": NEW})
    assert changed.status_code == 302
    assert client.get("/").status_code == 200  # the session stays signed in
    assert client.get("/api/tasks/").status_code == 200
    state = AccountState.objects.get(user=user)
    assert not state.must_change_password and state.password_changed_at is not None
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_PASSWORD, object_id=user.pk).count() == 1


def test_it_refuses_an_api_token_until_the_first_password_is_changed(personas: Personas):
    user = _created(personas)
    api = APIClient()
    refused = api.post("/api/auth/token/", {"username": "jyj-li", "password": FIRST}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "password_change_required" and "初始密码" in refused.json()["detail"]
    wrong = api.post("/api/auth/token/", {"username": "jyj-li", "password": "nope"}, format="json")
    assert wrong.status_code == 400  # a wrong password says nothing about the account's state
    user.set_password(NEW)
    user.save()
    account_password_changed(user=user)
    issued = api.post("/api/auth/token/", {"username": "jyj-li", "password": NEW}, format="json")
    assert issued.status_code == 200 and issued.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['token']}")
    assert api.get("/api/tasks/").status_code == 200
