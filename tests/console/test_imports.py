"""Document import in the console (/console/imports/): who may do what, upload → parse → preview → confirm
with Celery eager, discard writes nothing, one confirmation only, bad files refused with one line, the
office's unit choices, the re-import diff, and the retention rule."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tasks_app.import_units import name_similarity, unknown_units
from tasks_app.models import Assignment, ImportJob, Plan, Unit, UnitAlias
from tasks_app.services import import_jobs as jobs
from tests.console.import_documents import (
    SUGGESTED_UNIT,
    TITLE,
    UNKNOWN_UNIT,
    changed_tasks,
    model_counts,
    notice_txt,
    png_bytes,
    stored_files,
)
from tests.personas import Personas, web_client

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "leader", "owner", "outsider", "anonymous")
READ = {"admin": 200, "leader": 200, "owner": 404, "outsider": 404, "anonymous": 302}
WRITE = {"admin": 302, "leader": 403, "owner": 404, "outsider": 404, "anonymous": 302}


@pytest.fixture(autouse=True)
def _own_media(media: Path) -> Path:
    return media


def ready_job(p: Personas, data: bytes | None = None, name: str = "分工通知.txt") -> ImportJob:
    job = jobs.import_job_create(upload=SimpleUploadedFile(name, data or notice_txt()), user=p.admin)
    return jobs.import_job_parse(job_id=job.pk)


def upload(client: Client, data: bytes, name: str, capture):
    with capture(execute=True):
        return client.post("/console/imports/", {"file": SimpleUploadedFile(name, data)})


# --- scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_gives_each_persona_the_expected_status(personas: Personas, persona: str):
    p = personas
    job = ready_job(p)
    client = web_client(p, persona)
    pages = [
        ("get", "/console/imports/", READ),
        ("get", f"/console/imports/{job.pk}/", READ),
        ("get", f"/console/imports/{job.pk}/status/", READ),
        ("post", f"/console/imports/{job.pk}/discard/", WRITE),
    ]
    for method, path, expected in pages:
        response = getattr(client, method)(path)
        assert response.status_code == expected[persona], (persona, path)
    before = (ImportJob.objects.count(), model_counts())
    response = client.post("/console/imports/", {"file": SimpleUploadedFile("a.txt", notice_txt())})
    assert response.status_code == WRITE[persona]
    confirm = client.post(f"/console/imports/{job.pk}/confirm/")
    if persona != "admin":
        assert confirm.status_code == WRITE[persona]
        assert (ImportJob.objects.count(), model_counts()) == before  # a refused write records nothing
    if persona == "anonymous":
        assert client.get("/console/imports/").url.startswith("/accounts/login/")


def test_it_shows_leadership_the_list_without_upload_or_confirm(personas: Personas):
    p = personas
    job = ready_job(p)
    page = web_client(p, "leader").get("/console/imports/").content.decode()
    assert "上传并解析" not in page and "只读账号" in page and f"/console/imports/{job.pk}/" in page
    preview = web_client(p, "leader").get(f"/console/imports/{job.pk}/").content.decode()
    assert "确认导入" not in preview and UNKNOWN_UNIT in preview and "disabled" in preview
    admin = web_client(p, "admin").get("/console/imports/").content.decode()
    assert "上传并解析" in admin and 'href="/console/imports/"' in admin  # the navigation link


# --- the whole path ------------------------------------------------------------------------------


def test_it_uploads_parses_previews_and_confirms(personas: Personas, eager, media, django_capture_on_commit_callbacks):
    p = personas
    client = web_client(p, "admin")
    before = model_counts()
    response = upload(client, notice_txt(), "数字经济分工.txt", django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/console/imports/{job.pk}/"
    assert (job.status, job.progress, job.format, job.uploaded_by) == ("ready", 100, "txt", p.admin)
    assert job.preview["title"] == TITLE and len(job.preview["tasks"]) == 4
    assert job.diff is None  # a first import
    assert model_counts() == before  # parsing wrote nothing but the job
    assert stored_files(media) == [job.file.name] and job.file.name.startswith("imports/")

    status = client.get(f"/console/imports/{job.pk}/status/").json()
    assert status == {
        "id": job.pk,
        "status": "ready",
        "status_label": "待确认",
        "progress": 100,
        "error": None,
        "plan_id": None,
    }
    page = client.get(response.url).content.decode()
    for text in ("识别结果", "分工通知", "营口市", "2021—2025年", "1月10日前", "报送市发展改革委", "确认导入", "放弃"):
        assert text in page, text
    assert "加快5G网络和千兆光网建设" in page and "到2024年底" in page and "原文第 " in page
    assert UNKNOWN_UNIT in page and "推荐的已有单位" in page and SUGGESTED_UNIT in page

    target = Unit.objects.get(jurisdiction=p.plan.jurisdiction, name=SUGGESTED_UNIT)
    confirm = client.post(f"/console/imports/{job.pk}/confirm/", {"unit-0-name": UNKNOWN_UNIT, "unit-0": target.pk})
    job.refresh_from_db()
    plan = Plan.objects.get(title=TITLE)
    assert confirm.status_code == 302 and confirm.url == f"/console/division/?plan={plan.pk}"
    assert (job.status, job.plan, job.decided_by, job.unit_choices) == (
        "imported",
        plan,
        p.admin,
        {UNKNOWN_UNIT: target.pk},
    )
    assert plan.items.count() == 4 and plan.reporting_month == 1 and plan.reporting_day == 10
    leads = Assignment.objects.filter(item__plan=plan, role="lead", unit=target).count()
    assert leads == 2 and not Unit.objects.filter(name=UNKNOWN_UNIT).exists()
    assert UnitAlias.objects.filter(unit=target, name=UNKNOWN_UNIT).exists()  # remembered for the next document
    division = client.get(confirm.url).content.decode()
    assert "推进工业互联网平台应用" in division and SUGGESTED_UNIT in division


def test_it_confirms_a_new_unit_as_the_office_decided(personas: Personas):
    p = personas
    job = ready_job(p)
    jobs.import_job_confirm(job_id=job.pk, user=p.admin, unit_choices={UNKNOWN_UNIT: "new"})
    unit = Unit.objects.get(jurisdiction=p.plan.jurisdiction, name=UNKNOWN_UNIT)
    assert unit.needs_review is False  # the office has decided: off the review queue
    assert Assignment.objects.filter(unit=unit, role="lead").count() == 2


def test_it_leaves_an_undecided_name_on_the_review_queue(personas: Personas):
    p = personas
    job = ready_job(p)
    jobs.import_job_confirm(job_id=job.pk, user=p.admin)
    assert Unit.objects.get(jurisdiction=p.plan.jurisdiction, name=UNKNOWN_UNIT).needs_review is True


def test_it_leaves_a_job_queued_until_a_worker_takes_it(
    personas: Personas, monkeypatch, django_capture_on_commit_callbacks
):
    from tasks_app import tasks

    queued: list[int] = []
    monkeypatch.setattr(tasks.run_import_job, "apply_async", lambda args, kwargs=None, **options: queued.extend(args))
    client = web_client(personas, "admin")
    response = upload(client, notice_txt(), "a.txt", django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert queued == [job.pk] and job.status == "queued" and job.preview is None
    html = client.get(response.url).content.decode()
    assert f'data-status-url="/console/imports/{job.pk}/status/"' in html and "job_progress.js" in html
    assert "确认导入" not in html
    seen = []
    original = jobs._progress

    def spy(job_id: int, percent: int) -> None:
        original(job_id, percent)
        seen.append(client.get(f"/console/imports/{job_id}/status/").json()["progress"])

    monkeypatch.setattr(jobs, "_progress", spy)
    assert tasks.run_import_job(job.pk) == "ready"  # the worker's call
    assert seen == sorted(seen) and 0 < seen[0] < seen[-1] < 100
    assert jobs.import_job_parse(job_id=job.pk).status == "ready"  # a redelivered task changes nothing


def test_it_marks_a_job_failed_when_the_queue_is_down(
    personas: Personas, monkeypatch, django_capture_on_commit_callbacks
):
    from tasks_app import tasks

    def broken(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.run_import_job, "apply_async", broken)
    upload(web_client(personas, "admin"), notice_txt(), "a.txt", django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == "failed" and "无法加入后台队列" in job.error


def test_it_writes_nothing_when_discarded(personas: Personas, media):
    p = personas
    before = model_counts()
    job = ready_job(p)
    response = web_client(p, "admin").post(f"/console/imports/{job.pk}/discard/")
    job.refresh_from_db()
    assert response.status_code == 302 and job.status == "discarded" and job.decided_by == p.admin
    assert model_counts() == before
    with pytest.raises(jobs.ImportJobConflict, match="只有“待确认”的导入可以确认"):
        jobs.import_job_confirm(job_id=job.pk, user=p.admin)
    assert model_counts() == before


def test_it_confirms_only_once(personas: Personas):
    p = personas
    job = ready_job(p)
    jobs.import_job_confirm(job_id=job.pk, user=p.admin)
    after_first = model_counts()
    with pytest.raises(jobs.ImportJobConflict, match=r"已导入.*不能重复确认"):
        jobs.import_job_confirm(job_id=job.pk, user=p.admin)
    with pytest.raises(jobs.ImportJobConflict, match="不能放弃"):
        jobs.import_job_discard(job_id=job.pk, user=p.admin)
    assert model_counts() == after_first
    client = web_client(p, "admin")
    response = client.post(f"/console/imports/{job.pk}/confirm/", follow=True)
    assert "不能重复确认" in response.content.decode()


def test_it_refuses_a_unit_choice_outside_the_registry_scope(personas: Personas):
    p = personas
    job = ready_job(p)
    other = Unit.objects.exclude(jurisdiction=p.plan.jurisdiction).exclude(jurisdiction__name="辽宁省").first()
    before = model_counts()
    bad = [
        ({"市不存在的局": "new"}, "不是本文件中登记表未收录的单位名称"),
        ({UNKNOWN_UNIT: "abc"}, "对应单位无效"),
        ({UNKNOWN_UNIT: 99999999}, "不存在或不属于本文件的行政区划"),
    ]
    if other is not None:
        bad.append(({UNKNOWN_UNIT: other.pk}, "不属于本文件的行政区划"))
    for choices, message in bad:
        with pytest.raises(jobs.ImportJobError, match=message):
            jobs.import_job_confirm(job_id=job.pk, user=p.admin, unit_choices=choices)
    job.refresh_from_db()
    assert job.status == "ready" and model_counts() == before


# --- bad files -----------------------------------------------------------------------------------


BAD_UPLOADS = [
    ("empty.txt", b"", "文件为空"),
    ("blank.txt", b" \n\t\n", "文件为空"),
    ("garbage.txt", bytes(range(256)) * 40, "二进制内容"),
    ("picture.xlsx", png_bytes(), "PNG 图片"),
    ("photo.docx", b"\xff\xd8\xff\xe0" + b"\x00" * 200, "JPEG 图片"),
    ("archive.docx", None, "普通 zip 压缩包"),
]


def _zip_bytes() -> bytes:
    import io
    import zipfile

    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("readme.txt", "not a document")
    return stream.getvalue()


@pytest.mark.parametrize(("name", "data", "message"), BAD_UPLOADS, ids=[row[0] for row in BAD_UPLOADS])
def test_it_refuses_a_bad_file_at_upload(personas: Personas, media, name: str, data: bytes | None, message: str):
    before = model_counts()
    response = web_client(personas, "admin").post(
        "/console/imports/", {"file": SimpleUploadedFile(name, _zip_bytes() if data is None else data)}
    )
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert ImportJob.objects.count() == 0 and model_counts() == before and stored_files(media) == []


def test_it_refuses_an_oversize_file_before_reading_it(personas: Personas, settings, media):
    settings.IMPORT_MAX_BYTES = 1000
    response = web_client(personas, "admin").post(
        "/console/imports/", {"file": SimpleUploadedFile("big.txt", notice_txt() * 10)}
    )
    assert response.status_code == 400 and "文件过大" in response.content.decode()
    assert ImportJob.objects.count() == 0 and stored_files(media) == []


def test_it_fails_a_document_it_cannot_read_with_one_line(personas: Personas):
    p = personas
    before = model_counts()
    job = ready_job(p, data="你好,这里只是一段聊天记录,没有标题也没有任务。\n".encode(), name="聊天.txt")
    assert job.status == "failed" and job.preview is None and job.finished_at is not None
    assert "\n" not in job.error and "找不到文件标题" in job.error
    assert model_counts() == before
    page = web_client(p, "admin").get(f"/console/imports/{job.pk}/").content.decode()
    assert "找不到文件标题" in page and "没有写入任何数据" in page


# --- unit suggestions ----------------------------------------------------------------------------


def test_it_ranks_registry_units_by_name_and_short_form():
    prefixes = ("营口市", "市")
    assert name_similarity("市工业和信息化局", "市工业和信息化委员会", prefixes) > 0.7
    assert name_similarity("市工业和信息化局", "市工商局", prefixes) < 0.5
    assert name_similarity("营口市财政局", "市财政局", prefixes) == 1.0
    assert name_similarity("市发改委", "市发展和改革委员会", prefixes) > 0.6  # a short form
    assert name_similarity("市发改委", "市教育局", prefixes) < 0.5


def test_it_offers_the_registry_alias_match_first(personas: Personas):
    job = ready_job(personas)
    rows = unknown_units(preview=job.preview)
    assert [row["name"] for row in rows] == [UNKNOWN_UNIT]
    top = rows[0]["suggestions"][0]
    assert top["name"] == SUGGESTED_UNIT and top["jurisdiction"] == "营口市" and rows[0]["choice"] == "new"


# --- re-import diff ------------------------------------------------------------------------------


def test_it_shows_what_a_new_version_changes(personas: Personas):
    p = personas
    first = ready_job(p)
    jobs.import_job_confirm(job_id=first.pk, user=p.admin, unit_choices={UNKNOWN_UNIT: "new"})
    plan = Plan.objects.get(title=TITLE)
    same = ready_job(p)
    assert same.diff["same_document"] is True and same.diff["unchanged"] == 4

    second = ready_job(p, data=notice_txt(tasks=changed_tasks()), name="分工通知(修订).txt")
    diff = second.diff
    assert diff["plan_id"] == plan.pk and diff["same_document"] is False
    assert [d["number"] for d in diff["added"]] == ["(五)"]
    assert [d["number"] for d in diff["changed"]] == ["(一)"] and "到2023年底" in diff["changed"][0]["after"]
    assert [d["number"] for d in diff["removed"]] == ["(三)"]
    (moved,) = diff["assignments_changed"]
    assert moved["number"] == "(二)"
    lead = next(r for r in moved["roles"] if r["role"] == "lead")
    assert lead["removed"] == ["市政府办公室"] and lead["added"] == ["市统计局"]
    assert diff["unchanged"] == 1

    page = web_client(p, "admin").get(f"/console/imports/{second.pk}/").content.decode()
    for text in (
        "与已有规划的差异",
        "新增 1",
        "修改 1",
        "删除 1",
        "分工变化 1",
        "<del>市政府办公室</del>",
        "<ins>市统计局</ins>",
    ):
        assert text in page, text

    jobs.import_job_confirm(job_id=second.pk, user=p.admin)
    active = plan.items.filter(is_active=True)
    assert active.count() == 4 and plan.items.filter(is_active=False).count() == 1  # (三) kept, inactive


# --- retention -----------------------------------------------------------------------------------


def test_it_cleans_files_and_previews_of_old_finished_jobs(personas: Personas, media, settings):
    p = personas
    settings.IMPORT_RETENTION_DAYS = 30
    old = ready_job(p)
    jobs.import_job_confirm(job_id=old.pk, user=p.admin)
    failed = ready_job(p, data=b"no title here\n", name="x.txt")
    recent = ready_job(p)
    jobs.import_job_discard(job_id=recent.pk, user=p.admin)
    waiting = ready_job(p)  # ready: the office has not decided yet, whatever its age
    long_ago = timezone.now() - timedelta(days=31)
    ImportJob.objects.filter(pk__in=[old.pk, failed.pk, waiting.pk]).update(finished_at=long_ago)
    ImportJob.objects.filter(pk=waiting.pk).update(finished_at=None, created_at=long_ago)
    old_file = ImportJob.objects.get(pk=old.pk).file.name
    assert (media / old_file).is_file()

    assert jobs.import_jobs_clean() == 2
    old.refresh_from_db()
    assert not old.file and old.preview is None and old.status == "imported" and old.plan is not None
    assert not (media / old_file).exists()
    assert ImportJob.objects.get(pk=failed.pk).file.name == ""
    for kept in (recent, waiting):
        kept.refresh_from_db()
        assert kept.file and kept.preview is not None and (media / kept.file.name).is_file()
    assert jobs.import_jobs_clean() == 0  # nothing left to clean
    page = web_client(p, "admin").get(f"/console/imports/{old.pk}/").content.decode()
    assert "已按保留期限清理" in page


def test_it_fails_jobs_whose_worker_died(personas: Personas):
    job = jobs.import_job_create(upload=SimpleUploadedFile("a.txt", notice_txt()), user=personas.admin)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=3))
    jobs.import_jobs_clean()
    job.refresh_from_db()
    assert job.status == "failed" and "后台解析中断" in job.error


def test_it_runs_the_cleanup_daily_from_celery_beat():
    from planner.celery import app

    entry = app.conf.beat_schedule["clean-import-jobs-daily"]
    assert entry["task"] == "tasks_app.tasks.clean_import_jobs"
    assert entry["schedule"].hour == {3}


def test_it_maps_a_name_onto_a_unit_typed_from_the_pick_list(personas: Personas):
    p = personas
    job = ready_job(p)
    client = web_client(p, "admin")
    page = client.get(f"/console/imports/{job.pk}/").content.decode()
    assert '<datalist id="import-unit-names">' in page and '<option value="市科技局">' in page
    refused = client.post(
        f"/console/imports/{job.pk}/confirm/",
        {"unit-0-name": UNKNOWN_UNIT, "unit-0": "other", "unit-0-other": "市没有这个局"},
        follow=True,
    )
    assert "找不到已有单位“市没有这个局”" in refused.content.decode()
    assert ImportJob.objects.get(pk=job.pk).status == "ready"
    client.post(
        f"/console/imports/{job.pk}/confirm/",
        {"unit-0-name": UNKNOWN_UNIT, "unit-0": "other", "unit-0-other": "市科学技术局"},  # an alias of 市科技局
    )
    science = Unit.objects.get(jurisdiction=p.plan.jurisdiction, name="市科技局")
    job.refresh_from_db()
    assert job.status == "imported" and job.unit_choices == {UNKNOWN_UNIT: science.pk}
    assert Assignment.objects.filter(item__plan=job.plan, unit=science, role="lead").count() == 2
    shown = client.get(f"/console/imports/{job.pk}/").content.decode()
    assert f'<option value="{science.pk}" selected>市科技局' in shown  # the decision as it was made


def test_it_pages_the_items_of_a_long_document(personas: Personas):
    p = personas
    tasks = tuple((f"({n})推进第{n}项数字化改造工程,到2025年底完成。", "市财政局", "市统计局") for n in range(1, 251))
    job = ready_job(p, data=notice_txt(tasks=tasks))
    client = web_client(p, "admin")
    first = client.get(f"/console/imports/{job.pk}/").content.decode()
    assert "事项与分工(250)" in first and "第 1 / 3 页" in first and "推进第100项" in first
    assert "推进第101项" not in first and "确认导入" in first
    last = client.get(f"/console/imports/{job.pk}/?page=3").content.decode()
    assert "推进第250项" in last and "推进第200项" not in last and "确认导入" in last


def test_it_lets_reviewers_read_but_not_import(personas: Personas):
    from tasks_app.models import OfficeRole
    from tests.personas import make_user

    job = ready_job(personas)
    reviewer = Client()
    reviewer.force_login(make_user("reviewer", office=OfficeRole.Role.REVIEWER))
    assert reviewer.get(f"/console/imports/{job.pk}/").status_code == 200
    before = (ImportJob.objects.count(), model_counts())
    assert reviewer.post("/console/imports/", {"file": SimpleUploadedFile("a.txt", notice_txt())}).status_code == 403
    assert reviewer.post(f"/console/imports/{job.pk}/confirm/").status_code == 403
    assert reviewer.post(f"/console/imports/{job.pk}/discard/").status_code == 403
    assert (ImportJob.objects.count(), model_counts()) == before


@pytest.mark.django_db(transaction=True)
def test_it_confirms_once_when_two_requests_race(personas: Personas):
    """Two confirmations at the same moment: the row lock lets one write and the other see it imported."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks (SELECT … FOR UPDATE); the PostgreSQL pass runs this")
    p = personas
    job = ready_job(p)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def confirm() -> None:
        try:
            barrier.wait(timeout=10)
            jobs.import_job_confirm(job_id=job.pk, user=p.admin)
            outcomes.append("imported")
        except jobs.ImportJobConflict as exc:
            outcomes.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes)[0] == "imported" and "不能重复确认" in sorted(outcomes)[1], outcomes
    assert Plan.objects.filter(title=TITLE).count() == 1


def test_it_applies_the_assignment_changes_the_diff_announced(personas: Personas):
    p = personas
    jobs.import_job_confirm(job_id=ready_job(p).pk, user=p.admin)
    second = ready_job(p, data=notice_txt(tasks=changed_tasks()), name="分工通知(修订).txt")
    assert [d["number"] for d in second.diff["assignments_changed"]] == ["(二)"]
    jobs.import_job_confirm(job_id=second.pk, user=p.admin)
    moved = Plan.objects.get(title=TITLE).items.get(number="(二)", is_active=True)
    assert list(moved.assignments.filter(role="lead").values_list("unit__name", flat=True)) == ["市统计局"]
