"""Fixtures the security tests share with the workspace tests."""

from tests.web.conftest import web  # noqa: F401 (the workspace items and their evidence, for the upload tests)
