"""Delivery channels of reminders: the names the outbox, units and plans share (see tasks_app/reminders/transports)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.validators import URLValidator
from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "邮件"
    WECOM = "wecom", "企业微信/政务微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"
    WEBHOOK = "webhook", "通用 JSON Webhook"


# The channels a unit or a plan can point at a chat-robot URL (everything but email).
ROBOT_CHOICES = [(value, label) for value, label in Channel.choices if value != Channel.EMAIL]

# Only http(s): urllib would also open file:// and ftp:// URLs.
webhook_url_validator = URLValidator(schemes=["http", "https"], message="请输入以 http:// 或 https:// 开头的机器人地址")


def robot_url_field(verbose_name: str, help_text: str) -> models.CharField:
    return models.CharField(
        verbose_name, max_length=500, blank=True, validators=[webhook_url_validator], help_text=help_text
    )


def robot_kind_field() -> models.CharField:
    return models.CharField("机器人类型", max_length=20, choices=ROBOT_CHOICES, default=Channel.WECOM)


def url_without_query(url: str) -> str:
    """A robot URL without its query string, which carries the robot's secret key: safe to show and to log."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def recipients_shown(channel: str, recipients: list[str]) -> list[str]:
    """Recipients as the console and the run report show them: mail addresses, robot URLs without their key."""
    return list(recipients) if channel == Channel.EMAIL else [url_without_query(url) for url in recipients]
