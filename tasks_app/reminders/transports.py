"""Delivery channels behind one seam (in the style of healthchecks' transports).

A transport knows one channel: its template (`render`, used when the planner writes the outbox row) and how to
deliver a row (`send`). `send` returns when the receiver has accepted the message and raises
`TransientDeliveryError` (worth another attempt on the retry schedule) or `PermanentDeliveryError` (retrying
cannot help). The outbox (outbox.py) owns claiming, retries and recording; transports never touch the row.

Adding a channel: a `Channel` value (models/channels.py) and a migration for its choices, a transport class here
registered in `TRANSPORTS`, its test against a real receiver on 127.0.0.1. See docs/architecture.md.
"""

from __future__ import annotations

import json
import logging
import smtplib
import socket
import urllib.error
import urllib.request
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from tasks_app.models import Channel
from tasks_app.models.channels import url_without_query
from tasks_app.reminders import chat, mail

if TYPE_CHECKING:
    from tasks_app.models import ReminderMessage
    from tasks_app.reminders.digest import Digest

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = 10  # seconds for connect and for each read; settings.REMINDER_WEBHOOK_TIMEOUT overrides


class DeliveryError(Exception):
    """A delivery attempt failed; the message says why, in a form fit for the outbox's last_error."""


class TransientDeliveryError(DeliveryError):
    """The receiver may accept later: server busy, rate limit, connection trouble, timeout."""


class PermanentDeliveryError(DeliveryError):
    """The receiver refused the message for good: bad address, wrong robot key, malformed request."""


class Transport:
    channel: ClassVar[str]

    def render(self, *, digest: Digest, as_of: date) -> dict[str, str]:
        """The channel's template: subject, body_text, body_html stored on the outbox row."""
        raise NotImplementedError

    def send(self, row: ReminderMessage) -> None:
        raise NotImplementedError


# Email ---------------------------------------------------------------------------------------------------------


def smtp_is_transient(exc: Exception) -> bool:
    """True when an SMTP failure is temporary (4xx, connection trouble), False when permanent (5xx, refused)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(
        exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, socket.timeout, OSError)
    )


class EmailTransport(Transport):
    channel = Channel.EMAIL

    def render(self, *, digest: Digest, as_of: date) -> dict[str, str]:
        return mail.render(digest=digest, as_of=as_of)

    def send(self, row: ReminderMessage) -> None:
        message = EmailMultiAlternatives(
            subject=row.subject,
            body=row.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=row.recipients,
            # A stable Message-ID: a receiver that drops repeats by Message-ID drops a resend after a crash.
            headers={"Message-ID": f"<reminder-{row.key.replace(':', '-')}@planner>", "X-Reminder-Key": row.key},
            connection=get_connection(fail_silently=False),
        )
        if row.body_html:
            message.attach_alternative(row.body_html, "text/html")
        try:
            message.send()
        except Exception as exc:  # every SMTP/backend failure is classified; none escapes unrecorded
            error = TransientDeliveryError if smtp_is_transient(exc) else PermanentDeliveryError
            raise error(f"{type(exc).__name__}: {exc}") from exc


# Chat-robot webhooks -------------------------------------------------------------------------------------------


def webhook_timeout() -> float:
    return float(getattr(settings, "REMINDER_WEBHOOK_TIMEOUT", None) or WEBHOOK_TIMEOUT)


class WebhookTransport(Transport):
    """POST a JSON body to the robot URL snapshotted on the row. Base of the robot channels; the generic format
    carries the digest's fields so an office's own bridge can route it."""

    channel = Channel.WEBHOOK
    # Robot error codes that mean "later" rather than "never" (robots answer HTTP 200 with errcode != 0):
    # 企业微信/政务微信 -1 system busy and 45009 API frequency limit (20 messages a minute per robot), 钉钉 130101
    # sending too fast. Every other non-zero errcode (bad key, blocked keyword, malformed body) is permanent.
    transient_errcodes: ClassVar[frozenset[int]] = frozenset({-1, 45009, 130101})

    def render(self, *, digest: Digest, as_of: date) -> dict[str, str]:
        return chat.render(digest=digest, as_of=as_of)

    def payload(self, row: ReminderMessage) -> dict[str, Any]:
        return {
            "key": row.key,
            "kind": row.kind,
            "unit": row.unit.name if row.unit_id and row.unit else None,
            "cycle_year": row.cycle.year if row.cycle_id else None,
            "days": row.days,
            "subject": row.subject,
            "text": row.body_text,
            "items": row.items,
        }

    def send(self, row: ReminderMessage) -> None:
        if not row.recipients:
            raise PermanentDeliveryError("没有机器人地址")
        url = row.recipients[0]
        if urlsplit(url).scheme not in ("http", "https"):
            raise PermanentDeliveryError(f"机器人地址必须以 http:// 或 https:// 开头:{url_without_query(url)}")
        body = json.dumps(self.payload(row), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Reminder-Key": row.key,  # a receiver can drop a repeat after a crash by this key
                "User-Agent": "planner-reminders/1",
            },
        )
        where = url_without_query(url)
        try:
            with urllib.request.urlopen(request, timeout=webhook_timeout()) as response:  # noqa: S310
                status, reply = response.status, response.read(65536)
        except urllib.error.HTTPError as exc:
            # 5xx: the robot's server is in trouble; 429/408: slow down. Other 4xx: the request or key is wrong.
            error = TransientDeliveryError if exc.code >= 500 or exc.code in (408, 429) else PermanentDeliveryError
            raise error(f"HTTP {exc.code} {exc.reason} from {where}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TransientDeliveryError(f"{type(exc).__name__}: {reason} ({where})") from exc
        self.check_reply(status=status, reply=reply, where=where)

    def check_reply(self, *, status: int, reply: bytes, where: str) -> None:
        if not 200 <= status < 300:  # a redirect urllib did not follow
            raise PermanentDeliveryError(f"HTTP {status} from {where}")
        try:
            answer = json.loads(reply.decode("utf-8")) if reply.strip() else None
        except (UnicodeDecodeError, ValueError):
            return  # a generic receiver may answer with anything; 2xx is acceptance
        if not isinstance(answer, dict) or answer.get("errcode") in (None, 0):
            return
        code = answer.get("errcode")
        message = f"errcode {code}: {answer.get('errmsg', '')} ({where})"
        if isinstance(code, int) and code in self.transient_errcodes:
            raise TransientDeliveryError(message)
        raise PermanentDeliveryError(message)


class WeComTransport(WebhookTransport):
    """企业微信 and 政务微信 group robots: `{"msgtype": "text", "text": {"content": …}}`, answer `{"errcode": 0}`."""

    channel = Channel.WECOM

    def payload(self, row: ReminderMessage) -> dict[str, Any]:
        return {"msgtype": "text", "text": {"content": row.body_text}}


class DingTalkTransport(WeComTransport):
    """钉钉 group robots take the same text message. A robot with the 自定义关键词 security setting needs a word
    every reminder contains, e.g. 报送 (all headlines carry 【报送提醒】, 【逾期催报】 or 【逾期汇总】…报送)."""

    channel = Channel.DINGTALK


TRANSPORTS: dict[str, Transport] = {
    transport.channel: transport
    for transport in (EmailTransport(), WebhookTransport(), WeComTransport(), DingTalkTransport())
}


def transport_for(channel: str) -> Transport:
    try:
        return TRANSPORTS[channel]
    except KeyError:
        raise PermanentDeliveryError(f"未知的提醒渠道:{channel}") from None
