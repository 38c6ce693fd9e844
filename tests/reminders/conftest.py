"""Fixtures of the reminder real-parts tests: the seeded template database, a redis-server, and the Stack (a
copy of the database, the broker, an SMTP server and the workers a test starts), all stopped at teardown."""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.reminders.realparts import (
    Outbox,
    PgOutbox,
    Recorder,
    RedisServer,
    SmtpServer,
    Worker,
    django_env,
    prepare_database,
    wait_for,
)


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    return prepare_database(tmp_path_factory.mktemp("reminders-db"))


@pytest.fixture(scope="session")
def redis(tmp_path_factory):
    try:
        server = RedisServer(tmp_path_factory.mktemp("redis"))
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@dataclass
class Stack:
    folder: Path
    db: Path
    redis: RedisServer
    expected: list[dict]
    smtp: SmtpServer | None = None
    workers: list[Worker] = field(default_factory=list)
    database_url: str | None = None  # PostgreSQL instead of the SQLite file

    @property
    def outbox(self) -> Outbox:
        return PgOutbox(self.database_url) if self.database_url else Outbox(self.db)

    @property
    def mail(self) -> Recorder:
        return self.smtp.handler

    def env(self) -> dict:
        return django_env(
            db=self.db,
            var=self.folder / "var",
            redis_url=self.redis.url,
            smtp_port=self.smtp.port,
            database_url=self.database_url,
        )

    def start_smtp(self, handler: Recorder) -> Recorder:
        self.smtp = SmtpServer(handler)
        return handler

    def start_worker(self, name: str, **extra: str) -> Worker:
        worker = Worker(name=name, env=self.env() | extra, folder=self.folder)
        self.workers.append(worker)
        worker.wait_ready()
        return worker

    def explain(self) -> str:
        logs = "\n".join(f"--- worker {w.name}\n{w.tail()[-1500:]}" for w in self.workers)
        return f"smtp keys: {self.mail.keys()}\noutbox: {self.outbox.statuses()}\n{logs}"

    def wait_delivered(self, count: int, *, timeout: float = 90) -> None:
        wait_for(
            lambda: self.mail.count() >= count and self.outbox.statuses().get("sent", 0) >= count,
            timeout=timeout,
            what=f"{count} messages at the SMTP server and {count} outbox rows sent",
            explain=self.explain,
        )

    def wait_drained(self, *, stale: int = 0, timeout: float = 60) -> None:
        """Wait until the broker holds no task but ``stale`` ones (unacknowledged by a killed worker): after
        that no further delivery can happen, so a duplicate would already be at the SMTP server."""
        wait_for(
            lambda: self.redis.in_flight() <= stale,
            timeout=timeout,
            what="the broker to hold no more tasks",
            explain=self.explain,
        )

    def assert_exactly_once(self) -> None:
        keys = self.mail.keys()
        twice = [key for key, n in Counter(keys).items() if n > 1]
        assert not twice, f"delivered more than once: {twice}\n{self.explain()}"
        rows = self.outbox.rows()
        assert sorted(keys) == sorted(r["key"] for r in rows), self.explain()
        assert all(r["status"] == "sent" for r in rows), self.explain()
        assert len(keys) == len(self.expected), self.explain()


@pytest.fixture
def stack(tmp_path, template, redis):
    template_db, expected = template
    db = tmp_path / "db.sqlite3"
    shutil.copyfile(template_db, db)
    redis.flush()
    made = Stack(folder=tmp_path, db=db, redis=redis, expected=expected)
    try:
        yield made
    finally:
        for worker in made.workers:
            worker.stop()
        if made.smtp is not None:
            made.smtp.stop()
