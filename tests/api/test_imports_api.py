"""Console import API (BRIEF §5): POST /api/console/imports/ → GET …/{id}/ → POST …/{id}/confirm/ | discard/.

Token clients, Celery eager, the same service path as the console pages: the exact shapes, one confirmation
only, scope (staff 404, leadership reads but 403 on writes, anonymous 401), bad files refused or failed with
one line and nothing written, unit choices in the confirm body."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks_app.models import Assignment, ImportJob, Plan, Unit
from tests.api.conftest import client_for
from tests.console.import_documents import (
    SUGGESTED_UNIT,
    TITLE,
    UNKNOWN_UNIT,
    model_counts,
    notice_txt,
    png_bytes,
    stored_files,
)
from tests.personas import Personas

pytestmark = pytest.mark.django_db

URL = "/api/console/imports/"
PREVIEW_KEYS = {"title", "kind", "jurisdiction", "period", "reporting", "indicators", "tasks", "units", "warnings"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    return tmp_path / "media"


@pytest.fixture
def post_file(django_capture_on_commit_callbacks):
    def post(client, data: bytes, name: str = "分工通知.txt"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, {"file": SimpleUploadedFile(name, data)}, format="multipart")

    return post


def test_it_uploads_parses_and_confirms(personas: Personas, post_file, media):
    p = personas
    admin = client_for(p.admin)
    before = model_counts()
    created = post_file(admin, notice_txt())
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "status"} and body["status"] in ("queued", "parsing", "ready")
    assert created["Location"] == f"{URL}{body['id']}/"

    job = admin.get(f"{URL}{body['id']}/").json()
    assert set(job) == {"id", "status", "progress", "error", "preview", "plan_id"}
    assert (job["status"], job["progress"], job["error"], job["plan_id"]) == ("ready", 100, None, None)
    assert PREVIEW_KEYS <= set(job["preview"]) and job["preview"]["title"] == TITLE
    assert job["preview"]["period"] == {"start": 2021, "end": 2025}
    assert model_counts() == before  # nothing but the job before confirmation

    target = Unit.objects.get(jurisdiction=p.plan.jurisdiction, name=SUGGESTED_UNIT)
    confirmed = admin.post(f"{URL}{body['id']}/confirm/", {"units": {UNKNOWN_UNIT: target.pk}}, format="json")
    plan = Plan.objects.get(title=TITLE)
    assert confirmed.status_code == 200 and confirmed.json() == {"plan_id": plan.pk}
    assert Assignment.objects.filter(item__plan=plan, unit=target, role="lead").count() == 2
    assert not Unit.objects.filter(name=UNKNOWN_UNIT).exists()
    after = admin.get(f"{URL}{body['id']}/").json()
    assert (after["status"], after["plan_id"]) == ("imported", plan.pk)

    again = admin.post(f"{URL}{body['id']}/confirm/", format="json")
    assert again.status_code == 409 and "不能重复确认" in again.json()["detail"]
    assert admin.post(f"{URL}{body['id']}/discard/").status_code == 409
    assert Plan.objects.filter(title=TITLE).count() == 1


def test_it_confirms_without_a_body(personas: Personas, post_file):
    admin = client_for(personas.admin)
    job_id = post_file(admin, notice_txt()).json()["id"]
    response = admin.post(f"{URL}{job_id}/confirm/")
    assert response.status_code == 200
    plan = Plan.objects.get(pk=response.json()["plan_id"])
    assert plan.items.count() == 4
    assert Unit.objects.get(jurisdiction=plan.jurisdiction, name=UNKNOWN_UNIT).needs_review  # left for review


def test_it_discards_without_writing(personas: Personas, post_file):
    admin = client_for(personas.admin)
    before = model_counts()
    job_id = post_file(admin, notice_txt()).json()["id"]
    response = admin.post(f"{URL}{job_id}/discard/")
    assert response.status_code == 200 and response.json() == {"id": job_id, "status": "discarded"}
    refused = admin.post(f"{URL}{job_id}/confirm/", format="json")
    assert refused.status_code == 409 and "待确认" in refused.json()["detail"]
    assert model_counts() == before
    assert admin.get(f"{URL}{job_id}/").json()["status"] == "discarded"


def test_it_refuses_a_bad_unit_choice_with_400(personas: Personas, post_file):
    admin = client_for(personas.admin)
    job_id = post_file(admin, notice_txt()).json()["id"]
    before = model_counts()
    for units in ({UNKNOWN_UNIT: 99999999}, {UNKNOWN_UNIT: "abc"}, {"市不存在的局": "new"}):
        response = admin.post(f"{URL}{job_id}/confirm/", {"units": units}, format="json")
        assert response.status_code == 400 and response.json()["detail"], units
    assert admin.post(f"{URL}{job_id}/confirm/", {"units": ["x"]}, format="json").status_code == 400
    assert admin.post(f"{URL}{job_id}/confirm/", ["x"], format="json").status_code == 400
    assert model_counts() == before and ImportJob.objects.get(pk=job_id).status == "ready"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "文件为空"),
        ("garbage.bin", bytes(range(256)) * 16, "二进制内容"),
        ("picture.xlsx", png_bytes(), "PNG 图片"),
    ],
    ids=["empty", "garbage", "png-as-xlsx"],
)
def test_it_refuses_bad_files_at_upload(personas: Personas, post_file, media, name, data, message):
    before = model_counts()
    response = post_file(client_for(personas.admin), data, name)
    assert response.status_code == 400 and message in response.json()["detail"]
    assert "\n" not in response.json()["detail"]
    assert ImportJob.objects.count() == 0 and model_counts() == before and stored_files(media) == []


def test_it_refuses_an_oversize_file(personas: Personas, post_file, settings, media):
    settings.IMPORT_MAX_BYTES = 2048
    response = post_file(client_for(personas.admin), notice_txt() * 4)
    assert response.status_code == 400 and "文件过大" in response.json()["detail"]
    assert ImportJob.objects.count() == 0 and stored_files(media) == []


def test_it_refuses_an_upload_without_a_file(personas: Personas):
    response = client_for(personas.admin).post(URL, {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


def test_it_ends_an_unreadable_document_as_failed(personas: Personas, post_file):
    admin = client_for(personas.admin)
    before = model_counts()
    response = post_file(admin, "这不是一份分工文件,只有一句话。\n".encode(), "note.txt")
    job = admin.get(f"{URL}{response.json()['id']}/").json()
    assert job["status"] == "failed" and job["preview"] is None and job["plan_id"] is None
    assert job["error"] and "\n" not in job["error"]
    assert admin.post(f"{URL}{job['id']}/confirm/", format="json").status_code == 409
    assert model_counts() == before


@pytest.mark.parametrize("persona", ["owner", "outsider"])
def test_it_hides_every_endpoint_from_department_staff(personas: Personas, post_file, persona):
    admin = client_for(personas.admin)
    job_id = post_file(admin, notice_txt()).json()["id"]
    staff = client_for(getattr(personas, persona))
    before = (ImportJob.objects.count(), model_counts())
    assert post_file(staff, notice_txt()).status_code == 404
    assert staff.get(f"{URL}{job_id}/").status_code == 404
    assert staff.post(f"{URL}{job_id}/confirm/", format="json").status_code == 404
    assert staff.post(f"{URL}{job_id}/discard/").status_code == 404
    assert (ImportJob.objects.count(), model_counts()) == before
    assert ImportJob.objects.get(pk=job_id).status == "ready"


def test_it_lets_leadership_read_but_not_write(personas: Personas, post_file):
    admin = client_for(personas.admin)
    job_id = post_file(admin, notice_txt()).json()["id"]
    leader = client_for(personas.leader)
    assert leader.get(f"{URL}{job_id}/").json()["status"] == "ready"
    assert post_file(leader, notice_txt()).status_code == 403
    assert leader.post(f"{URL}{job_id}/confirm/", format="json").status_code == 403
    assert leader.post(f"{URL}{job_id}/discard/").status_code == 403
    assert ImportJob.objects.count() == 1 and ImportJob.objects.get().status == "ready"
    assert not Plan.objects.filter(title=TITLE).exists()


def test_it_answers_anonymous_and_unknown_ids(personas: Personas):
    anonymous = client_for(None)
    assert anonymous.get(f"{URL}1/").status_code == 401
    assert anonymous.post(URL, {}, format="multipart").status_code == 401
    admin = client_for(personas.admin)
    for path in (f"{URL}999999/", f"{URL}abc/", f"{URL}0/"):
        assert admin.get(path).status_code == 404
    assert admin.post(f"{URL}999999/confirm/", format="json").status_code == 404


def test_it_documents_the_import_endpoints_in_the_schema(personas: Personas):
    schema = client_for(personas.admin).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    upload = paths["/api/console/imports/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"] and "201" in upload["responses"]
    job = paths["/api/console/imports/{id}/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    name = job["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][name]["properties"]) == {
        "id",
        "status",
        "progress",
        "error",
        "preview",
        "plan_id",
    }
    assert "/api/console/imports/{id}/confirm/" in paths and "/api/console/imports/{id}/discard/" in paths


def test_it_previews_exactly_what_import_document_dry_run_prints(personas: Personas, post_file, tmp_path):
    from tests.conftest import run_json

    path = tmp_path / "分工通知.txt"
    path.write_bytes(notice_txt())
    admin = client_for(personas.admin)
    job_id = post_file(admin, path.read_bytes(), path.name).json()["id"]
    assert admin.get(f"{URL}{job_id}/").json()["preview"] == run_json("import_document", str(path), "--dry-run")
