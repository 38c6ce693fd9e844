"""Evidence judged by its content: real small files of every kind accepted, hostile ones refused with one
line and nothing stored, through the report form and the API; duplicates by hash; size refused unread."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from tasks_app.evidence_files import EVIDENCE_TYPES, SHOWN_SUFFIXES, EvidenceRejected, evidence_judge
from tasks_app.models import Evidence, Report
from tests import evidence_samples as samples
from tests.web.conftest import Web

pytestmark = pytest.mark.django_db

REAL = {
    "验收意见.docx": samples.docx,
    "数据.xlsx": samples.xlsx,
    "总结.pdf": samples.pdf,
    "现场.png": samples.png,
    "照片.jpg": samples.jpg,
    "明细.csv": samples.csv_text,
    "说明.txt": lambda: "年度工作说明\n".encode(),
}
HOSTILE = {
    "polyglot.pdf": (samples.polyglot_pdf, "网页或脚本"),
    "svg.png": (samples.svg_behind_png_magic, "网页或脚本"),
    "page.png": (samples.html_behind_png_magic, "网页或脚本"),
    "broken.png": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "不是有效的 PNG"),
    "bomb.xlsx": (samples.zip_bomb_xlsx, "压缩炸弹"),
    "lying-bomb.xlsx": (samples.lying_zip_bomb_xlsx, "xlsx"),
    "plain.docx": (samples.plain_zip_named_docx, "不是有效的 .docx"),
    "sheet.docx": (samples.xlsx, "与扩展名 .docx 不符"),
    "tool.pdf": (samples.renamed_exe, "与扩展名 .pdf 不符"),
    "tool.txt": (samples.renamed_exe, "不是文本"),
    "tool.exe": (samples.renamed_exe, "仅支持上传"),
    "photo.jpg": (samples.png, "与扩展名 .jpg 不符"),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_it_accepts_a_real_small_file_of_each_kind(name):
    judged = evidence_judge(name=name, stream=io.BytesIO(REAL[name]()), max_bytes=20 * 1024 * 1024)
    assert judged.content_type == EVIDENCE_TYPES[judged.suffix].content_type and len(judged.sha256) == 64


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_it_refuses_each_hostile_file_with_one_line(name):
    build, words = HOSTILE[name]
    with pytest.raises(EvidenceRejected, match=words) as refused:
        evidence_judge(name=name, stream=io.BytesIO(build()), max_bytes=20 * 1024 * 1024)
    assert "\n" not in str(refused.value)


def _form_upload(client, web: Web, name: str, data: bytes):
    report = Report.objects.get(pk=web.evidence.report_id)  # the version as it is now
    url = reverse("report", args=[web.lead_item.pk])
    body = {"progress": "附材料", "version": str(report.version), "action": "save"}
    return client.post(url, {**body, "evidence": [SimpleUploadedFile(name, data)]})


def test_it_takes_real_files_and_refuses_hostile_ones_through_the_report_form(client, web):
    client.force_login(web.p.owner)
    for name, build in REAL.items():
        assert _form_upload(client, web, name, build()).status_code == 302, name
    for name, (build, words) in HOSTILE.items():
        response = _form_upload(client, web, name, build())
        assert response.status_code == 400 and words in response.content.decode(), name
    stored = set(Evidence.objects.filter(report=web.evidence.report).values_list("original_name", flat=True))
    assert stored == {"方案.pdf", *REAL}
    assert all(len(row.sha256) == 64 for row in Evidence.objects.filter(report=web.evidence.report))


def test_it_lists_the_allowed_types_from_the_one_table_on_the_form(client, web):
    client.force_login(web.p.owner)
    body = client.get(reverse("report", args=[web.lead_item.pk])).content.decode()
    shown = sorted(SHOWN_SUFFIXES)
    assert "、".join(shown) in body and ",".join(f".{s}" for s in shown) in body


def test_it_refuses_the_same_file_twice_on_one_report(client, web):
    client.force_login(web.p.owner)
    data = samples.png((1, 2, 3))
    assert _form_upload(client, web, "现场.png", data).status_code == 302
    again = _form_upload(client, web, "现场-副本.png", data)
    assert (
        again.status_code == 400 and "该文件已上传过" in again.content.decode() and "现场.png" in again.content.decode()
    )
    assert Evidence.objects.filter(report=web.evidence.report, original_name__startswith="现场").count() == 1


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_it_takes_evidence_over_the_api_by_content(web):
    report = web.evidence.report
    url = f"/api/reports/{report.pk}/evidence/"
    owner = _api(web.p.owner)
    workbook = samples.xlsx()
    created = owner.post(url, {"file": SimpleUploadedFile("数据.xlsx", workbook)}, format="multipart")
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "数据.xlsx" and len(created.json()["sha256"]) == 64
    for name, (build, words) in HOSTILE.items():
        refused = owner.post(url, {"file": SimpleUploadedFile(name, build())}, format="multipart")
        assert refused.status_code == 400 and words in refused.json()["detail"], name
    twice = owner.post(url, {"file": SimpleUploadedFile("again.xlsx", workbook)}, format="multipart")
    assert twice.status_code == 409 and twice.json()["existing"]["id"] == created.json()["id"]
    assert Evidence.objects.filter(report=report).count() == 2  # the fixture's pdf and the workbook
    listed = owner.get(f"/api/reports/{report.pk}/").json()["evidence"]
    assert [row["name"] for row in listed] == ["方案.pdf", "数据.xlsx"]


def test_it_scopes_the_api_upload(web):
    url = f"/api/reports/{web.evidence.report.pk}/evidence/"

    def post(client: APIClient) -> int:
        return client.post(url, {"file": SimpleUploadedFile("a.png", samples.png())}, format="multipart").status_code

    assert post(_api()) == 401
    assert post(_api(web.p.outsider)) == 404
    assert post(_api(web.finance)) == 403  # a cooperating unit reads the report but does not file it
    assert post(_api(web.p.admin)) == 403 and post(_api(web.p.leader)) == 403
    assert _api(web.p.owner).post("/api/reports/abc/evidence/", {}, format="multipart").status_code == 404
    assert _api(web.p.owner).post(url, {}, format="multipart").status_code == 400
    assert Evidence.objects.filter(report=web.evidence.report).count() == 1


class _Unread:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.parametrize("path_of", ["form", "api", "import"])
def test_it_refuses_an_oversize_body_before_reading_it(client, web, settings, path_of):
    client.force_login(web.p.owner if path_of != "import" else web.p.admin)
    path = {
        "form": reverse("report", args=[web.lead_item.pk]),
        "api": f"/api/reports/{web.evidence.report.pk}/evidence/",
        "import": "/console/imports/",
    }[path_of]
    too_big = str(settings.EVIDENCE_REQUEST_MAX_BYTES + 1)
    response = client.generic(
        "POST",
        path,
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=too_big,
        **{"wsgi.input": _Unread()},
    )
    assert response.status_code == 413 and response["Connection"] == "close"
    text = response.content.decode()
    assert "上传内容过大" in text and "未接收" in text
    if path_of == "api":
        assert response.json()["detail"].startswith("上传内容过大")
    assert Evidence.objects.filter(report=web.evidence.report).count() == 1
