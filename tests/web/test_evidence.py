"""Evidence upload through the report form and the scoped download view."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks_app.evidence_files import ALLOWED_MESSAGE
from tasks_app.models import Evidence
from tests.web.conftest import PDF, PNG, Web, report_of


def _upload(client, web: Web, *files: SimpleUploadedFile, action: str = "save", version: int = 2):
    url = reverse("report", args=[web.lead_item.pk])
    data = {"progress": "附材料", "version": str(version), "action": action, "evidence": list(files)}
    return client.post(url, data)


def _names(web: Web) -> list[str]:
    return sorted(Evidence.objects.filter(report__item=web.lead_item).values_list("original_name", flat=True))


def test_it_accepts_pdf_and_png_and_lists_them_with_download_links(client, web):
    client.force_login(web.p.owner)
    files = (
        SimpleUploadedFile("总结.pdf", PDF.replace(b"%%EOF", b"% summary\n%%EOF"), content_type="application/pdf"),
        SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
    )
    assert _upload(client, web, *files).status_code == 302
    assert _names(web) == ["总结.pdf", "方案.pdf", "现场.png"]
    body = client.get(reverse("report", args=[web.lead_item.pk])).content.decode()
    for evidence in Evidence.objects.filter(report__item=web.lead_item):
        assert reverse("evidence", args=[evidence.pk]) in body
        stored = Path(evidence.file.path)
        assert stored.is_relative_to(Path(django_settings.MEDIA_ROOT)) and stored.exists()
    assert "/media/" not in body


def test_it_refuses_an_exe_and_keeps_the_text(client, web):
    client.force_login(web.p.owner)
    response = _upload(
        client, web, SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/x-msdownload")
    )
    assert response.status_code == 400
    assert ALLOWED_MESSAGE in response.content.decode()
    assert _names(web) == ["方案.pdf"]
    assert report_of(web.lead_item, web.p.education).progress == "附材料"


def test_it_refuses_a_file_whose_content_does_not_match_its_extension(client, web):
    client.force_login(web.p.owner)
    response = _upload(client, web, SimpleUploadedFile("伪装.pdf", PNG, content_type="application/pdf"))
    assert response.status_code == 400 and "文件内容与扩展名 .pdf 不符" in response.content.decode()
    assert _names(web) == ["方案.pdf"]


def test_it_refuses_an_oversize_file_and_does_not_submit(client, web, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    client.force_login(web.p.owner)
    big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    response = _upload(client, web, big, action="submit")
    body = response.content.decode()
    assert response.status_code == 400 and "文件过大" in body and "报告未提交" in body
    assert report_of(web.lead_item, web.p.education).status == "draft"
    assert _names(web) == ["方案.pdf"]


def test_it_serves_evidence_as_an_attachment_to_users_in_scope_only(client, web):
    url = reverse("evidence", args=[web.evidence.pk])
    client.force_login(web.p.owner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    client.force_login(web.p.outsider)
    assert client.get(url).status_code == 404
    client.force_login(web.finance)  # a cooperating unit of the item may read its evidence
    assert client.get(url).status_code == 200


def test_it_refuses_uploads_after_submission(client, web):
    client.force_login(web.p.owner)
    full = {"progress_status": "done", "progress": "完成", "version": "2", "action": "submit"}
    assert client.post(reverse("report", args=[web.lead_item.pk]), full).status_code == 302
    version = report_of(web.lead_item, web.p.education).version
    late = _upload(client, web, SimpleUploadedFile("迟到.pdf", PDF, content_type="application/pdf"), version=version)
    assert late.status_code == 400 and "不能修改" in late.content.decode()
    assert _names(web) == ["方案.pdf"]


def test_it_lets_the_unit_delete_evidence_while_the_report_is_editable(client, web, django_capture_on_commit_callbacks):
    url = reverse("evidence-delete", args=[web.evidence.pk])
    stored = Path(web.evidence.file.path)
    client.force_login(web.p.outsider)
    assert client.post(url).status_code == 404
    client.force_login(web.finance)  # may read, may not delete
    assert client.post(url).status_code == 403
    client.force_login(web.p.owner)
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the row is gone for good
        assert client.post(url).status_code == 302
    assert _names(web) == [] and not stored.exists()


def test_it_refuses_to_delete_evidence_of_a_submitted_report(client, web):
    client.force_login(web.p.owner)
    full = {"progress_status": "done", "progress": "完成", "version": "2", "action": "submit"}
    assert client.post(reverse("report", args=[web.lead_item.pk]), full).status_code == 302
    assert client.post(reverse("evidence-delete", args=[web.evidence.pk])).status_code == 403
    assert _names(web) == ["方案.pdf"]
