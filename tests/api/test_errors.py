"""The one API exception handler: service errors become the responses every endpoint documents."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.test import APIRequestFactory

from tasks_app.api.errors import api_exception_handler
from tasks_app.services.cycles import CycleError
from tasks_app.services.errors import InvalidTransition, NotAllowed, ServiceError, StaleEditError
from tasks_app.services.reports import ReportStateError


def _handled(exc: Exception):
    request = APIRequestFactory().post("/api/anything/")
    return api_exception_handler(exc, {"request": request, "view": None})


def test_it_maps_each_service_error_to_its_status_with_the_message_as_detail():
    cases = [
        (ServiceError("请填写配合情况"), 400),
        (CycleError("周期已关闭"), 400),
        (InvalidTransition("只能审核已提交的报告"), 400),
        (ReportStateError("报告已通过,不能修改"), 400),
        (NotAllowed("只有规划办管理员可以修改分工"), 403),
        (StaleEditError("该事项已被他人修改"), 409),
    ]
    for exc, code in cases:
        response = _handled(exc)
        assert (response.status_code, response.data) == (code, {"detail": str(exc)}), exc


def test_it_leaves_other_errors_to_drf():
    response = _handled(ValidationError({"unit": ["单位不存在"]}))
    assert (response.status_code, response.data) == (400, {"unit": ["单位不存在"]})
    assert _handled(RuntimeError("boom")) is None
